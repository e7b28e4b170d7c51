import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Db } from '../../../db/client.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { trafficQueries, type LogGroupScope } from '../../../db/queries/apiGatewayTraffic.ts';
import { insertEvents } from '../../../db/queries/events.ts';
import { writePoints } from '../../../db/queries/points.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import { createAggregator, endpointKey, type Aggregate, type TrafficStage } from './aggregate.ts';
import { minutePoints, type EndpointLabels } from './points.ts';
import { readLogGroup } from './read.ts';

/** Lines are read this long after their event time, so that most have been ingested by then. */
export const SETTLE_MS = 2 * 60_000;
/** Each window starts this far before the last one ended: lines ingested late (up to this much) are still counted. */
export const OVERLAP_MS = 5 * 60_000;

/** One log group's window, read and aggregated, not yet committed. */
export interface ReadWindow {
  scope: LogGroupScope;
  /** The cursor the read started from (the commit checks it is still the same). */
  fromCursor: number | undefined;
  startMs: number;
  endMs: number;
  aggregate: Aggregate;
  groupStages: TrafficStage[];
}

export interface WindowContext {
  db: Db;
  logs: CloudWatchLogsClient;
  retry: ThrottleRetry;
  connectionId: string;
  region: string;
  nowMs: number;
  initialLookbackMins: number;
}

/**
 * Reads one log group over [cursor − overlap, now − settle] (the first time from `initialLookbackMins` ago) and
 * aggregates what was not counted before. Nothing is written: a crash after this loses nothing and counts
 * nothing. Undefined when the window is empty (read too recently).
 */
export async function readWindow(ctx: WindowContext, logGroup: string, stages: TrafficStage[], groupStages: TrafficStage[]): Promise<ReadWindow | undefined> {
  const scope = { connectionId: ctx.connectionId, region: ctx.region, logGroup };
  const fromCursor = await trafficQueries.cursorOf(ctx.db, scope);
  const endMs = ctx.nowMs - SETTLE_MS;
  if (fromCursor !== undefined && endMs <= fromCursor) return undefined;
  const startMs = fromCursor !== undefined ? fromCursor - OVERLAP_MS : ctx.nowMs - ctx.initialLookbackMins * 60_000;
  if (endMs < startMs) return undefined;
  const alreadySeen = await trafficQueries.seenIds(ctx.db, scope);
  const aggregator = createAggregator({ stages, groupStages, alreadySeen, keepIdsFrom: endMs - OVERLAP_MS });
  await readLogGroup(ctx.logs, ctx.retry, { logGroupName: logGroup, startTime: startMs, endTime: endMs }, (page) => aggregator.addPage(page));
  return { scope, fromCursor, startMs, endMs, aggregate: aggregator.result(), groupStages };
}

export interface CommitContext {
  db: Db;
  claim: ClaimedConnection;
  customerId: string;
  accountId: string;
  additionalTags: Record<string, string> | null;
  nowMs: number;
}

/**
 * Commits a read window in one transaction, only while the sync's lease holds and the cursor is where the read
 * started: the endpoints touched (SHADOW ones created), the minutes' counters added, their points rewritten with
 * the new totals, the event ids the next window must skip, and the cursor. False when another replica's sync
 * owns the connection now, or moved the cursor: then nothing is written.
 */
export async function commitWindow(ctx: CommitContext, w: ReadWindow, apis: ReadonlyMap<string, TrafficStage>): Promise<boolean> {
  const { db, claim, nowMs } = ctx;
  const a = w.aggregate;
  return db.transaction(async (tx) => {
    if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return false;
    if ((await trafficQueries.lockCursor(tx, w.scope)) !== w.fromCursor) return false;
    const touched = await trafficQueries.touchEndpoints(tx, a.endpoints, nowMs);
    const idOf = new Map(touched.map((t) => [endpointKey(t.apiId, t.stage, t.method, t.path), t.id]));
    await trafficQueries.addMinutes(
      tx,
      a.cells.map((c) => ({ endpointId: idOf.get(c.endpointKey)!, minuteMs: c.minuteMs, status: c.status, apiKeyId: c.apiKeyId, requests: c.requests, bytes: c.bytes, latency: c.latency })),
    );
    const keys = new Map<string, { endpointId: number; minuteMs: number }>();
    for (const c of a.cells) {
      const endpointId = idOf.get(c.endpointKey)!;
      keys.set(`${endpointId} ${c.minuteMs}`, { endpointId, minuteMs: c.minuteMs });
    }
    const labels = new Map<number, EndpointLabels>();
    for (const t of touched) {
      const api = apis.get(t.apiId);
      if (!api) continue;
      labels.set(t.id, {
        accountId: ctx.accountId,
        region: w.scope.region,
        awsApiId: api.awsApiId,
        apiName: api.apiName,
        stage: t.stage,
        method: t.method,
        path: t.path,
        connectionId: claim.id,
        additionalTags: ctx.additionalTags,
      });
    }
    await writePoints(tx, ctx.customerId, claim.id, minutePoints(await trafficQueries.minutesOf(tx, [...keys.values()]), labels));
    await trafficQueries.replaceSeen(tx, w.scope, w.endMs - OVERLAP_MS, a.keptIds);
    await trafficQueries.saveCursor(tx, w.scope, w.endMs, { lines: a.counts.lines - a.counts.duplicates, unparseable: a.counts.unparseable, unattributed: a.counts.unattributed }, nowMs);
    if (a.ambiguous) {
      const names = w.groupStages.map((s) => `${s.apiName}/${s.stage}`).join(', ');
      const why = w.groupStages.length === 0 ? 'no stage of this connection writes to it' : `it is used by ${names}`;
      const details =
        `${a.counts.unattributed} lines of log group ${w.scope.logGroup} (${w.scope.region}) carry no apiId and stage, and ${why}: ` +
        'they are not counted. Add "apiId" and "stage" to the access-log format (the recommended format has them).';
      await insertEvents(tx, [
        {
          id: uuidv7(nowMs),
          customerId: ctx.customerId,
          integrationId: null,
          name: `API Gateway traffic: log group ${w.scope.logGroup} is ambiguous`,
          startMs: nowMs,
          endMs: nowMs,
          runningState: 'ENDED',
          annotations: { type: 'apigateway-traffic', kind: 'LOG_GROUP_AMBIGUOUS', connectionId: claim.id, region: w.scope.region, logGroup: w.scope.logGroup, details },
          tags: [],
          hosts: [],
          isUserEvent: false,
          // One event per log group, not one per sync.
          dedupeKey: `apigateway-traffic-ambiguous:${claim.id}:${w.scope.region}:${w.scope.logGroup}`,
          createdMs: nowMs,
          updatedMs: nowMs,
        },
      ]);
    }
    return true;
  });
}
