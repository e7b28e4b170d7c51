import type { Db } from '../../../db/client.ts';
import type { Tx } from '../../../db/tx.ts';
import type { ClaimedRun, SchedulerQueries } from '../../../db/queries/scheduler.ts';
import { writePoints } from '../../../db/queries/points.ts';
import { endEvent, insertEvents, type EventInsert } from '../../../db/queries/events.ts';
import { insertRun } from '../../../db/queries/runs.ts';
import { runRow, type RunMeta } from './runRecord.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { ClassifiedAwsError } from '../aws/errors.ts';
import type { CollectedEvent, CollectResult } from '../collectors/types.ts';
import { backoffMs, nextSlot } from './timing.ts';
import { collectionErrorEvent, credentialsErrorEvent, credentialsEventRow, isOngoing } from './events.ts';

export type RunOutcome = 'ok' | 'partial' | 'credentials' | 'transient' | 'error' | 'lost';

interface RecordDeps {
  db: Db;
  queries: SchedulerQueries;
  owner: string;
}

const intervalOf = (run: ClaimedRun) => run.refreshMins * 60_000;
function spreadOf(run: ClaimedRun): number {
  const mins = run.service === 'CLOUDWATCH' ? run.config.threadDistributionInMins : undefined;
  return mins !== undefined && mins > 0 ? mins * 60_000 : intervalOf(run);
}

/**
 * The `events` rows for what a collector found (CloudTrail actions): ENDED when they have an end time. Ids are
 * UUIDv7 (time-ordered), so the primary key index grows at its right edge.
 */
export function eventRows(customerId: string, integrationId: string, events: CollectedEvent[], nowMs: number): EventInsert[] {
  return events.map((e) => ({
    id: uuidv7(),
    customerId,
    integrationId,
    name: e.name,
    startMs: e.startMs,
    endMs: e.endMs ?? null,
    runningState: e.endMs !== undefined ? 'ENDED' : 'ONGOING',
    annotations: e.annotations,
    tags: e.tags,
    hosts: e.hosts,
    dedupeKey: e.dedupeKey ?? null,
    createdMs: nowMs,
    updatedMs: nowMs,
  }));
}

const describe = (e: { code: string; message: string }) => `${e.code}: ${e.message}`.slice(0, 2000);

/**
 * Writes the result of a run in ONE transaction guarded by the lease token: points, events, cursors, status
 * fields and the next due time land together, or (lease lost to another replica) nothing does.
 */
export function createRecorder(deps: RecordDeps) {
  const { db, queries, owner } = deps;

  async function guarded(run: ClaimedRun, write: (tx: Tx) => Promise<void>): Promise<boolean> {
    return db.transaction(async (tx) => {
      if (!(await queries.holdsLease(tx, run.id, run.leaseToken))) return false;
      await write(tx);
      return true;
    });
  }

  /** Stores `event` as an ONGOING system event of the run's integration. */
  return {
    async success(run: ClaimedRun, result: CollectResult, nowMs: number, meta?: RunMeta): Promise<{ outcome: RunOutcome; points: number; series: number; events: number }> {
      const transientParts = result.partialErrors.filter((e) => e.kind === 'transient');
      const outcome: RunOutcome = result.partialErrors.length > 0 ? 'partial' : 'ok';
      const failures = transientParts.length > 0 ? run.consecutiveFailures + 1 : 0;
      const slot = nextSlot(run.id, intervalOf(run), spreadOf(run), nowMs);
      const next = failures > 0 ? Math.max(slot, nowMs + backoffMs(intervalOf(run), failures)) : slot;
      const problems = [
        ...result.partialErrors.map((e) => `${e.scope}: ${describe(e)}`),
        ...(result.warning ? [result.warning] : []),
      ];
      let written = { points: 0, series: 0 };
      let eventsStored = 0;
      const held = await guarded(run, async (tx) => {
        if (result.points.length > 0) {
          const w = await writePoints(tx, run.customerId, run.id, result.points);
          written = { points: w.points, series: w.series };
        }
        if (result.events.length > 0) {
          eventsStored = await insertEvents(tx, eventRows(run.customerId, run.id, result.events, nowMs));
        }
        await queries.saveCursors(tx, run.id, result.cursors, nowMs);
        // A part that fails for a lasting reason (a deleted bucket) keeps, or opens, the integration's event.
        const lasting = result.partialErrors.find((e) => e.kind === 'other');
        const opened = lasting && !isOngoing(run.lastErrorEvent) ? collectionErrorEvent(run, `${lasting.scope}: ${describe(lasting)}`, nowMs) : undefined;
        if (opened) await insertEvents(tx, [credentialsEventRow(run, opened)]);
        const endedEvent = !lasting && isOngoing(run.lastErrorEvent)
          ? { ...run.lastErrorEvent, runningState: 'ENDED', endTime: nowMs, updatedEpochMillis: nowMs }
          : undefined;
        if (endedEvent) await endEvent(tx, run.customerId, String(run.lastErrorEvent!.id), nowMs);
        await queries.finish(tx, run.id, {
          lastProcessingTimestamp: nowMs,
          lastProcessorId: owner,
          lastMetricCount: result.metricCount,
          ...(result.newestMs !== undefined ? { lastReceivedDataPointMs: result.newestMs } : {}),
          ...(problems.length > 0 ? { lastError: problems.join('; ').slice(0, 4000), lastErrorMs: nowMs } : {}),
          ...(endedEvent || opened ? { lastErrorEvent: endedEvent ?? opened } : {}),
          consecutiveFailures: failures,
          nextRunAt: new Date(next),
        });
        await insertRun(tx, runRow(run, meta, owner, nowMs, {
          status: outcome,
          series: result.metricCount,
          events: eventsStored,
          points: written.points,
          ...(problems.length > 0 ? { error: problems.join('; ').slice(0, 4000) } : {}),
          plan: result.plan,
        }));
      });
      return { outcome: held ? outcome : 'lost', ...written, events: eventsStored };
    },

    /** AWS refused the role: disable, record the error and open a credentials event (unless one is open). */
    async credentialFailure(run: ClaimedRun, error: ClassifiedAwsError, nowMs: number, meta?: RunMeta): Promise<RunOutcome> {
      const message = describe(error);
      const event = isOngoing(run.lastErrorEvent) ? undefined : credentialsErrorEvent(run, message, nowMs);
      const held = await guarded(run, async (tx) => {
        if (event) await insertEvents(tx, [credentialsEventRow(run, event)]);
        await queries.finish(tx, run.id, {
          disabled: true,
          lastError: message,
          lastErrorMs: nowMs,
          lastProcessingTimestamp: nowMs,
          lastProcessorId: owner,
          ...(event ? { lastErrorEvent: event } : {}),
        });
        await insertRun(tx, runRow(run, meta, owner, nowMs, { status: 'credentials', error: message }));
      });
      return held ? 'credentials' : 'lost';
    },

    /** Throttling, 5xx, timeouts (back off, never disable) and other failures (retry on the next slot). */
    async failure(run: ClaimedRun, error: ClassifiedAwsError, nowMs: number, meta?: RunMeta): Promise<RunOutcome> {
      const transient = error.kind === 'transient';
      const failures = run.consecutiveFailures + 1;
      const next = transient
        ? nowMs + backoffMs(intervalOf(run), failures)
        : nextSlot(run.id, intervalOf(run), spreadOf(run), nowMs);
      // A failure that does not pass by itself (unlike throttling or a timeout) opens an event, once.
      const event = error.kind === 'other' && !isOngoing(run.lastErrorEvent) ? collectionErrorEvent(run, describe(error), nowMs) : undefined;
      const held = await guarded(run, async (tx) => {
        if (event) await insertEvents(tx, [credentialsEventRow(run, event)]);
        await queries.finish(tx, run.id, {
          lastError: describe(error),
          lastErrorMs: nowMs,
          lastProcessingTimestamp: nowMs,
          lastProcessorId: owner,
          consecutiveFailures: failures,
          nextRunAt: new Date(next),
          ...(event ? { lastErrorEvent: event } : {}),
        });
        await insertRun(tx, runRow(run, meta, owner, nowMs, { status: transient ? 'transient' : 'error', error: describe(error) }));
      });
      return held ? (transient ? 'transient' : 'error') : 'lost';
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
