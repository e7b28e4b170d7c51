import { and, asc, count, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { integrations, type IntegrationRow } from '../schema.ts';

import type { DbOrTx, Tx } from '../tx.ts';
import { isUuid } from '../../lib/text.ts';

/** Ids are lowercase UUIDs; anything else cannot exist (and must not reach a uuid column). */
export const isIntegrationId = isUuid;

/**
 * The columns the API shows (src/services/api/integrationView.ts). API reads select only these: the tenant and the
 * scheduler's bookkeeping (lease, due time, failures, trash time) stay in the database.
 */
const {
  customerId: _customerId,
  trashedMs: _trashedMs,
  nextRunAt: _nextRunAt,
  leaseOwner: _leaseOwner,
  leaseToken: _leaseToken,
  leaseExpiresAt: _leaseExpiresAt,
  consecutiveFailures: _consecutiveFailures,
  ...viewColumns
} = getTableColumns(integrations);
export type IntegrationViewRow = Pick<IntegrationRow, keyof typeof viewColumns>;

export function integrationQueries(db: Db) {
  // The hottest read, prepared once per connection by PostgreSQL.
  const byIdStatement = db
    .select(viewColumns)
    .from(integrations)
    .where(and(eq(integrations.id, sql.placeholder('id')), eq(integrations.customerId, sql.placeholder('customerId'))))
    .prepare('integration_by_id');

  const liveCountStatement = db
    .select({ n: count() })
    .from(integrations)
    .where(and(eq(integrations.customerId, sql.placeholder('customerId')), eq(integrations.inTrash, false)))
    .prepare('integration_live_count');

  const livePageStatement = db
    .select(viewColumns)
    .from(integrations)
    .where(and(eq(integrations.customerId, sql.placeholder('customerId')), eq(integrations.inTrash, false)))
    .orderBy(asc(integrations.createdMs), asc(integrations.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare('integration_live_page');

  return {
    async findById(customerId: string, id: string): Promise<IntegrationViewRow | undefined> {
      if (!isIntegrationId(id)) return undefined;
      const [row] = await byIdStatement.execute({ id, customerId });
      return row;
    },

    /** Locks the row for the rest of the transaction. */
    async lockById(tx: Tx, customerId: string, id: string): Promise<IntegrationViewRow | undefined> {
      if (!isIntegrationId(id)) return undefined;
      const [row] = await tx
        .select(viewColumns)
        .from(integrations)
        .where(and(eq(integrations.id, id), eq(integrations.customerId, customerId)))
        .for('update');
      return row;
    },

    /** One page of live integrations in creation order, plus the total. */
    async listLive(customerId: string, offset: number, limit: number) {
      const [rows, [{ n }]] = await Promise.all([
        livePageStatement.execute({ customerId, offset, limit }),
        liveCountStatement.execute({ customerId }),
      ]);
      return { rows, total: n };
    },

    async insert(tx: DbOrTx, row: typeof integrations.$inferInsert): Promise<IntegrationViewRow> {
      const [stored] = await tx.insert(integrations).values(row).returning(viewColumns);
      return stored;
    },

    async update(tx: DbOrTx, customerId: string, id: string, set: Partial<typeof integrations.$inferInsert>) {
      const [row] = await tx
        .update(integrations)
        .set(set)
        .where(and(eq(integrations.id, id), eq(integrations.customerId, customerId)))
        .returning(viewColumns);
      return row as IntegrationViewRow | undefined;
    },

    async remove(tx: DbOrTx, customerId: string, id: string) {
      if (!isIntegrationId(id)) return undefined;
      const [row] = await tx
        .delete(integrations)
        .where(and(eq(integrations.id, id), eq(integrations.customerId, customerId)))
        .returning(viewColumns);
      return row as IntegrationViewRow | undefined;
    },

    /** Another integration of the customer that uses this external ID with a different role, if any. */
    async otherRoleForExternalId(tx: DbOrTx, customerId: string, externalId: string, roleArn: string, exceptId: string) {
      const [row] = await tx
        .select({ id: integrations.id, roleArn: integrations.roleArn })
        .from(integrations)
        .where(
          and(
            eq(integrations.customerId, customerId),
            eq(integrations.externalId, externalId),
            sql`${integrations.roleArn} <> ${roleArn}`,
            sql`${integrations.id} <> ${exceptId}`,
          ),
        )
        .limit(1);
      return row;
    },

    /** Deletes trashed integrations whose trash time is before `cutoffMs`; returns how many. */
    async purgeTrash(cutoffMs: number): Promise<number> {
      const rows = await db
        .delete(integrations)
        .where(and(eq(integrations.inTrash, true), sql`${integrations.trashedMs} < ${cutoffMs}`))
        .returning({ id: integrations.id });
      return rows.length;
    },

    /** Rows matching `where`, sorted, paged, with the total count. */
    async page(where: SQL | undefined, orderBy: SQL[], offset: number, limit: number) {
      const [rows, [{ n }]] = await Promise.all([
        db.select(viewColumns).from(integrations).where(where).orderBy(...orderBy).limit(limit).offset(offset),
        db.select({ n: count() }).from(integrations).where(where),
      ]);
      return { rows, total: n };
    },
  };
}

export type IntegrationQueries = ReturnType<typeof integrationQueries>;
