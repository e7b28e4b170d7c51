import { sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { collectorCursors, integrations, type IntegrationRow } from '../schema.ts';
import { and, eq } from 'drizzle-orm';
import type { IntegrationSettings } from '../../schemas/cloudIntegration.ts';
import type { DbOrTx, Tx } from '../tx.ts';
import { LEASE_CLEARED, leaseQueries } from './leases.ts';

/** A due integration this replica now holds a lease on: the row's columns a run needs, and the lease. */
export type ClaimedRun = Pick<
  IntegrationRow,
  'id' | 'customerId' | 'name' | 'refreshMins' | 'additionalTags' | 'roleArn' | 'externalId' | 'lastErrorEvent' | 'consecutiveFailures'
> &
  IntegrationSettings & {
    dueMs: number;
    leaseToken: string;
    /** The replica whose expired lease this claim took over, if any. */
    tookOverFrom: string | null;
  };

const leases = leaseQueries(integrations);
const CLAIMED_COLUMNS = [
  'id', 'customer_id', 'name', 'service', 'refresh_mins', 'config', 'additional_tags', 'role_arn',
  'external_id', 'next_run_at', 'lease_token', 'last_error_event', 'consecutive_failures',
];

export function schedulerQueries(db: Db) {
  return {
    /**
     * Claims up to `limit` due integrations in one statement: the inner SELECT picks collectable rows whose
     * lease is free or expired, skipping rows another replica is claiming right now; the UPDATE marks them
     * with this replica's lease in the same statement, so two replicas never get the same row.
     * With `affinityMs` > 0, a row last run by another replica is left to that replica until it is `affinityMs`
     * overdue (that replica is gone or saturated), and even then taken only after this replica's own and new rows:
     * an integration stays on the replica that holds its assumed-role credentials and ListMetrics listing instead
     * of every replica assuming every role (and, behind on work, replicas do not trade their backlogs).
     */
    async claimDue(owner: string, limit: number, nowMs: number, leaseMs: number, affinityMs = 0): Promise<ClaimedRun[]> {
      const rows = await leases.claim(db, { owner, limit, nowMs, leaseMs, affinityMs, returning: CLAIMED_COLUMNS });
      return rows.map((r) => ({
        id: r.id as string,
        customerId: r.customer_id as string,
        name: r.name as string,
        // The service and its configuration as the API checked and stored them.
        ...({ service: r.service, config: r.config } as IntegrationSettings),
        refreshMins: r.refresh_mins as number,
        additionalTags: (r.additional_tags as Record<string, string> | null) ?? null,
        roleArn: r.role_arn as string,
        externalId: r.external_id as string,
        dueMs: new Date(r.next_run_at as string).getTime(),
        leaseToken: r.lease_token as string,
        tookOverFrom: (r.prev_owner as string | null) ?? null,
        lastErrorEvent: (r.last_error_event as Record<string, unknown> | null) ?? null,
        consecutiveFailures: r.consecutive_failures as number,
      }));
    },

    /** Extends a lease; false when it was lost (expired and taken, or the row is gone). */
    heartbeat: (id: string, token: string, nowMs: number, leaseMs: number): Promise<boolean> => leases.heartbeat(db, id, token, nowMs, leaseMs),

    /** Locks the row if this lease still holds it; false means another replica owns the run now. */
    holdsLease: (tx: Tx, id: string, token: string): Promise<boolean> => leases.holdsLease(tx, id, token),

    /** Gives back leases (graceful shutdown): the rows become claimable at once by any replica. */
    release: (owner: string, ids?: string[]): Promise<number> => leases.release(db, owner, ids),

    async cursors(integrationId: string, tx: DbOrTx = db): Promise<Map<string, string>> {
      const rows = await tx
        .select({ scope: collectorCursors.scope, position: collectorCursors.position })
        .from(collectorCursors)
        .where(eq(collectorCursors.integrationId, integrationId));
      return new Map(rows.map((r) => [r.scope, r.position]));
    },

    async saveCursors(tx: Tx, integrationId: string, cursors: Map<string, string>, nowMs: number) {
      if (cursors.size === 0) return;
      await tx
        .insert(collectorCursors)
        .values([...cursors].map(([scope, position]) => ({ integrationId, scope, position, updatedMs: nowMs })))
        .onConflictDoUpdate({
          target: [collectorCursors.integrationId, collectorCursors.scope],
          set: { position: sql`excluded.position`, updatedMs: sql`excluded.updated_ms` },
        });
    },

    /** Writes the outcome of a run and hands the row back to the schedule (lease cleared). */
    async finish(tx: Tx, id: string, set: Partial<typeof integrations.$inferInsert>) {
      await tx
        .update(integrations)
        .set({ ...set, ...LEASE_CLEARED })
        .where(and(eq(integrations.id, id)));
    },
  };
}

export type SchedulerQueries = ReturnType<typeof schedulerQueries>;
