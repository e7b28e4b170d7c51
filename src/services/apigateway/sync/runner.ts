import { setMaxListeners } from 'node:events';
import type { Db } from '../../../db/client.ts';
import { connectionQueries } from '../../../db/queries/apiGatewayConnections.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { syncRunQueries } from '../../../db/queries/apiGatewaySyncRuns.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { AwsAccess } from '../../collection/aws/access.ts';
import { createRegionsCache } from '../../collection/collectors/regions.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { CredentialFailure, describe } from './failures.ts';
import { createSyncRecorder } from './record.ts';
import type { RegionRun } from './regionRun.ts';
import { logSyncRun } from './runLog.ts';
import { REGION_CONCURRENCY, syncConnection, type SyncTally } from './syncConnection.ts';

/** A whole sync (every region) may take this long; calls still running then are aborted. */
export const SYNC_DEADLINE_MS = 15 * 60_000;
/** The lease is renewed well before it runs out; a replica that dies frees it after this long. */
const LEASE_MS = 2 * 60_000;
/** DescribeRegions answers (connections with ["*"]) are reused this long. */
const REGIONS_TTL_MS = 60 * 60_000;

export type RunStatus = 'QUEUED' | 'RUNNING' | 'OK' | 'PARTIAL' | 'FAILED';

export interface SyncRunnerDeps {
  db: Db;
  clock: Clock;
  /** How syncs reach AWS: the process's one AwsAccess (createAwsAccess), shared with collection. */
  access: AwsAccess;
  secrets: SecretBox;
  /** This replica's name (lease owner, lastProcessorId). */
  owner: string;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * The run record's regions and status from the regions' outcomes. A region is OK, PARTIAL (its inventory was
 * written, a step after it failed) or FAILED; the run is OK when every region is, FAILED when every region
 * failed, else PARTIAL.
 */
function outcomeOf(regions: RegionRun[]) {
  const byRegion: Record<string, { status: 'OK' | 'PARTIAL' | 'FAILED'; error: string | null }> = {};
  for (const r of regions) {
    byRegion[r.region] =
      r.failures.length === 0
        ? { status: 'OK', error: null }
        : { status: r.succeeded ? 'PARTIAL' : 'FAILED', error: r.failures.map((f) => describe(f.error)).join('; ').slice(0, 1000) };
  }
  const failed = regions.filter((r) => r.failures.length > 0);
  const allFailed = regions.length > 0 && regions.every((r) => byRegion[r.region].status === 'FAILED');
  const status: RunStatus = failed.length === 0 ? 'OK' : allFailed ? 'FAILED' : 'PARTIAL';
  const error = failed.length === 0 ? null : failed.map((r) => `${r.region}: ${byRegion[r.region].error}`).join('; ').slice(0, 4000);
  return { byRegion, status, error };
}

/**
 * Runs syncs of claimed connections (syncConnection.ts) under a heartbeated lease and a deadline, then records
 * the run and the connection's counters. Credential failures disable the connection with a credentials event;
 * throttling, timeouts and 5xx only fail regions, and the connection is tried again one interval later.
 */
export function createSyncRunner(deps: SyncRunnerDeps) {
  const { db, clock, owner } = deps;
  const recorder = createSyncRecorder({ db, owner });
  const regionsCache = createRegionsCache({ ttlMs: REGIONS_TTL_MS, maxEntries: 10_000 });

  /** Runs the sync `runId` (already inserted) of a connection this replica holds the lease of. */
  async function run(claim: ClaimedConnection, runId: string): Promise<void> {
    const startedMs = clock.now();
    await syncRunQueries.update(db, runId, { status: 'RUNNING', startedMs });
    // This replica holds the lease: another run still RUNNING was a replica's that stopped mid-sync.
    await syncRunQueries.endAbandoned(db, claim.id, runId, startedMs, 'the replica running this sync stopped before it ended (its lease lapsed); the next sync took over');
    const signal = AbortSignal.timeout(SYNC_DEADLINE_MS);
    // Every call in flight (regions × workers) listens to it for its deadline.
    setMaxListeners(REGION_CONCURRENCY * 16, signal);
    const heartbeat = setInterval(() => {
      syncLeaseQueries.heartbeat(db, claim.id, claim.leaseToken, clock.now(), LEASE_MS).catch(() => {});
    }, LEASE_MS / 3);
    heartbeat.unref();
    const tally: SyncTally = { calls: new Map(), changes: {}, throttled: 0, findings: { unknownSubscriptionKeys: [] } };
    let regions: ReturnType<typeof outcomeOf>['byRegion'] = {};
    let status: RunStatus = 'FAILED';
    let error: string | null = null;
    try {
      const synced = await syncConnection({ ...deps, regionsCache }, { claim, runId, signal }, tally);
      ({ byRegion: regions, status, error } = outcomeOf(synced.regions));
      await recorder.ran(claim, synced.conn, { startedMs, endedMs: clock.now(), ok: status === 'OK', error });
    } catch (err) {
      status = 'FAILED';
      error = describe(err).slice(0, 4000);
      const conn = await connectionQueries.findById(db, claim.customerId, claim.id).catch(() => undefined);
      if (err instanceof CredentialFailure && conn) {
        error = `credentials: ${err.message}`.slice(0, 4000);
        await recorder.credentialFailure(claim, conn, error, clock.now());
      } else {
        await recorder.failed(claim, conn, error, clock.now());
      }
    } finally {
      clearInterval(heartbeat);
      const endedMs = clock.now();
      const awsCalls = Object.fromEntries([...tally.calls].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
      await syncRunQueries.update(db, runId, { status, endedMs, regions, awsCalls, throttled: tally.throttled, changes: tally.changes, error, unknownSubscriptionKeys: tally.findings.unknownSubscriptionKeys.sort() });
      await syncRunQueries.prune(db, claim.id);
      if (deps.log) logSyncRun(deps.log, { connectionId: claim.id, runId, status, durationMs: endedMs - startedMs, awsCalls, changes: tally.changes, error });
    }
  }

  return {
    run,
    leaseMs: LEASE_MS,
    /** Claims a live connection now and queues a run for it; undefined when its lease is held (a sync is running). */
    claimNow(customerId: string, connectionId: string) {
      return syncLeaseQueries.claimOne(db, customerId, connectionId, owner, clock.now(), LEASE_MS);
    },
  };
}

export type SyncRunner = ReturnType<typeof createSyncRunner>;
