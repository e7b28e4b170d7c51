import { sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { collectorCursors, integrations, type IntegrationRow } from '../schema.ts';
import { and, eq } from 'drizzle-orm';
import type { IntegrationSettings } from '../../schemas/cloudIntegration.ts';
import type { DbOrTx, Tx } from '../tx.ts';

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
      const now = new Date(nowMs);
      const expires = new Date(nowMs + leaseMs);
      const othersDueBy = new Date(nowMs - affinityMs);
      const res = await db.execute(sql`
        UPDATE ${integrations} AS i
           SET lease_owner = ${owner}, lease_token = gen_random_uuid(), lease_expires_at = ${expires}
          FROM (
            SELECT id, lease_owner AS prev_owner
              FROM ${integrations}
             WHERE next_run_at <= ${now} AND NOT disabled AND NOT in_trash
               AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
               AND (next_run_at <= ${othersDueBy} OR last_processor_id IS NULL OR last_processor_id = ${owner})
             ORDER BY ${affinityMs > 0 ? sql`coalesce(last_processor_id <> ${owner}, false), ` : sql``}next_run_at
             LIMIT ${limit}
               FOR UPDATE SKIP LOCKED
          ) AS due
         WHERE i.id = due.id
        RETURNING i.id, i.customer_id, i.name, i.service, i.refresh_mins, i.config, i.additional_tags, i.role_arn,
                  i.external_id, i.next_run_at, i.lease_token, due.prev_owner, i.last_error_event, i.consecutive_failures`);
      return (res.rows as Record<string, unknown>[]).map((r) => ({
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
    async heartbeat(id: string, token: string, nowMs: number, leaseMs: number): Promise<boolean> {
      const res = await db.execute(sql`
        UPDATE ${integrations} SET lease_expires_at = ${new Date(nowMs + leaseMs)}
         WHERE id = ${id} AND lease_token = ${token}`);
      return (res.rowCount ?? 0) > 0;
    },

    /** Locks the row if this lease still holds it; false means another replica owns the run now. */
    async holdsLease(tx: Tx, id: string, token: string): Promise<boolean> {
      const res = await tx.execute(sql`SELECT 1 FROM ${integrations} WHERE id = ${id} AND lease_token = ${token} FOR UPDATE`);
      return res.rows.length > 0;
    },

    /** Gives back leases (graceful shutdown): the rows become claimable at once by any replica. */
    async release(owner: string, ids?: string[]): Promise<number> {
      const res = await db.execute(sql`
        UPDATE ${integrations} SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
         WHERE lease_owner = ${owner} ${ids ? sql`AND id = ANY(${sql.param(ids)}::uuid[])` : sql``}`);
      return res.rowCount ?? 0;
    },

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
        .set({ ...set, leaseOwner: null, leaseToken: null, leaseExpiresAt: null })
        .where(and(eq(integrations.id, id)));
    },
  };
}

export type SchedulerQueries = ReturnType<typeof schedulerQueries>;
