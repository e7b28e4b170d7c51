import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Db } from '../../../db/client.ts';
import type { ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { trafficQueries } from '../../../db/queries/apiGatewayTraffic.ts';
import { insertEvents, type EventInsert } from '../../../db/queries/events.ts';
import type { Clock } from '../../../lib/clock.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import { DescribedFailure } from '../sync/failures.ts';
import type { RegionStep } from '../sync/regionSteps.ts';
import type { TrafficStage } from './aggregate.ts';
import { planRegion, type RegionPlan } from './plan.ts';
import { readinessAdvice } from './readiness.ts';
import { commitWindow, readWindow } from './window.ts';

const DAY = 86_400_000;

/**
 * What the sync runner hands the traffic step of one connection × region, after that region's inventory is
 * written (so the stages' access-log settings and endpoints are current):
 * - `db`, `clock`: as the runner has them;
 * - `claim`: the sync's lease; every write checks it, so a replica that lost the connection writes nothing;
 * - `connection`: the connection as stored (its `traffic` settings and `additionalTags`);
 * - `customerId`, `accountId`, `region`: whose traffic, in which account and region;
 * - `logs`: a CloudWatch Logs client for the region, made with the connection's credentials;
 * - `retry`: the sync's throttle retries (the client itself waits on the CloudWatch Logs budget, 5 requests/s
 *   per account × region, and counts its calls).
 */
export interface TrafficStepContext {
  db: Db;
  clock: Clock;
  claim: ClaimedConnection;
  connection: Pick<ConnectionViewRow, 'traffic' | 'additionalTags'>;
  customerId: string;
  accountId: string;
  region: string;
  logs: CloudWatchLogsClient;
  retry: ThrottleRetry;
}

export interface TrafficStepResult {
  logGroups: number;
  lines: number;
  counted: number;
  duplicates: number;
  unparseable: number;
  unattributed: number;
}

/** Thrown when the traffic of some log groups could not be read; the others were committed. */
export class TrafficStepError extends DescribedFailure {
  override name = 'TrafficStepError';
}

/** One event per stage and reason: which access-log setting is missing (deduplicated, so not one per sync). */
function readinessEvents(ctx: TrafficStepContext, plan: RegionPlan, nowMs: number): EventInsert[] {
  return plan.stages
    .filter((s) => !s.readiness.ready)
    .map((s) => ({
      id: uuidv7(nowMs),
      customerId: ctx.customerId,
      integrationId: null,
      name: `API Gateway traffic not available: ${s.apiName} (${s.stage})`,
      startMs: nowMs,
      endMs: nowMs,
      runningState: 'ENDED',
      annotations: {
        type: 'apigateway-traffic',
        kind: 'ACCESS_LOG_NOT_READY',
        connectionId: ctx.claim.id,
        apiId: s.apiId,
        stage: s.stage,
        missingFields: s.readiness.missingFields.join(','),
        details: readinessAdvice(s.stage, s.readiness),
      },
      tags: [],
      hosts: [],
      isUserEvent: false,
      dedupeKey: `apigateway-traffic-ready:${s.apiId}:${s.stage}:${s.readiness.missingFields.join(',')}`,
      createdMs: nowMs,
      updatedMs: nowMs,
    }));
}

/** One event per missing log group: stages log to it, but it does not exist (deduplicated like readiness). */
function missingGroupEvents(ctx: TrafficStepContext, missing: ReadonlyArray<{ logGroup: string; stages: TrafficStage[] }>, nowMs: number): EventInsert[] {
  return missing.map(({ logGroup, stages }) => ({
    id: uuidv7(nowMs),
    customerId: ctx.customerId,
    integrationId: null,
    name: `API Gateway traffic not available: log group ${logGroup} does not exist`,
    startMs: nowMs,
    endMs: nowMs,
    runningState: 'ENDED',
    annotations: {
      type: 'apigateway-traffic',
      kind: 'LOG_GROUP_MISSING',
      connectionId: ctx.claim.id,
      region: ctx.region,
      logGroup,
      details:
        `${stages.map((s) => `${s.apiName} (${s.stage})`).join(', ') || 'the connection'} send access logs to ${logGroup} in ${ctx.region}, which does not exist: ` +
        `create it (aws logs create-log-group --log-group-name ${logGroup} --region ${ctx.region}) or point the access logging at an existing group; the next sync reads it`,
    },
    tags: [],
    hosts: [],
    isUserEvent: false,
    dedupeKey: `apigateway-traffic-group:${ctx.claim.id}:${ctx.region}:${logGroup}`,
    createdMs: nowMs,
    updatedMs: nowMs,
  }));
}

/**
 * The traffic step of a sync for one connection × region (SPEC-apigateway §5): plan the log groups, then per
 * group read a window and commit its statistics with its cursor (one transaction each, lease-guarded), then
 * the readiness events and the UNUSED classification. A group that does not exist is a readiness problem (an
 * event, nothing fails); a group that fails does not stop the others, and the failures are thrown together at the
 * end as a TrafficStepError (the region's sync then reports them). Stages whose group was not read are never
 * classified UNUSED: no traffic seen is not no traffic.
 */
export async function syncRegionTraffic(ctx: TrafficStepContext): Promise<TrafficStepResult> {
  const { db, clock, claim, connection, region } = ctx;
  const plan = await planRegion(db, claim.id, region, connection.traffic.logGroups);
  const apis = new Map<string, TrafficStage>(plan.trafficStages.map((s) => [s.apiId, s]));
  const result: TrafficStepResult = { logGroups: plan.groups.size, lines: 0, counted: 0, duplicates: 0, unparseable: 0, unattributed: 0 };
  const failures: string[] = [];
  const missing: Array<{ logGroup: string; stages: TrafficStage[] }> = [];
  const unread = new Set<string>();
  for (const [logGroup, groupStages] of plan.groups) {
    try {
      const w = await readWindow(
        { db, logs: ctx.logs, retry: ctx.retry, connectionId: claim.id, region, nowMs: clock.now(), initialLookbackMins: connection.traffic.initialLookbackMins },
        logGroup,
        plan.trafficStages,
        groupStages,
      );
      if (!w) continue;
      const committed = await commitWindow(
        { db, claim, customerId: ctx.customerId, accountId: ctx.accountId, additionalTags: connection.additionalTags, nowMs: clock.now() },
        w,
        apis,
      );
      if (!committed) throw new TrafficStepError('the sync lease was lost to another replica');
      const c = w.aggregate.counts;
      result.lines += c.lines;
      result.counted += c.counted;
      result.duplicates += c.duplicates;
      result.unparseable += c.unparseable;
      result.unattributed += c.unattributed;
    } catch (err) {
      if (err instanceof TrafficStepError) throw err;
      for (const s of groupStages) unread.add(`${s.apiId}\t${s.stage}`);
      const c = classifyAwsError(err);
      if (c.code === 'ResourceNotFoundException') missing.push({ logGroup, stages: groupStages });
      else failures.push(`${logGroup}: ${c.code}: ${c.message}`);
    }
  }
  const nowMs = clock.now();
  const cutoffMs = nowMs - connection.traffic.unusedAfterDays * DAY;
  const read = plan.stages.filter((s) => s.readiness.ready && !unread.has(`${s.apiId}\t${s.stage}`));
  await db.transaction(async (tx) => {
    if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return;
    await insertEvents(tx, [...readinessEvents(ctx, plan, nowMs), ...missingGroupEvents(ctx, missing, nowMs)]);
    await trafficQueries.markUnused(tx, read, cutoffMs);
  });
  if (failures.length > 0) throw new TrafficStepError(failures.join('; ').slice(0, 2000));
  return result;
}

/** The traffic step of every sync (after the region's inventory and subscriptions), when the connection reads traffic. */
export const trafficStep: RegionStep = {
  name: 'traffic',
  async run(ctx) {
    if (!ctx.connection.traffic.enabled) return;
    const { db, clock, claim, connection, accountId, region, retry } = ctx;
    await syncRegionTraffic({ db, clock, claim, connection, customerId: claim.customerId, accountId, region, logs: ctx.aws.logs(region), retry });
  },
};
