import type { Db } from '../../../db/client.ts';
import { connectionQueries } from '../../../db/queries/apiGatewayConnections.ts';
import { syncRunQueries } from '../../../db/queries/apiGatewaySyncRuns.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import type { ApiGatewaySyncRunRow } from '../../../db/schema.ts';
import { badRequest, notFound } from '../../../errors.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Logger } from '../../../lib/logger.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { Principal } from '../../api/tokens.ts';
import type { SyncRunner } from './runner.ts';

/** `?wait=true` answers at most this late (SPEC-apigateway §1 row 5); a longer sync answers 202 then. */
export const WAIT_MAX_MS = 120_000;
const WAIT_POLL_MS = 100;
/** Scheduled syncs this replica runs at once (each region inside also runs concurrently). */
const SCHEDULED_CONCURRENCY = 4;
const FINISHED = new Set(['OK', 'PARTIAL', 'FAILED']);

export interface SyncRun {
  id: string;
  connectionId: string;
  status: string;
  queuedMs: number;
  startedMs?: number;
  endedMs?: number;
  regions: Record<string, { status: string; error: string | null }>;
  awsCalls: Record<string, number>;
  throttled: number;
  changes: Record<string, number>;
  error?: string;
  unknownSubscriptionKeys?: string[];
}

export function toSyncRun(r: ApiGatewaySyncRunRow): SyncRun {
  return {
    id: r.id,
    connectionId: r.connectionId,
    status: r.status,
    queuedMs: r.queuedMs,
    ...(r.startedMs !== null ? { startedMs: r.startedMs } : {}),
    ...(r.endedMs !== null ? { endedMs: r.endedMs } : {}),
    regions: r.regions,
    awsCalls: r.awsCalls,
    throttled: r.throttled,
    changes: r.changes,
    ...(r.error !== null ? { error: r.error } : {}),
    ...(r.unknownSubscriptionKeys !== null ? { unknownSubscriptionKeys: r.unknownSubscriptionKeys } : {}),
  };
}

/**
 * Syncs on request (`POST …/sync`) and on schedule: a run is queued, then executed by whichever replica
 * holds the connection's lease; queued runs of a connection whose sync is running wait for it to end.
 */
export function createSyncService(deps: { db: Db; clock: Clock; runner: SyncRunner; owner: string; pollMs?: number; log?: Pick<Logger, 'warn'> }) {
  const { db, clock, runner, owner } = deps;
  const running = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function track(p: Promise<void>) {
    const tracked = p.catch((err: unknown) => deps.log?.warn({ err }, 'API Gateway sync failed')).finally(() => running.delete(tracked));
    running.add(tracked);
  }

  /** Runs the oldest queued run of a claimed connection (or a new one), then any queued meanwhile. */
  async function drain(claim: ClaimedConnection, runId?: string): Promise<void> {
    let current: ClaimedConnection | undefined = claim;
    let id = runId;
    while (current && !stopped) {
      const queued = id ?? (await syncRunQueries.nextQueued(db, current.id))?.id;
      const run = queued ?? (await syncRunQueries.insert(db, newRun(current))).id;
      await runner.run(current, run);
      id = undefined;
      const more = await syncRunQueries.nextQueued(db, current.id);
      current = more ? await runner.claimNow(current.customerId, current.id) : undefined;
    }
  }

  const newRun = (c: { id: string; customerId: string }) => ({
    id: uuidv7(clock.now()),
    customerId: c.customerId,
    connectionId: c.id,
    status: 'QUEUED',
    queuedMs: clock.now(),
    regions: {},
    awsCalls: {},
    changes: {},
  });

  async function mustFind(p: Principal, id: string) {
    const conn = await connectionQueries.findById(db, p.customerId, id);
    if (!conn || conn.inTrash) throw notFound(`API Gateway connection ${id} not found`);
    return conn;
  }

  return {
    /** POST …/sync: the queued run (202), or with `wait` the finished run when it ends within 120 s. */
    async request(p: Principal, id: string, wait: boolean): Promise<{ run: SyncRun; finished: boolean }> {
      const conn = await mustFind(p, id);
      if (conn.disabled) throw badRequest(`API Gateway connection ${id} is disabled: enable it (POST …/enable) before syncing`);
      const queued = await syncRunQueries.insert(db, newRun({ id, customerId: p.customerId }));
      const claim = await runner.claimNow(p.customerId, id);
      if (claim) track(drain(claim, queued.id));
      if (!wait) return { run: toSyncRun(queued), finished: false };
      const deadline = clock.now() + WAIT_MAX_MS;
      const realDeadline = Date.now() + WAIT_MAX_MS;
      for (;;) {
        const row = await syncRunQueries.find(db, p.customerId, id, queued.id);
        if (!row) throw notFound(`sync run ${queued.id} not found`);
        if (FINISHED.has(row.status)) return { run: toSyncRun(row), finished: true };
        if (clock.now() >= deadline || Date.now() >= realDeadline) return { run: toSyncRun(row), finished: false };
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      }
    },

    async list(p: Principal, id: string, offset: number, limit: number) {
      await mustFind(p, id);
      const { rows, total } = await syncRunQueries.list(db, p.customerId, id, offset, limit);
      return { items: rows.map(toSyncRun), offset, limit, totalItems: total, moreItems: offset + rows.length < total };
    },

    async get(p: Principal, id: string, runId: string): Promise<SyncRun> {
      await mustFind(p, id);
      const row = await syncRunQueries.find(db, p.customerId, id, runId);
      if (!row) throw notFound(`sync run ${runId} not found`);
      return toSyncRun(row);
    },

    /** One scheduler pass: claims due connections and syncs them (in the background). Returns how many. */
    async tick(limit = 4): Promise<number> {
      const claims = await syncLeaseQueries.claimDue(db, owner, limit, clock.now(), runner.leaseMs);
      for (const c of claims) track(drain(c));
      return claims.length;
    },

    /** Polls for due connections every `pollMs` until stopped. */
    start() {
      stopped = false;
      const poll = () => {
        timer = setTimeout(async () => {
          const free = SCHEDULED_CONCURRENCY - running.size;
          if (free > 0) await this.tick(free).catch((err: unknown) => deps.log?.warn({ err }, 'API Gateway sync scheduling failed'));
          if (!stopped) poll();
        }, deps.pollMs ?? 5_000);
        timer.unref();
      };
      poll();
    },

    /** Stops scheduling and waits for running syncs (they write nothing once their lease is released). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...running]);
    },

    /** Resolves when every sync started in this process has ended (tests and shutdown). */
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
