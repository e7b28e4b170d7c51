import type { IntegrationQueries } from '../../db/queries/integrations.ts';
import type { RunQueries } from '../../db/queries/runs.ts';
import type { CollectionRunRow } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { CloudIntegrationWrite } from '../../schemas/cloudIntegration.ts';
import type { CostEstimateType } from '../../schemas/estimate.ts';
import type { DiscoveryPlan } from '../collection/collectors/cloudwatch/plan.ts';
import { readIntegrationInput } from '../api/integrationInput.ts';
import type { Principal } from '../api/tokens.ts';
import type { Discovery } from './discovery.ts';

const MONTH_MINS = 30 * 24 * 60;
// S3 list prices (us-east-1, S3 Standard), stated in the answer's assumptions.
const S3_LIST_PER_1000_USD = 0.005;
const S3_GET_PER_1000_USD = 0.0004;

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

interface Deps {
  integrations: IntegrationQueries;
  runs: RunQueries;
  discovery: Discovery;
  clock: Clock;
  costPer1000MetricsUsd: number;
}

/**
 * What an integration costs in AWS requests per month at its refresh rate. CloudWatch: GetMetricData is billed
 * per metric requested (each statistic asked for), so the figures come from what discovery selects: the plan
 * of the newest run, or a discovery run now (no GetMetricData) for an integration not yet collected or not
 * yet created. Other calls are taken from the newest run's call counts (EC2 Describe calls are free; S3
 * requests are billed).
 */
export function createEstimateService(deps: Deps) {
  const { integrations, runs, discovery, clock } = deps;
  const price = deps.costPer1000MetricsUsd;

  function estimate(service: string, refreshMins: number, basis: { kind: 'last run' | 'discovery'; time: number; plan?: DiscoveryPlan; run?: CollectionRunRow }): CostEstimateType {
    const cycles = Math.round(MONTH_MINS / refreshMins);
    const plan = basis.plan;
    const awsCallsPerMonth: Record<string, number> = {};
    for (const [api, n] of Object.entries(basis.run?.awsCalls ?? {})) awsCallsPerMonth[api] = n * cycles;
    const metricsRequestedPerMonth = (plan?.queriesPerCycle ?? 0) * cycles;
    const getMetricDataCallsPerMonth = plan ? plan.getMetricDataCallsPerCycle * cycles : (awsCallsPerMonth['cloudwatch:GetMetricData'] ?? 0);
    const s3List = awsCallsPerMonth['s3:ListObjectsV2'] ?? 0;
    const s3Get = awsCallsPerMonth['s3:GetObject'] ?? 0;
    const assumptions = [
      `a month of 30 days: ${cycles} collections at one every ${refreshMins} min`,
      `CloudWatch GetMetricData at $${price} per 1,000 metrics requested (SKYPORT_COST_PER_1000_METRICS_USD); each statistic asked for is one metric requested`,
      'CloudWatch ListMetrics and EC2 Describe calls are not counted in the price (ListMetrics is billed like other CloudWatch API requests, $0.01 per 1,000, a few per hour; EC2 Describe calls are free)',
      'AWS free tier allowances and taxes are not subtracted',
    ];
    let cost = (metricsRequestedPerMonth / 1000) * price;
    const out: CostEstimateType = {
      service,
      basis: basis.kind,
      basisTime: basis.time,
      refreshRateInMins: refreshMins,
      cyclesPerMonth: cycles,
      metricsSelected: plan?.metricsSelected ?? 0,
      seriesSelected: plan?.seriesSelected ?? basis.run?.series ?? 0,
      getMetricDataCallsPerMonth,
      metricsRequestedPerMonth,
      awsCallsPerMonth,
      estimatedMonthlyCostUsd: 0,
      assumptions,
    };
    if (service === 'CLOUDTRAIL') {
      out.s3RequestsPerMonth = s3List + s3Get;
      cost += (s3List / 1000) * S3_LIST_PER_1000_USD + (s3Get / 1000) * S3_GET_PER_1000_USD;
      assumptions.push(
        `S3 at $${S3_LIST_PER_1000_USD} per 1,000 LIST and $${S3_GET_PER_1000_USD} per 1,000 GET requests (S3 Standard, us-east-1); each collection is assumed to make as many as the newest run did`,
      );
      if (!basis.run) out.note = 'S3 requests are estimated from the run history: ask again after the first collection (POST …/collect?wait=true)';
    }
    if (service === 'CLOUDWATCH' && plan && plan.seriesSelected === 0) {
      out.note = 'the filters select no series: check namespaces, metricFilterRegex and the selection tags (GET /api/v2/chart/metric/list shows what was collected)';
    }
    if (plan && plan.droppedByCap > 0) {
      out.note = `SKYPORT_MAX_SERIES_PER_INTEGRATION leaves ${plan.droppedByCap} selected series out; the figures count only those collected`;
    }
    out.estimatedMonthlyCostUsd = round(cost);
    return out;
  }

  return {
    /** The estimate of a stored integration. */
    async forIntegration(p: Principal, id: string, signal?: AbortSignal): Promise<CostEstimateType> {
      const row = await integrations.findById(p.customerId, id);
      if (!row) throw notFound(`cloud integration ${id} does not exist`);
      const last = await runs.newest(p.customerId, id);
      if (row.service !== 'CLOUDWATCH') {
        return estimate(row.service, row.refreshMins, last ? { kind: 'last run', time: last.endedMs, run: last } : { kind: 'discovery', time: clock.now() });
      }
      const planned = await runs.newestWithPlan(p.customerId, id);
      if (planned) return estimate(row.service, row.refreshMins, { kind: 'last run', time: planned.endedMs, plan: planned.plan as unknown as DiscoveryPlan, run: planned });
      const plan = await discovery.discover({ roleArn: row.roleArn, externalId: row.externalId, config: row.config, additionalTags: row.additionalTags }, signal);
      return estimate(row.service, row.refreshMins, { kind: 'discovery', time: clock.now(), plan });
    },

    /** The estimate of an integration body before it is created (CloudWatch: a discovery run, no GetMetricData). */
    async forBody(body: CloudIntegrationWrite, signal?: AbortSignal): Promise<CostEstimateType> {
      const input = readIntegrationInput(body, 'create');
      if (input.service !== 'CLOUDWATCH') return estimate(input.service, input.refreshMins, { kind: 'discovery', time: clock.now() });
      const plan = await discovery.discover({ roleArn: input.roleArn, externalId: input.externalId!, config: input.config, additionalTags: input.additionalTags }, signal);
      return estimate(input.service, input.refreshMins, { kind: 'discovery', time: clock.now(), plan });
    },
  };
}

export type EstimateService = ReturnType<typeof createEstimateService>;
