import { and, asc, count, eq, notInArray, sql, type SQL } from 'drizzle-orm';
import { apiGatewayUsagePlans as t, type ApiGatewayUsagePlanRow } from '../schema.ts';
import { isIntegrationId } from './integrations.ts';
import type { DbOrTx } from '../tx.ts';

export type UsagePlanInsert = typeof t.$inferInsert;

/** Every query of the apigateway_usage_plans table; each takes the database or a transaction. */
export const usagePlanQueries = {
  /** Replaces what one connection × region holds with the plans a sync just read (one transaction's work). */
  async replaceRegion(db: DbOrTx, connectionId: string, region: string, rows: UsagePlanInsert[]): Promise<void> {
    const here = and(eq(t.connectionId, connectionId), eq(t.region, region));
    const seen = rows.map((r) => r.awsUsagePlanId);
    await db.delete(t).where(seen.length > 0 ? and(here, notInArray(t.awsUsagePlanId, seen)) : here);
    if (rows.length === 0) return;
    await db
      .insert(t)
      .values(rows)
      .onConflictDoUpdate({
        target: [t.connectionId, t.region, t.awsUsagePlanId],
        set: {
          name: sql`excluded.name`,
          description: sql`excluded.description`,
          throttle: sql`excluded.throttle`,
          quota: sql`excluded.quota`,
          apiStages: sql`excluded.api_stages`,
          lastSeenMs: sql`excluded.last_seen_ms`,
        },
      });
  },

  async list(db: DbOrTx, customerId: string, filter: { connectionId?: string; region?: string }, offset: number, limit: number) {
    const conds: SQL[] = [eq(t.customerId, customerId)];
    if (filter.connectionId !== undefined) {
      if (!isIntegrationId(filter.connectionId)) return { rows: [] as ApiGatewayUsagePlanRow[], total: 0 };
      conds.push(eq(t.connectionId, filter.connectionId));
    }
    if (filter.region !== undefined) conds.push(eq(t.region, filter.region));
    const where = and(...conds);
    const rows = await db.select().from(t).where(where).orderBy(asc(t.name), asc(t.id)).offset(offset).limit(limit);
    const [{ n }] = await db.select({ n: count() }).from(t).where(where);
    return { rows, total: n };
  },

  /** The AWS ids of the plans covering each stage of one API (`stage` → plan ids), for the API view. */
  async byStage(db: DbOrTx, connectionId: string, region: string, awsApiId: string): Promise<Map<string, string[]>> {
    const res = await db.execute(sql`
      SELECT p.aws_usage_plan_id AS plan_id, s->>'stage' AS stage
        FROM ${t} AS p CROSS JOIN LATERAL jsonb_array_elements(p.api_stages) AS s
       WHERE p.connection_id = ${connectionId} AND p.region = ${region} AND s->>'apiId' = ${awsApiId}
       ORDER BY p.aws_usage_plan_id`);
    const rows = (res.rows as Array<{ plan_id: string; stage: string }>).map((r) => ({ planId: r.plan_id, stage: r.stage }));
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.stage, [...(out.get(r.stage) ?? []), r.planId]);
    return out;
  },
};
