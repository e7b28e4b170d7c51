import type { Db } from '../../../db/client.ts';
import { connectionQueries } from '../../../db/queries/apiGatewayConnections.ts';
import { subscriptionQueries as q } from '../../../db/queries/apiGatewaySubscriptions.ts';
import type { ApiGatewayKeyDeletionRow } from '../../../db/schema.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { SubscriptionAccess } from './access.ts';
import { keysAws } from './keysAws.ts';

/** A claimed deletion is this replica's for this long; one that died frees it then. */
const LEASE_MS = 2 * 60_000;
const BATCH = 10;
const MAX_RETRY_MS = 3_600_000;

interface Logger {
  warn(obj: object, msg?: string): void;
}

/**
 * Performs the durable key deletions (apigateway_key_deletions) when due: old keys of rotations after their
 * grace period, and guards of keys whose creating request never finished. Each row is claimed with a lease in
 * one statement, so two replicas never both run one; a failure is retried with back-off. Due times are compared
 * with the injected clock (the database's, in production), so the work survives restarts and is testable.
 */
export function createKeyDeletionWorker(deps: { db: Db; clock: Clock; access: SubscriptionAccess; pollMs?: number; log?: Logger }) {
  const { db, clock, access } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function perform(row: ApiGatewayKeyDeletionRow): Promise<void> {
    const conn = await connectionQueries.findById(db, row.customerId, row.connectionId);
    if (conn) {
      const c = await access.open(conn, row.customerId, row.region, AbortSignal.timeout(LEASE_MS / 2));
      const ids = row.awsApiKeyId !== null ? [row.awsApiKeyId] : (await keysAws.listKeys(c, row.keyName!)).filter((k) => k.name === row.keyName).map((k) => k.id!);
      for (const id of ids) await keysAws.deleteKey(c, row.usagePlanId, id);
    }
    await db.transaction(async (tx) => {
      if (!(await q.finishDeletion(tx, row.id, row.leaseToken!))) return;
      if (row.reason !== 'GUARD_CREATE') return;
      // The request that made the key never finished: nothing of it is left in AWS now.
      await q.updateIf(tx, row.customerId, row.subscriptionId, { status: 'PENDING', awsApiKeyId: null }, {
        status: 'FAILED',
        lastError: 'creation did not finish (the server stopped or lost the database); the half-made key was deleted',
        updatedMs: clock.now(),
        idempotencyKey: null,
        requestSha256: null,
        idempotencyExpiresMs: null,
      });
    });
  }

  /** One pass: claims due deletions and performs them; returns how many were done. */
  async function tick(): Promise<number> {
    const rows = await q.claimDueDeletions(db, clock.now(), LEASE_MS, BATCH);
    let done = 0;
    for (const row of rows) {
      try {
        await perform(row);
        done++;
      } catch (err) {
        deps.log?.warn({ err, deletion: row.id }, 'deleting an API Gateway key failed; retrying later');
        const backoff = Math.min(MAX_RETRY_MS, 30_000 * 2 ** Math.min(row.attempts, 10));
        await q.retryDeletion(db, row.id, row.leaseToken!, clock.now() + backoff, (err as Error).message ?? String(err)).catch(() => {});
      }
    }
    return done;
  }

  return {
    /** One pass now (tests, and the poll). Overlapping calls share the pass in progress. */
    tick(): Promise<number> {
      running ??= tick().finally(() => (running = undefined));
      return running;
    },
    start() {
      timer ??= setInterval(() => {
        this.tick().catch((err: unknown) => deps.log?.warn({ err }, 'API Gateway key deletions failed'));
      }, deps.pollMs ?? 5_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => {});
    },
  };
}

export type KeyDeletionWorker = ReturnType<typeof createKeyDeletionWorker>;
