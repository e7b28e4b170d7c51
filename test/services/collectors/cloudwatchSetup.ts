import type { TestContext } from 'node:test';
import type { CloudWatchClient, GetMetricDataCommandInput, ListMetricsCommandInput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { createAwsAccess } from '../../../src/services/collection/aws/access.ts';
import type { AwsClients } from '../../../src/services/collection/aws/clientFactory.ts';
import { createCloudWatchCollector, type CloudWatchCollectorDeps } from '../../../src/services/collection/collectors/cloudwatch/index.ts';
import type { CollectedPoint, CollectResult } from '../../../src/services/collection/collectors/types.ts';
import { manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole, type TestAws } from '../../helpers/aws.ts';

export const ACCOUNT = '111122223333';
export const EXTERNAL_ID = 'ext-cloudwatch-0001';
/** 2026-11-21T12:00:00Z: windows end at 11:55 (delay 5 min) and start at 10:55 (lookback 1 h). */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
export const MIN = 60_000;

export interface Recorded {
  /** MetricDataQueries of every GetMetricData request sent, in order. */
  getMetricData: MetricDataQuery[][];
  listMetrics: ListMetricsCommandInput[];
}

export interface CloudWatchHarness {
  aws: TestAws;
  clock: ReturnType<typeof manualClock>;
  roleArn: string;
  clients: AwsClients;
  /** Cursors as the scheduler would keep them: every run's new cursors are merged in. */
  cursors: Map<string, string>;
  run(config?: Record<string, unknown>, opts?: { additionalTags?: Record<string, string> | null }): Promise<CollectResult>;
  /** Records the requests the collector's own SDK client sends in a region (an observer, not a mock). */
  record(region?: string): Recorded;
  gmdCalls(filter?: { region?: string }): number;
  listCalls(filter?: { region?: string }): number;
}

/**
 * The collector wired as production wires it (createAwsAccess: real SDK clients with the rate limiter,
 * credentials over STS), everything served by the simulator over HTTP.
 */
export async function cloudWatchHarness(
  t: Pick<TestContext, 'after'>,
  opts: { deps?: Partial<CloudWatchCollectorDeps>; accountRegions?: string[] } = {},
): Promise<CloudWatchHarness> {
  const clock = manualClock(T0);
  const aws = await startTestAws(t, { clock: clock.now });
  if (opts.accountRegions) aws.sim.createAccount({ id: ACCOUNT, regions: opts.accountRegions });
  const roleArn = trustedRole(aws, ACCOUNT, EXTERNAL_ID);
  const access = createAwsAccess({ settings: aws.settings, clock });
  const { credentials, aws: clients } = access.forIntegration({ id: 'cw-integration', roleArn, externalId: EXTERNAL_ID });
  t.after(() => {
    clients.destroy();
    access.close();
  });
  const collect = createCloudWatchCollector({ regions: ['us-east-1'], ...opts.deps });
  const cursors = new Map<string, string>();
  return {
    aws,
    clock,
    roleArn,
    clients,
    cursors,
    async run(config = {}, runOpts = {}) {
      const result = await collect({
        target: {
          id: 'cw-integration',
          customerId: 'customer-1',
          service: 'CLOUDWATCH',
          config: { baseCredentials: { roleArn, externalId: EXTERNAL_ID }, ...config },
          additionalTags: runOpts.additionalTags ?? null,
          roleArn,
          externalId: EXTERNAL_ID,
          accountId: ACCOUNT,
        },
        aws: clients,
        credentials,
        cursors: new Map(cursors),
        now: clock.now(),
        signal: new AbortController().signal,
      });
      for (const [scope, position] of result.cursors) cursors.set(scope, position);
      return result;
    },
    record(region = 'us-east-1') {
      const recorded: Recorded = { getMetricData: [], listMetrics: [] };
      observe(clients.cloudwatch(region), (command, input) => {
        if (command === 'GetMetricDataCommand') recorded.getMetricData.push((input as GetMetricDataCommandInput).MetricDataQueries ?? []);
        if (command === 'ListMetricsCommand') recorded.listMetrics.push(input as ListMetricsCommandInput);
      });
      return recorded;
    },
    gmdCalls(filter = {}) {
      return aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData', accountId: ACCOUNT, error: false, ...filter });
    },
    listCalls(filter = {}) {
      return aws.sim.callCount({ service: 'cloudwatch', api: 'ListMetrics', accountId: ACCOUNT, error: false, ...filter });
    },
  };
}

function observe(client: CloudWatchClient, fn: (command: string, input: unknown) => void): void {
  const stack = client.middlewareStack as unknown as { add(mw: InitializeMiddleware<object, object>, o: InitializeHandlerOptions & { name: string }): void };
  stack.add(
    (next, context) => async (args) => {
      fn(String(context.commandName), args.input);
      return next(args);
    },
    { step: 'initialize', name: `testObserver${Math.random().toString(36).slice(2)}` },
  );
}

/** Points grouped by series (metric|source), each list sorted by time. */
export function bySeries(points: readonly CollectedPoint[]): Map<string, CollectedPoint[]> {
  const out = new Map<string, CollectedPoint[]>();
  for (const p of points) {
    const key = `${p.metric}|${p.source}|${JSON.stringify(Object.entries(p.tags).sort())}`;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(p);
  }
  for (const list of out.values()) list.sort((a, b) => a.ts - b.ts);
  return out;
}

/** The distinct metric names of the points, sorted. */
export function metricNames(points: readonly CollectedPoint[]): string[] {
  return [...new Set(points.map((p) => p.metric))].sort();
}

/** Requested (metric dimensions value or metric name) → statistics, from recorded GetMetricData calls. */
export function requested(calls: readonly MetricDataQuery[][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const call of calls) {
    for (const q of call) {
      const m = q.MetricStat!.Metric!;
      const key = `${m.Namespace}|${m.MetricName}|${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')}`;
      let stats = out.get(key);
      if (!stats) out.set(key, (stats = []));
      stats.push(q.MetricStat!.Stat!);
    }
  }
  for (const stats of out.values()) stats.sort();
  return out;
}

export const STAT_NAMES = ['average', 'maximum', 'minimum', 'samplecount', 'sum'];
