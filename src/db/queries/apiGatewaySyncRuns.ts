import { and, count, desc, eq, lt, ne, sql } from 'drizzle-orm';
import { apiGatewaySyncRuns, type ApiGatewaySyncRunRow } from '../schema.ts';
import { isIntegrationId } from './integrations.ts';
import type { DbOrTx } from '../tx.ts';

export type SyncRunInsert = typeof apiGatewaySyncRuns.$inferInsert;

/** How many runs each connection keeps (SPEC-apigateway §1 row 6: at least the last 100). */
export const KEEP_RUNS = 100;

/** Every query of the apigateway_sync_runs table; each takes the database or a transaction. */
export const syncRunQueries = {
  async insert(db: DbOrTx, row: SyncRunInsert): Promise<ApiGatewaySyncRunRow> {
    const [stored] = await db.insert(apiGatewaySyncRuns).values(row).returning();
    return stored;
  },

  async update(db: DbOrTx, id: string, set: Partial<SyncRunInsert>): Promise<ApiGatewaySyncRunRow | undefined> {
    const [row] = await db.update(apiGatewaySyncRuns).set(set).where(eq(apiGatewaySyncRuns.id, id)).returning();
    return row;
  },

  async find(db: DbOrTx, customerId: string, connectionId: string, id: string): Promise<ApiGatewaySyncRunRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db
      .select()
      .from(apiGatewaySyncRuns)
      .where(and(eq(apiGatewaySyncRuns.id, id), eq(apiGatewaySyncRuns.connectionId, connectionId), eq(apiGatewaySyncRuns.customerId, customerId)));
    return row;
  },

  /** Newest first (ids are uuidv7, so they order like their queue times). */
  async list(db: DbOrTx, customerId: string, connectionId: string, offset: number, limit: number): Promise<{ rows: ApiGatewaySyncRunRow[]; total: number }> {
    const where = and(eq(apiGatewaySyncRuns.connectionId, connectionId), eq(apiGatewaySyncRuns.customerId, customerId));
    const rows = await db.select().from(apiGatewaySyncRuns).where(where).orderBy(desc(apiGatewaySyncRuns.id)).offset(offset).limit(limit);
    const [{ n }] = await db.select({ n: count() }).from(apiGatewaySyncRuns).where(where);
    return { rows, total: n };
  },

  /**
   * Ends, as FAILED, the runs of a connection still marked RUNNING other than `runningId`: called by the sync that
   * holds the connection's lease, so they belong to a replica that stopped (or could not record their end).
   */
  async endAbandoned(db: DbOrTx, connectionId: string, runningId: string, endedMs: number, error: string): Promise<number> {
    const ended = await db
      .update(apiGatewaySyncRuns)
      .set({ status: 'FAILED', endedMs, error })
      .where(and(eq(apiGatewaySyncRuns.connectionId, connectionId), eq(apiGatewaySyncRuns.status, 'RUNNING'), ne(apiGatewaySyncRuns.id, runningId)))
      .returning({ id: apiGatewaySyncRuns.id });
    return ended.length;
  },

  /** The oldest queued run of a connection, if any (the next one to execute). */
  async nextQueued(db: DbOrTx, connectionId: string): Promise<ApiGatewaySyncRunRow | undefined> {
    const [row] = await db
      .select()
      .from(apiGatewaySyncRuns)
      .where(and(eq(apiGatewaySyncRuns.connectionId, connectionId), eq(apiGatewaySyncRuns.status, 'QUEUED')))
      .orderBy(apiGatewaySyncRuns.id)
      .limit(1);
    return row;
  },

  /** Deletes all but the newest KEEP_RUNS runs of a connection. */
  async prune(db: DbOrTx, connectionId: string): Promise<void> {
    const [cut] = await db
      .select({ id: apiGatewaySyncRuns.id })
      .from(apiGatewaySyncRuns)
      .where(eq(apiGatewaySyncRuns.connectionId, connectionId))
      .orderBy(desc(apiGatewaySyncRuns.id))
      .offset(KEEP_RUNS - 1)
      .limit(1);
    if (!cut) return;
    await db.delete(apiGatewaySyncRuns).where(and(eq(apiGatewaySyncRuns.connectionId, connectionId), lt(apiGatewaySyncRuns.id, cut.id), sql`true`));
  },
};
