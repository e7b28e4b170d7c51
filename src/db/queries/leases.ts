import { sql } from 'drizzle-orm';
import { apiGatewayConnections, integrations } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';

/**
 * The tables whose rows are scheduled work under a lease: the same columns in each (next_run_at, disabled,
 * in_trash, last_processor_id, lease_owner, lease_token, lease_expires_at).
 */
type LeasedTable = typeof integrations | typeof apiGatewayConnections;

/** The lease columns as `finish` sets them: the row goes back to the schedule. */
export const LEASE_CLEARED = { leaseOwner: null, leaseToken: null, leaseExpiresAt: null } as const;

export interface ClaimOptions {
  owner: string;
  nowMs: number;
  leaseMs: number;
  limit: number;
  /**
   * > 0: a row last run by another replica is left to that replica until it is `affinityMs` overdue, and even
   * then taken only after this replica's own and new rows.
   */
  affinityMs?: number;
  /** Claim this one row (if live and free) instead of the due ones; waits for a row lock rather than skipping it. */
  only?: { customerId: string; id: string };
  /** Columns of the claimed row to return (snake_case), besides `prev_owner`: the replica whose expired lease was taken. */
  returning: readonly string[];
}

/**
 * One lease mechanism for every table of scheduled work (collection's integrations, API Gateway connections):
 * a claim marks due rows with a fresh token in one statement (two replicas never get the same row), a
 * heartbeat extends it, a write checks it under a row lock, and a release gives rows back at shutdown.
 */
export function leaseQueries(table: LeasedTable) {
  return {
    /** Claims live rows whose lease is free or expired (`opts.only`, or up to `limit` due ones); rows as `returning` names them. */
    async claim(db: DbOrTx, opts: ClaimOptions): Promise<Array<Record<string, unknown>>> {
      const now = new Date(opts.nowMs);
      const affinityMs = opts.affinityMs ?? 0;
      const othersDueBy = new Date(opts.nowMs - affinityMs);
      const which = opts.only ? sql`id = ${opts.only.id} AND customer_id = ${opts.only.customerId}` : sql`next_run_at <= ${now}`;
      const columns = sql.raw(opts.returning.map((c) => `leased.${c}`).join(', '));
      const res = await db.execute(sql`
        UPDATE ${table} AS leased
           SET lease_owner = ${opts.owner}, lease_token = gen_random_uuid(), lease_expires_at = ${new Date(opts.nowMs + opts.leaseMs)}
          FROM (
            SELECT id, lease_owner AS prev_owner
              FROM ${table}
             WHERE ${which} AND NOT disabled AND NOT in_trash
               AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
               ${affinityMs > 0 ? sql`AND (next_run_at <= ${othersDueBy} OR last_processor_id IS NULL OR last_processor_id = ${opts.owner})` : sql``}
             ORDER BY ${affinityMs > 0 ? sql`coalesce(last_processor_id <> ${opts.owner}, false), ` : sql``}next_run_at
             LIMIT ${opts.limit}
               FOR UPDATE ${opts.only ? sql`` : sql`SKIP LOCKED`}
          ) AS due
         WHERE leased.id = due.id
        RETURNING ${columns}, due.prev_owner`);
      return res.rows as Array<Record<string, unknown>>;
    },

    /** Extends a lease; false when it was lost (expired and taken, or the row is gone). */
    async heartbeat(db: DbOrTx, id: string, token: string, nowMs: number, leaseMs: number): Promise<boolean> {
      const res = await db.execute(sql`UPDATE ${table} SET lease_expires_at = ${new Date(nowMs + leaseMs)} WHERE id = ${id} AND lease_token = ${token}`);
      return (res.rowCount ?? 0) > 0;
    },

    /** Locks the row if this lease still holds it; false means another replica owns the work now. */
    async holdsLease(tx: Tx, id: string, token: string): Promise<boolean> {
      const res = await tx.execute(sql`SELECT 1 FROM ${table} WHERE id = ${id} AND lease_token = ${token} FOR UPDATE`);
      return res.rows.length > 0;
    },

    /** Gives back leases (graceful shutdown): the rows become claimable at once by any replica. */
    async release(db: DbOrTx, owner: string, ids?: string[]): Promise<number> {
      const res = await db.execute(sql`
        UPDATE ${table} SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
         WHERE lease_owner = ${owner} ${ids ? sql`AND id = ANY(${sql.param(ids)}::uuid[])` : sql``}`);
      return res.rowCount ?? 0;
    },
  };
}
