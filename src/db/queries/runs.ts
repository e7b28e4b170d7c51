import { and, count, desc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { collectionRuns, type CollectionRunRow } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';

export type RunInsert = Omit<typeof collectionRuns.$inferInsert, 'id'>;

/** Runs kept per integration; older ones are pruned when a run is recorded. */
export const RUNS_KEPT = 100;

/** Records a finished run and prunes the integration's history to the newest `keep` (inside the recording transaction). */
export async function insertRun(tx: Tx, run: RunInsert, keep = RUNS_KEPT): Promise<void> {
  await tx.insert(collectionRuns).values(run);
  await tx.execute(sql`
    DELETE FROM ${collectionRuns}
     WHERE integration_id = ${run.integrationId}
       AND id < (SELECT id FROM ${collectionRuns} WHERE integration_id = ${run.integrationId} ORDER BY id DESC OFFSET ${keep - 1} LIMIT 1)`);
}

export function runQueries(db: Db) {
  const scope = (customerId: string, integrationId: string) =>
    and(eq(collectionRuns.customerId, customerId), eq(collectionRuns.integrationId, integrationId));
  return {
    /** One page of an integration's runs, newest first, with the total. */
    async page(customerId: string, integrationId: string, offset: number, limit: number) {
      const where = scope(customerId, integrationId);
      const [rows, [{ n }]] = await Promise.all([
        db.select().from(collectionRuns).where(where).orderBy(desc(collectionRuns.id)).limit(limit).offset(offset),
        db.select({ n: count() }).from(collectionRuns).where(where),
      ]);
      return { rows, total: n };
    },

    /** The id of the newest run (0 when there is none). */
    async newestId(customerId: string, integrationId: string, tx: DbOrTx = db): Promise<number> {
      const [row] = await tx
        .select({ id: collectionRuns.id })
        .from(collectionRuns)
        .where(scope(customerId, integrationId))
        .orderBy(desc(collectionRuns.id))
        .limit(1);
      return row ? Number(row.id) : 0;
    },

    /** The oldest run recorded after run `afterId`, if any. */
    async firstAfter(customerId: string, integrationId: string, afterId: number): Promise<CollectionRunRow | undefined> {
      const [row] = await db
        .select()
        .from(collectionRuns)
        .where(and(scope(customerId, integrationId), gt(collectionRuns.id, afterId)))
        .orderBy(collectionRuns.id)
        .limit(1);
      return row;
    },

    /** The newest run that carries a discovery plan (a CloudWatch run that got past discovery). */
    async newestWithPlan(customerId: string, integrationId: string): Promise<CollectionRunRow | undefined> {
      const [row] = await db
        .select()
        .from(collectionRuns)
        .where(and(scope(customerId, integrationId), isNotNull(collectionRuns.plan)))
        .orderBy(desc(collectionRuns.id))
        .limit(1);
      return row;
    },

    /** The newest run of any kind. */
    async newest(customerId: string, integrationId: string): Promise<CollectionRunRow | undefined> {
      const [row] = await db.select().from(collectionRuns).where(scope(customerId, integrationId)).orderBy(desc(collectionRuns.id)).limit(1);
      return row;
    },
  };
}

export type RunQueries = ReturnType<typeof runQueries>;
