import { and, eq, sql } from 'drizzle-orm';
import { apiGatewayConnections } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';

const t = apiGatewayConnections;

/** A connection this replica holds the sync lease of. */
export interface ClaimedConnection {
  id: string;
  customerId: string;
  leaseToken: string;
}

/**
 * The sync's leases on apigateway_connections, the scheduler's pattern (queries/scheduler.ts): a claim
 * marks the row with a fresh token in one statement, a write checks the token under a row lock, and
 * `finish` hands the row back to the schedule.
 */
export const syncLeaseQueries = {
  /** Claims up to `limit` connections whose sync is due and whose lease is free or expired. */
  async claimDue(db: DbOrTx, owner: string, limit: number, nowMs: number, leaseMs: number): Promise<ClaimedConnection[]> {
    const now = new Date(nowMs);
    const res = await db.execute(sql`
      UPDATE ${t} AS c
         SET lease_owner = ${owner}, lease_token = gen_random_uuid(), lease_expires_at = ${new Date(nowMs + leaseMs)}
        FROM (
          SELECT id FROM ${t}
           WHERE next_run_at <= ${now} AND NOT disabled AND NOT in_trash
             AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
           ORDER BY next_run_at
           LIMIT ${limit}
             FOR UPDATE SKIP LOCKED
        ) AS due
       WHERE c.id = due.id
      RETURNING c.id, c.customer_id, c.lease_token`);
    return (res.rows as Record<string, string>[]).map((r) => ({ id: r.id, customerId: r.customer_id, leaseToken: r.lease_token }));
  },

  /** Claims one connection now (POST …/sync), if it is live and nobody holds its lease. */
  async claimOne(db: DbOrTx, customerId: string, id: string, owner: string, nowMs: number, leaseMs: number): Promise<ClaimedConnection | undefined> {
    const now = new Date(nowMs);
    const res = await db.execute(sql`
      UPDATE ${t}
         SET lease_owner = ${owner}, lease_token = gen_random_uuid(), lease_expires_at = ${new Date(nowMs + leaseMs)}
       WHERE id = ${id} AND customer_id = ${customerId} AND NOT disabled AND NOT in_trash
         AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
      RETURNING id, customer_id, lease_token`);
    const r = res.rows[0] as Record<string, string> | undefined;
    return r && { id: r.id, customerId: r.customer_id, leaseToken: r.lease_token };
  },

  /** Extends a lease; false when it was lost. */
  async heartbeat(db: DbOrTx, id: string, token: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const res = await db.execute(sql`UPDATE ${t} SET lease_expires_at = ${new Date(nowMs + leaseMs)} WHERE id = ${id} AND lease_token = ${token}`);
    return (res.rowCount ?? 0) > 0;
  },

  /** Locks the row if this lease still holds it; false means another replica owns the sync now. */
  async holdsLease(tx: Tx, id: string, token: string): Promise<boolean> {
    const res = await tx.execute(sql`SELECT 1 FROM ${t} WHERE id = ${id} AND lease_token = ${token} FOR UPDATE`);
    return res.rows.length > 0;
  },

  /** Writes the outcome of a sync and clears the lease. */
  async finish(tx: Tx, id: string, token: string, set: Partial<typeof t.$inferInsert>): Promise<void> {
    await tx
      .update(t)
      .set({ ...set, leaseOwner: null, leaseToken: null, leaseExpiresAt: null })
      .where(and(eq(t.id, id), eq(t.leaseToken, token)));
  },
};
