import { and, asc, count, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import {
  apiGatewayApis,
  apiGatewayChanges,
  apiGatewayEndpoints,
  apiGatewayExports,
  apiGatewayStages,
  type ApiGatewayApiRow,
  type ApiGatewayChangeRow,
  type ApiGatewayEndpointRow,
  type ApiGatewayStageRow,
} from '../schema.ts';
import { isIntegrationId } from './integrations.ts';
import type { DbOrTx } from '../tx.ts';

export type ApiInsert = typeof apiGatewayApis.$inferInsert;
export type StageInsert = typeof apiGatewayStages.$inferInsert;
export type EndpointInsert = typeof apiGatewayEndpoints.$inferInsert;
export type ChangeInsert = typeof apiGatewayChanges.$inferInsert;

export interface ApiListFilter {
  connectionId?: string;
  region?: string;
  protocolType?: string;
  status?: string;
  /** Case-insensitive substring of the name. */
  name?: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Every query of the API Gateway inventory tables; each takes the database or a transaction. */
export const inventoryQueries = {
  /** The stored inventory of one connection × region, removed things included (the sync diffs against it). */
  async stateOf(db: DbOrTx, connectionId: string, region: string) {
    const apis = await db
      .select()
      .from(apiGatewayApis)
      .where(and(eq(apiGatewayApis.connectionId, connectionId), eq(apiGatewayApis.region, region)));
    const ids = apis.map((a) => a.id);
    if (ids.length === 0) return { apis, stages: [] as ApiGatewayStageRow[], endpoints: [] as ApiGatewayEndpointRow[] };
    const stages = await db.select().from(apiGatewayStages).where(inArray(apiGatewayStages.apiId, ids));
    const endpoints = await db.select().from(apiGatewayEndpoints).where(inArray(apiGatewayEndpoints.apiId, ids));
    return { apis, stages, endpoints };
  },

  async upsertApis(db: DbOrTx, rows: ApiInsert[]) {
    if (rows.length === 0) return;
    await db
      .insert(apiGatewayApis)
      .values(rows)
      .onConflictDoUpdate({
        target: apiGatewayApis.id,
        set: {
          name: sql`excluded.name`,
          description: sql`excluded.description`,
          version: sql`excluded.version`,
          tags: sql`excluded.tags`,
          endpointType: sql`excluded.endpoint_type`,
          status: sql`excluded.status`,
          lastSeenMs: sql`excluded.last_seen_ms`,
          removedMs: sql`excluded.removed_ms`,
        },
      });
  },

  async upsertStages(db: DbOrTx, rows: StageInsert[]) {
    if (rows.length === 0) return;
    await db
      .insert(apiGatewayStages)
      .values(rows)
      .onConflictDoUpdate({
        target: [apiGatewayStages.apiId, apiGatewayStages.name],
        set: {
          deploymentId: sql`excluded.deployment_id`,
          lastUpdatedMs: sql`excluded.last_updated_ms`,
          specSource: sql`excluded.spec_source`,
          specSha256: sql`excluded.spec_sha256`,
          endpointCount: sql`excluded.endpoint_count`,
          accessLog: sql`excluded.access_log`,
          status: sql`excluded.status`,
          lastSeenMs: sql`excluded.last_seen_ms`,
          removedMs: sql`excluded.removed_ms`,
        },
      });
  },

  async upsertEndpoints(db: DbOrTx, rows: EndpointInsert[]) {
    if (rows.length === 0) return;
    await db
      .insert(apiGatewayEndpoints)
      .values(rows)
      .onConflictDoUpdate({
        target: [apiGatewayEndpoints.apiId, apiGatewayEndpoints.stage, apiGatewayEndpoints.method, apiGatewayEndpoints.path],
        set: {
          operationId: sql`excluded.operation_id`,
          apiKeyRequired: sql`excluded.api_key_required`,
          authorizationType: sql`excluded.authorization_type`,
          classification: sql`excluded.classification`,
          lastSeenMs: sql`excluded.last_seen_ms`,
          removedMs: sql`excluded.removed_ms`,
        },
      });
  },

  /** Stores an export's bytes once per customer; identical bytes already stored are left as they are. */
  async storeExports(db: DbOrTx, rows: Array<{ customerId: string; sha256: string; body: string; createdMs: number }>) {
    if (rows.length === 0) return;
    await db.insert(apiGatewayExports).values(rows).onConflictDoNothing();
  },

  async insertChanges(db: DbOrTx, rows: ChangeInsert[]) {
    for (let i = 0; i < rows.length; i += 2_000) await db.insert(apiGatewayChanges).values(rows.slice(i, i + 2_000));
  },

  /** Live APIs and endpoints of a connection (its `apiCount` and `endpointCount`). */
  async countsOf(db: DbOrTx, connectionId: string): Promise<{ apis: number; endpoints: number }> {
    const [a] = await db
      .select({ n: count() })
      .from(apiGatewayApis)
      .where(and(eq(apiGatewayApis.connectionId, connectionId), eq(apiGatewayApis.status, 'ACTIVE')));
    const [e] = await db
      .select({ n: count() })
      .from(apiGatewayEndpoints)
      .innerJoin(apiGatewayApis, eq(apiGatewayApis.id, apiGatewayEndpoints.apiId))
      .where(and(eq(apiGatewayApis.connectionId, connectionId), eq(apiGatewayApis.status, 'ACTIVE'), sql`${apiGatewayEndpoints.removedMs} IS NULL`));
    return { apis: a.n, endpoints: e.n };
  },

  async listApis(db: DbOrTx, customerId: string, filter: ApiListFilter, offset: number, limit: number): Promise<{ rows: ApiGatewayApiRow[]; total: number }> {
    const conds: SQL[] = [eq(apiGatewayApis.customerId, customerId)];
    if (filter.connectionId !== undefined) {
      if (!isIntegrationId(filter.connectionId)) return { rows: [], total: 0 };
      conds.push(eq(apiGatewayApis.connectionId, filter.connectionId));
    }
    if (filter.region !== undefined) conds.push(eq(apiGatewayApis.region, filter.region));
    if (filter.protocolType !== undefined) conds.push(eq(apiGatewayApis.protocolType, filter.protocolType));
    if (filter.status !== undefined) conds.push(eq(apiGatewayApis.status, filter.status));
    if (filter.name !== undefined) conds.push(ilike(apiGatewayApis.name, `%${escapeLike(filter.name)}%`));
    const where = and(...conds);
    const rows = await db.select().from(apiGatewayApis).where(where).orderBy(asc(apiGatewayApis.name), asc(apiGatewayApis.id)).offset(offset).limit(limit);
    const [{ n }] = await db.select({ n: count() }).from(apiGatewayApis).where(where);
    return { rows, total: n };
  },

  async findApi(db: DbOrTx, customerId: string, id: string): Promise<ApiGatewayApiRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db.select().from(apiGatewayApis).where(and(eq(apiGatewayApis.id, id), eq(apiGatewayApis.customerId, customerId)));
    return row;
  },

  async stagesOf(db: DbOrTx, apiId: string): Promise<ApiGatewayStageRow[]> {
    return db.select().from(apiGatewayStages).where(eq(apiGatewayStages.apiId, apiId)).orderBy(asc(apiGatewayStages.name));
  },

  async listEndpoints(
    db: DbOrTx,
    apiId: string,
    filter: { stage?: string; classification?: string },
    offset: number,
    limit: number,
  ): Promise<{ rows: ApiGatewayEndpointRow[]; total: number }> {
    const conds: SQL[] = [eq(apiGatewayEndpoints.apiId, apiId)];
    if (filter.stage !== undefined) conds.push(eq(apiGatewayEndpoints.stage, filter.stage));
    if (filter.classification !== undefined) conds.push(eq(apiGatewayEndpoints.classification, filter.classification));
    const where = and(...conds);
    const rows = await db
      .select()
      .from(apiGatewayEndpoints)
      .where(where)
      .orderBy(asc(apiGatewayEndpoints.stage), asc(apiGatewayEndpoints.path), asc(apiGatewayEndpoints.method))
      .offset(offset)
      .limit(limit);
    const [{ n }] = await db.select({ n: count() }).from(apiGatewayEndpoints).where(where);
    return { rows, total: n };
  },

  /** The stored export of one stage: its bytes and their sha256 (the ETag). */
  async exportOf(db: DbOrTx, customerId: string, apiId: string, stage: string): Promise<{ sha256: string; body: string } | undefined> {
    const [row] = await db
      .select({ sha256: apiGatewayExports.sha256, body: apiGatewayExports.body })
      .from(apiGatewayStages)
      .innerJoin(apiGatewayExports, and(eq(apiGatewayExports.customerId, customerId), eq(apiGatewayExports.sha256, apiGatewayStages.specSha256)))
      .where(and(eq(apiGatewayStages.apiId, apiId), eq(apiGatewayStages.name, stage)));
    return row;
  },

  async listChanges(db: DbOrTx, apiId: string, offset: number, limit: number): Promise<{ rows: ApiGatewayChangeRow[]; total: number }> {
    const where = eq(apiGatewayChanges.apiId, apiId);
    const rows = await db.select().from(apiGatewayChanges).where(where).orderBy(desc(apiGatewayChanges.id)).offset(offset).limit(limit);
    const [{ n }] = await db.select({ n: count() }).from(apiGatewayChanges).where(where);
    return { rows, total: n };
  },
};
