import { eq } from 'drizzle-orm';
import { apiGatewayConnections } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';
import { LEASE_CLEARED, leaseQueries } from './leases.ts';

const t = apiGatewayConnections;
const leases = leaseQueries(t);

/** A connection this replica holds the sync lease of. */
export interface ClaimedConnection {
  id: string;
  customerId: string;
  leaseToken: string;
}

const claimed = (rows: Array<Record<string, unknown>>): ClaimedConnection[] =>
  rows.map((r) => ({ id: r.id as string, customerId: r.customer_id as string, leaseToken: r.lease_token as string }));
const RETURNING = ['id', 'customer_id', 'lease_token'];

/** The sync's leases on apigateway_connections: the one lease mechanism of db/queries/leases.ts. */
export const syncLeaseQueries = {
  /** Claims up to `limit` connections whose sync is due and whose lease is free or expired. */
  async claimDue(db: DbOrTx, owner: string, limit: number, nowMs: number, leaseMs: number): Promise<ClaimedConnection[]> {
    return claimed(await leases.claim(db, { owner, limit, nowMs, leaseMs, returning: RETURNING }));
  },

  /** Claims one connection now (POST …/sync), if it is live and nobody holds its lease. */
  async claimOne(db: DbOrTx, customerId: string, id: string, owner: string, nowMs: number, leaseMs: number): Promise<ClaimedConnection | undefined> {
    return claimed(await leases.claim(db, { owner, limit: 1, nowMs, leaseMs, only: { customerId, id }, returning: RETURNING }))[0];
  },

  heartbeat: leases.heartbeat,
  holdsLease: leases.holdsLease,

  /** Writes the outcome of a sync and clears the lease; call it after `holdsLease` in the same transaction. */
  async finish(tx: Tx, id: string, set: Partial<typeof t.$inferInsert>): Promise<void> {
    await tx.update(t).set({ ...set, ...LEASE_CLEARED }).where(eq(t.id, id));
  },
};
