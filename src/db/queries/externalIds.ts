import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { externalIds, type ExternalIdRow } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';

export function externalIdQueries(db: Db) {
  return {
    async insert(row: typeof externalIds.$inferInsert) {
      await db.insert(externalIds).values(row);
    },

    async find(customerId: string, value: string, tx: DbOrTx = db): Promise<ExternalIdRow | undefined> {
      const [row] = await tx
        .select()
        .from(externalIds)
        .where(and(eq(externalIds.value, value), eq(externalIds.customerId, customerId)));
      return row;
    },

    async lock(tx: Tx, customerId: string, value: string): Promise<ExternalIdRow | undefined> {
      const [row] = await tx
        .select()
        .from(externalIds)
        .where(and(eq(externalIds.value, value), eq(externalIds.customerId, customerId)))
        .for('update');
      return row;
    },

    async bind(tx: DbOrTx, value: string, roleArn: string, nowMs: number) {
      await tx
        .update(externalIds)
        .set({ roleArn, usedMs: sql`coalesce(${externalIds.usedMs}, ${nowMs})` })
        .where(eq(externalIds.value, value));
    },

    async markDeleted(customerId: string, value: string, nowMs: number): Promise<boolean> {
      const rows = await db
        .update(externalIds)
        .set({ deletedMs: nowMs })
        .where(and(eq(externalIds.value, value), eq(externalIds.customerId, customerId), isNull(externalIds.deletedMs)))
        .returning({ value: externalIds.value });
      return rows.length > 0;
    },

    /** Removes IDs that expired unused, or were deleted, before `cutoffMs`. */
    async purge(cutoffMs: number): Promise<number> {
      const rows = await db
        .delete(externalIds)
        .where(
          sql`(${externalIds.usedMs} IS NULL AND ${externalIds.expiresMs} < ${cutoffMs}) OR ${externalIds.deletedMs} < ${cutoffMs}`,
        )
        .returning({ value: externalIds.value });
      return rows.length;
    },
  };
}

export type ExternalIdQueries = ReturnType<typeof externalIdQueries>;
