import { setMaxListeners } from 'node:events';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { Db } from '../../../db/client.ts';
import { connectionQueries, type ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { inventoryQueries } from '../../../db/queries/apiGatewayInventory.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { syncRunQueries } from '../../../db/queries/apiGatewaySyncRuns.ts';
import { insertEvents } from '../../../db/queries/events.ts';
import type { Clock } from '../../../lib/clock.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import type { RateLimiter } from '../../collection/aws/rateLimiter.ts';
import { describeEnabledRegions, homeRegion } from '../../collection/collectors/regions.ts';
import type { SecretBox } from '../../secrets/secretBox.ts';
import { AwsStepError, type ConnectionAws, type ConnectionCredentials, type ResolvedCredentials } from '../awsAccess.ts';
import type { CredentialType } from '../connectionInput.ts';
import { ALL_REGIONS } from '../regions.ts';
import { createAwsCaller } from './awsCaller.ts';
import { diffInventory } from './diff.ts';
import { observeRegion } from './syncRegion.ts';
import { syncRegionTraffic } from '../traffic/step.ts';
import { writeInventory } from './write.ts';

/** A whole sync (every region) may take this long; calls still running then are aborted. */
export const SYNC_DEADLINE_MS = 15 * 60_000;
/** The lease is renewed well before it runs out; a replica that dies frees it after this long. */
const LEASE_MS = 2 * 60_000;
const REGION_CONCURRENCY = 4;

export type RunStatus = 'QUEUED' | 'RUNNING' | 'OK' | 'PARTIAL' | 'FAILED';

interface RegionOutcome {
  status: 'OK' | 'FAILED';
  error: string | null;
}

/** A credential failure anywhere stops the sync: the connection is disabled. */
class CredentialFailure extends Error {}

export interface SyncRunnerDeps {
  db: Db;
  clock: Clock;
  aws: ConnectionAws;
  secrets: SecretBox;
  limiter: RateLimiter;
  /** This replica's name (lease owner, lastProcessorId). */
  owner: string;
}

const describe = (err: unknown): string => {
  if (err instanceof AwsStepError) return `${err.operation}: ${err.code}: ${err.message}`;
  const c = classifyAwsError(err);
  return `${c.code}: ${c.message}`;
};

/**
 * Runs syncs of claimed connections: credentials → regions → per region observe, diff and write (one
 * lease-guarded transaction each) → the run's record and the connection's counters. Credential failures
 * disable the connection with a credentials event; throttling, timeouts and 5xx only fail the region.
 */
export function createSyncRunner(deps: SyncRunnerDeps) {
  const { db, clock, aws, secrets, limiter, owner } = deps;

  async function credentialsOf(conn: ConnectionViewRow, customerId: string): Promise<ConnectionCredentials> {
    const c: ConnectionCredentials = { type: conn.credentialType as CredentialType };
    if (conn.roleArn) c.roleArn = conn.roleArn;
    if (conn.externalId) c.externalId = conn.externalId;
    if (conn.credentialType === 'ACCESS_KEY') {
      c.accessKeyId = conn.accessKeyId ?? undefined;
      const stored = await connectionQueries.secretOf(db, customerId, conn.id);
      if (!stored) throw new Error('the connection has no stored secret');
      c.secretAccessKey = await secrets.decrypt(stored, conn.id);
    }
    return c;
  }

  async function regionsOf(conn: ConnectionViewRow, creds: ResolvedCredentials, signal: AbortSignal): Promise<string[]> {
    if (conn.regions[0] !== ALL_REGIONS) return conn.regions;
    return describeEnabledRegions(aws.ec2(homeRegion(conn.roleArn ?? 'arn:aws:'), creds.credentials), signal);
  }

  async function disableForCredentials(claim: ClaimedConnection, conn: ConnectionViewRow, message: string, nowMs: number) {
    const ongoing = (conn.lastErrorEvent as { runningState?: string } | null)?.runningState === 'ONGOING';
    const event = {
      id: uuidv7(nowMs),
      name: `Credentials Error: ${conn.name}`,
      startTime: nowMs,
      runningState: 'ONGOING',
      creatorType: ['SYSTEM'],
      isUserEvent: false,
      tags: [] as string[],
      hosts: [] as string[],
      annotations: { severity: 'warn', type: 'credentials-error', errorMessage: message, credentialsId: conn.id, service: 'APIGATEWAY' },
      createdEpochMillis: nowMs,
      updatedEpochMillis: nowMs,
    };
    await db.transaction(async (tx) => {
      if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return;
      if (!ongoing) {
        await insertEvents(tx, [
          { id: event.id, customerId: claim.customerId, integrationId: null, name: event.name, startMs: nowMs, runningState: 'ONGOING', annotations: event.annotations, tags: [], hosts: [], createdMs: nowMs, updatedMs: nowMs },
        ]);
      }
      await syncLeaseQueries.finish(tx, claim.id, claim.leaseToken, {
        disabled: true,
        lastError: message,
        lastErrorMs: nowMs,
        lastProcessorId: owner,
        ...(ongoing ? {} : { lastErrorEvent: event }),
      });
    });
  }

  /** Runs the sync `runId` (already inserted) of a connection this replica holds the lease of. */
  async function run(claim: ClaimedConnection, runId: string): Promise<void> {
    const startedMs = clock.now();
    await syncRunQueries.update(db, runId, { status: 'RUNNING', startedMs });
    const signal = AbortSignal.timeout(SYNC_DEADLINE_MS);
    // Every call in flight (regions × workers) listens to it for its deadline.
    setMaxListeners(REGION_CONCURRENCY * 16, signal);
    const heartbeat = setInterval(() => {
      syncLeaseQueries.heartbeat(db, claim.id, claim.leaseToken, clock.now(), LEASE_MS).catch(() => {});
    }, LEASE_MS / 3);
    heartbeat.unref();
    const awsCalls: Record<string, number> = {};
    const changes: Record<string, number> = {};
    const regionOutcomes: Record<string, RegionOutcome> = {};
    let throttled = 0;
    let runError: string | null = null;
    let status: RunStatus = 'OK';
    try {
      const conn = await connectionQueries.findById(db, claim.customerId, claim.id);
      if (!conn) throw new Error('the connection is gone');
      let resolved: ResolvedCredentials;
      let regions: string[];
      try {
        resolved = await aws.resolve(await credentialsOf(conn, claim.customerId), signal);
        regions = await regionsOf(conn, resolved, signal);
      } catch (err) {
        const blamesRequest = err instanceof AwsStepError ? err.blame === 'request' : classifyAwsError(err).kind === 'credentials';
        if (blamesRequest) throw new CredentialFailure(describe(err));
        throw err;
      }
      const accountId = resolved.accountId ?? (conn.roleArn ? conn.roleArn.split(':')[4] : conn.id);
      const clients = new Map<string, { v1: APIGatewayClient; v2: ApiGatewayV2Client }>();
      let next = 0;
      let credentialError: string | undefined;
      const worker = async () => {
        while (next < regions.length && credentialError === undefined) {
          const region = regions[next++];
          const caller = createAwsCaller({ limiter, accountId, region, signal });
          const v1 = aws.apigateway(region, resolved.credentials);
          const v2 = aws.apigatewayv2(region, resolved.credentials);
          clients.set(region, { v1, v2 });
          try {
            const stored = await inventoryQueries.stateOf(db, conn.id, region);
            const observed = await observeRegion({ caller, v1, v2 }, { apiTypes: conn.apiTypes, stages: conn.stages, apiFilter: conn.apiFilter, export: conn.export }, stored);
            const nowMs = clock.now();
            const diff = diffInventory(stored, observed, { customerId: claim.customerId, connectionId: conn.id, accountId, region, nowMs, newId: () => uuidv7(nowMs) });
            if (!(await writeInventory(db, claim, diff, { syncRunId: runId, nowMs }))) throw new Error('the sync lease was lost to another replica');
            for (const c of diff.changes) changes[c.kind] = (changes[c.kind] ?? 0) + 1;
            if (conn.traffic.enabled) {
              const logsCaller = createAwsCaller({ limiter, accountId, region, signal, service: 'logs' });
              try {
                await syncRegionTraffic({ db, clock, claim, connection: conn, customerId: claim.customerId, accountId, region, logs: aws.logs(region, resolved.credentials), call: logsCaller.call });
              } finally {
                for (const [op, n] of Object.entries(logsCaller.calls)) awsCalls[op] = (awsCalls[op] ?? 0) + n;
                throttled += logsCaller.throttled;
              }
            }
            regionOutcomes[region] = { status: 'OK', error: null };
          } catch (err) {
            if (classifyAwsError(err).kind === 'credentials') credentialError = `${region}: ${describe(err)}`;
            regionOutcomes[region] = { status: 'FAILED', error: describe(err).slice(0, 1000) };
          } finally {
            for (const [op, n] of Object.entries(caller.calls)) awsCalls[op] = (awsCalls[op] ?? 0) + n;
            throttled += caller.throttled;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(REGION_CONCURRENCY, regions.length) }, worker));
      for (const c of clients.values()) {
        c.v1.destroy();
        c.v2.destroy();
      }
      if (credentialError !== undefined) throw new CredentialFailure(credentialError);
      const failed = Object.values(regionOutcomes).filter((r) => r.status === 'FAILED').length;
      status = failed === 0 ? 'OK' : failed === regions.length ? 'FAILED' : 'PARTIAL';
      if (failed > 0) runError = Object.entries(regionOutcomes).filter(([, r]) => r.error).map(([region, r]) => `${region}: ${r.error}`).join('; ').slice(0, 4000);
      const endedMs = clock.now();
      const counts = await inventoryQueries.countsOf(db, conn.id);
      await db.transaction(async (tx) => {
        if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return;
        await syncLeaseQueries.finish(tx, claim.id, claim.leaseToken, {
          lastSyncMs: endedMs,
          lastSyncDurationMs: endedMs - startedMs,
          apiCount: counts.apis,
          endpointCount: counts.endpoints,
          lastProcessorId: owner,
          nextRunAt: new Date(endedMs + conn.syncIntervalMins * 60_000),
          ...(status === 'OK' ? { consecutiveFailures: 0 } : { lastError: runError, lastErrorMs: endedMs }),
        });
      });
    } catch (err) {
      status = 'FAILED';
      runError = describe(err).slice(0, 4000);
      const conn = await connectionQueries.findById(db, claim.customerId, claim.id).catch(() => undefined);
      const nowMs = clock.now();
      if (err instanceof CredentialFailure && conn) {
        runError = `credentials: ${err.message}`.slice(0, 4000);
        await disableForCredentials(claim, conn, runError, nowMs);
      } else {
        await db.transaction(async (tx) => {
          if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return;
          // Throttling, timeouts and 5xx never disable: try again after a back-off of one interval.
          await syncLeaseQueries.finish(tx, claim.id, claim.leaseToken, {
            lastError: runError,
            lastErrorMs: nowMs,
            lastProcessorId: owner,
            nextRunAt: new Date(nowMs + (conn?.syncIntervalMins ?? 15) * 60_000),
          });
        });
      }
    } finally {
      clearInterval(heartbeat);
      await syncRunQueries.update(db, runId, { status, endedMs: clock.now(), regions: regionOutcomes, awsCalls, throttled, changes, error: runError });
      await syncRunQueries.prune(db, claim.id);
    }
  }

  return {
    run,
    leaseMs: LEASE_MS,
    /** Claims a live connection now and queues a run for it; undefined when its lease is held (a sync is running). */
    async claimNow(customerId: string, connectionId: string) {
      const nowMs = clock.now();
      const claim = await syncLeaseQueries.claimOne(db, customerId, connectionId, owner, nowMs, LEASE_MS);
      return claim;
    },
  };
}

export type SyncRunner = ReturnType<typeof createSyncRunner>;
