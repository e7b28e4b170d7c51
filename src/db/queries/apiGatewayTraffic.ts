import { and, eq, lt, sql } from 'drizzle-orm';
import { apiGatewayTrafficCursors, apiGatewayTrafficSeen } from '../schema.ts';
import type { DbOrTx, Tx } from '../tx.ts';

/** Where a log group's reading is kept: one connection × region × log group. */
export interface LogGroupScope {
  connectionId: string;
  region: string;
  logGroup: string;
}

export interface RegionStageRow {
  apiId: string;
  awsApiId: string;
  apiName: string;
  protocolType: string;
  stage: string;
  accessLog: { destinationArn: string | null; format: string | null } | null;
}

export interface EndpointTouch {
  apiId: string;
  stage: string;
  method: string;
  path: string;
  lastTrafficMs: number;
}

export interface MinuteAdd {
  endpointId: number;
  minuteMs: number;
  status: number;
  apiKeyId: string;
  requests: number;
  bytes: number;
  latency: readonly number[];
}

/** Counters summed over a window, with the histogram as sparse (bucket, count) pairs. */
export interface SummedRow {
  endpointId: number;
  method: string;
  path: string;
  status: number;
  apiKeyId: string;
  requests: number;
  bytes: number;
  buckets: number[];
  counts: number[];
}

const scopeOf = (t: typeof apiGatewayTrafficCursors | typeof apiGatewayTrafficSeen, s: LogGroupScope) =>
  and(eq(t.connectionId, s.connectionId), eq(t.region, s.region), eq(t.logGroup, s.logGroup));

const intArrayLiteral = (a: readonly number[]) => `{${a.join(',')}}`;

/** Every query of the traffic tables (SPEC-apigateway §5); each takes the database or a transaction. */
export const trafficQueries = {
  /** The live stages of a connection × region with their APIs and access-log settings. */
  async regionStages(db: DbOrTx, connectionId: string, region: string): Promise<RegionStageRow[]> {
    const res = await db.execute<{ api_id: string; aws_api_id: string; name: string; protocol_type: string; stage: string; access_log: RegionStageRow['accessLog'] }>(sql`
      SELECT a.id AS api_id, a.aws_api_id, a.name, a.protocol_type, s.name AS stage, s.access_log
        FROM apigateway_apis a JOIN apigateway_stages s ON s.api_id = a.id
       WHERE a.connection_id = ${connectionId} AND a.region = ${region} AND a.status = 'ACTIVE' AND s.status = 'ACTIVE'
       ORDER BY a.id, s.name`);
    return res.rows.map((r) => ({ apiId: r.api_id, awsApiId: r.aws_api_id, apiName: r.name, protocolType: r.protocol_type, stage: r.stage, accessLog: r.access_log }));
  },

  /** The live endpoints of these APIs. */
  async liveEndpoints(db: DbOrTx, apiIds: string[]): Promise<Array<{ apiId: string; stage: string; method: string; path: string }>> {
    if (apiIds.length === 0) return [];
    const res = await db.execute<{ api_id: string; stage: string; method: string; path: string }>(sql`
      SELECT api_id, stage, method, path FROM apigateway_endpoints
       WHERE api_id = ANY(${sql.param(apiIds)}::uuid[]) AND removed_ms IS NULL`);
    return res.rows.map((r) => ({ apiId: r.api_id, stage: r.stage, method: r.method, path: r.path }));
  },

  async cursorOf(db: DbOrTx, s: LogGroupScope): Promise<number | undefined> {
    const [row] = await db.select({ p: apiGatewayTrafficCursors.positionMs }).from(apiGatewayTrafficCursors).where(scopeOf(apiGatewayTrafficCursors, s));
    return row?.p;
  },

  /** The cursor, locked for the rest of the transaction (the commit compares it with the one the read started from). */
  async lockCursor(tx: Tx, s: LogGroupScope): Promise<number | undefined> {
    const [row] = await tx.select({ p: apiGatewayTrafficCursors.positionMs }).from(apiGatewayTrafficCursors).where(scopeOf(apiGatewayTrafficCursors, s)).for('update');
    return row?.p;
  },

  async seenIds(db: DbOrTx, s: LogGroupScope): Promise<Set<string>> {
    const rows = await db.select({ id: apiGatewayTrafficSeen.eventId }).from(apiGatewayTrafficSeen).where(scopeOf(apiGatewayTrafficSeen, s));
    return new Set(rows.map((r) => r.id));
  },

  /** Forgets ids older than `keepFrom` and stores the new ones. */
  async replaceSeen(tx: Tx, s: LogGroupScope, keepFrom: number, ids: ReadonlyArray<{ eventId: string; ts: number }>): Promise<void> {
    await tx.delete(apiGatewayTrafficSeen).where(and(scopeOf(apiGatewayTrafficSeen, s), lt(apiGatewayTrafficSeen.ts, keepFrom)));
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      await tx.execute(sql`
        INSERT INTO apigateway_traffic_seen (connection_id, region, log_group, event_id, ts)
        SELECT ${s.connectionId}, ${s.region}, ${s.logGroup}, u.id, u.ts
          FROM unnest(${sql.param(chunk.map((c) => c.eventId))}::text[], ${sql.param(chunk.map((c) => c.ts))}::bigint[]) AS u(id, ts)
        ON CONFLICT DO NOTHING`);
    }
  },

  async saveCursor(tx: Tx, s: LogGroupScope, positionMs: number, add: { lines: number; unparseable: number; unattributed: number }, nowMs: number): Promise<void> {
    await tx.execute(sql`
      INSERT INTO apigateway_traffic_cursors (connection_id, region, log_group, position_ms, lines, unparseable, unattributed, updated_ms)
      VALUES (${s.connectionId}, ${s.region}, ${s.logGroup}, ${positionMs}, ${add.lines}, ${add.unparseable}, ${add.unattributed}, ${nowMs})
      ON CONFLICT (connection_id, region, log_group) DO UPDATE
        SET position_ms = excluded.position_ms,
            lines = apigateway_traffic_cursors.lines + excluded.lines,
            unparseable = apigateway_traffic_cursors.unparseable + excluded.unparseable,
            unattributed = apigateway_traffic_cursors.unattributed + excluded.unattributed,
            updated_ms = excluded.updated_ms`);
  },

  /**
   * The endpoints traffic was seen on, with their ids: a path no live endpoint has becomes a SHADOW endpoint (a
   * removed one comes back as SHADOW), `last_traffic_ms` moves forward, and an UNUSED endpoint is DOCUMENTED again.
   */
  async touchEndpoints(tx: Tx, rows: EndpointTouch[], nowMs: number): Promise<Array<EndpointTouch & { id: number }>> {
    if (rows.length === 0) return [];
    const sorted = [...rows].sort((a, b) => (a.apiId + a.stage + a.method + a.path < b.apiId + b.stage + b.method + b.path ? -1 : 1));
    const res = await tx.execute<{ id: number; api_id: string; stage: string; method: string; path: string; last_traffic_ms: number }>(sql`
      INSERT INTO apigateway_endpoints AS e (api_id, stage, method, path, operation_id, api_key_required, authorization_type, classification,
                                             first_seen_ms, last_seen_ms, last_traffic_ms, removed_ms)
      SELECT u.api_id, u.stage, u.method, u.path, NULL, false, 'NONE', 'SHADOW', ${nowMs}, ${nowMs}, u.t, NULL
        FROM unnest(${sql.param(sorted.map((r) => r.apiId))}::uuid[], ${sql.param(sorted.map((r) => r.stage))}::text[],
                    ${sql.param(sorted.map((r) => r.method))}::text[], ${sql.param(sorted.map((r) => r.path))}::text[],
                    ${sql.param(sorted.map((r) => r.lastTrafficMs))}::bigint[]) AS u(api_id, stage, method, path, t)
      ON CONFLICT (api_id, stage, method, path) DO UPDATE
        SET last_traffic_ms = greatest(e.last_traffic_ms, excluded.last_traffic_ms),
            classification = CASE WHEN e.removed_ms IS NOT NULL THEN 'SHADOW' WHEN e.classification = 'UNUSED' THEN 'DOCUMENTED' ELSE e.classification END,
            last_seen_ms = CASE WHEN e.removed_ms IS NOT NULL THEN excluded.last_seen_ms ELSE e.last_seen_ms END,
            removed_ms = NULL
      RETURNING e.id, e.api_id, e.stage, e.method, e.path, e.last_traffic_ms`);
    return res.rows.map((r) => ({ id: Number(r.id), apiId: r.api_id, stage: r.stage, method: r.method, path: r.path, lastTrafficMs: Number(r.last_traffic_ms) }));
  },

  /** Adds counters to their minutes (histograms bucket by bucket; an empty one adds nothing). */
  async addMinutes(tx: Tx, rows: MinuteAdd[]): Promise<void> {
    const sorted = [...rows].sort((a, b) => a.endpointId - b.endpointId || a.minuteMs - b.minuteMs || a.status - b.status || (a.apiKeyId < b.apiKeyId ? -1 : 1));
    for (let i = 0; i < sorted.length; i += 5_000) {
      const c = sorted.slice(i, i + 5_000);
      await tx.execute(sql`
        INSERT INTO apigateway_traffic_minutes AS m (endpoint_id, minute_ms, status, api_key_id, requests, bytes, latency)
        SELECT u.e, u.t, u.s, u.k, u.r, u.b, u.l::int[]
          FROM unnest(${sql.param(c.map((r) => r.endpointId))}::bigint[], ${sql.param(c.map((r) => r.minuteMs))}::bigint[],
                      ${sql.param(c.map((r) => r.status))}::int[], ${sql.param(c.map((r) => r.apiKeyId))}::text[],
                      ${sql.param(c.map((r) => r.requests))}::bigint[], ${sql.param(c.map((r) => r.bytes))}::bigint[],
                      ${sql.param(c.map((r) => intArrayLiteral(r.latency)))}::text[]) AS u(e, t, s, k, r, b, l)
        ON CONFLICT (endpoint_id, minute_ms, status, api_key_id) DO UPDATE
          SET requests = m.requests + excluded.requests,
              bytes = m.bytes + excluded.bytes,
              latency = CASE
                WHEN cardinality(excluded.latency) = 0 THEN m.latency
                WHEN cardinality(m.latency) = 0 THEN excluded.latency
                ELSE ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(m.latency, excluded.latency) WITH ORDINALITY AS x(a, b, i) ORDER BY i)
              END`);
    }
  },

  /** Every status × API key row of these endpoint minutes, as stored now (after this commit's additions). */
  async minutesOf(tx: DbOrTx, keys: ReadonlyArray<{ endpointId: number; minuteMs: number }>) {
    if (keys.length === 0) return [];
    const res = await tx.execute<{ endpoint_id: number; minute_ms: number; status: number; requests: number; bytes: number; latency: number[] }>(sql`
      SELECT m.endpoint_id, m.minute_ms, m.status, m.requests, m.bytes, m.latency
        FROM apigateway_traffic_minutes m
        JOIN unnest(${sql.param(keys.map((k) => k.endpointId))}::bigint[], ${sql.param(keys.map((k) => k.minuteMs))}::bigint[]) AS u(e, t)
          ON m.endpoint_id = u.e AND m.minute_ms = u.t`);
    return res.rows.map((r) => ({ endpointId: Number(r.endpoint_id), minuteMs: Number(r.minute_ms), status: r.status, requests: Number(r.requests), bytes: Number(r.bytes), latency: r.latency }));
  },

  /**
   * DOCUMENTED endpoints of these stages with no traffic since `cutoffMs` (nor since they were first seen)
   * become UNUSED. Returns how many.
   */
  async markUnused(tx: Tx, stages: ReadonlyArray<{ apiId: string; stage: string }>, cutoffMs: number): Promise<number> {
    if (stages.length === 0) return 0;
    const res = await tx.execute(sql`
      UPDATE apigateway_endpoints e SET classification = 'UNUSED'
        FROM unnest(${sql.param(stages.map((s) => s.apiId))}::uuid[], ${sql.param(stages.map((s) => s.stage))}::text[]) AS u(api_id, stage)
       WHERE e.api_id = u.api_id AND e.stage = u.stage AND e.classification = 'DOCUMENTED' AND e.removed_ms IS NULL
         AND coalesce(e.last_traffic_ms, e.first_seen_ms) < ${cutoffMs} AND e.first_seen_ms < ${cutoffMs}`);
    return res.rowCount ?? 0;
  },

  /** Counters of one API stage over [startMs, endMs] summed per endpoint × status × API key. */
  async summed(db: DbOrTx, apiId: string, stage: string | undefined, startMs: number, endMs: number): Promise<SummedRow[]> {
    const stageFilter = stage !== undefined ? sql`AND e.stage = ${stage}` : sql``;
    const res = await db.execute<{ endpoint_id: number; method: string; path: string; status: number; api_key_id: string; requests: number; bytes: number; buckets: number[] | null; counts: number[] | null }>(sql`
      WITH m AS (
        SELECT m.* FROM apigateway_traffic_minutes m JOIN apigateway_endpoints e ON e.id = m.endpoint_id
         WHERE e.api_id = ${apiId} ${stageFilter} AND m.minute_ms BETWEEN ${startMs} AND ${endMs}
      ), sums AS (
        SELECT endpoint_id, status, api_key_id, sum(requests) AS requests, sum(bytes) AS bytes FROM m GROUP BY 1, 2, 3
      ), hist AS (
        SELECT endpoint_id, status, api_key_id, array_agg(i ORDER BY i) AS buckets, array_agg(n ORDER BY i) AS counts
          FROM (SELECT m.endpoint_id, m.status, m.api_key_id, x.i::int AS i, sum(x.n)::bigint AS n
                  FROM m, unnest(m.latency) WITH ORDINALITY AS x(n, i) WHERE x.n > 0 GROUP BY 1, 2, 3, 4) z
         GROUP BY 1, 2, 3
      )
      SELECT s.endpoint_id, e.method, e.path, s.status, s.api_key_id, s.requests, s.bytes, h.buckets, h.counts
        FROM sums s JOIN apigateway_endpoints e ON e.id = s.endpoint_id
        LEFT JOIN hist h ON h.endpoint_id = s.endpoint_id AND h.status = s.status AND h.api_key_id = s.api_key_id
       ORDER BY e.path, e.method, s.status, s.api_key_id`);
    return res.rows.map((r) => ({
      endpointId: Number(r.endpoint_id),
      method: r.method,
      path: r.path,
      status: r.status,
      apiKeyId: r.api_key_id,
      requests: Number(r.requests),
      bytes: Number(r.bytes),
      buckets: (r.buckets ?? []).map(Number),
      counts: (r.counts ?? []).map(Number),
    }));
  },

  /** The endpoints of a stage that had traffic (in the kept minutes), with the status codes seen. */
  async observed(db: DbOrTx, apiId: string, stage: string): Promise<Array<{ method: string; path: string; operationId: string | null; statuses: number[] }>> {
    const res = await db.execute<{ method: string; path: string; operation_id: string | null; statuses: number[] }>(sql`
      SELECT e.method, e.path, e.operation_id, array_agg(DISTINCT m.status ORDER BY m.status) AS statuses
        FROM apigateway_endpoints e JOIN apigateway_traffic_minutes m ON m.endpoint_id = e.id
       WHERE e.api_id = ${apiId} AND e.stage = ${stage}
       GROUP BY e.id ORDER BY e.path, e.method`);
    return res.rows.map((r) => ({ method: r.method, path: r.path, operationId: r.operation_id, statuses: r.statuses.map(Number) }));
  },

  /** Requests per UTC day with these API keys over a connection's APIs in one region, [startMs, endMs]; days without any are left out. */
  async usageByApiKeys(
    db: DbOrTx,
    customerId: string,
    connectionId: string,
    region: string,
    apiKeyIds: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Array<{ dayMs: number; requests: number }>> {
    if (apiKeyIds.length === 0) return [];
    // Driven from the key: an AWS key id belongs to one account, so its minutes (the partial key index) are few
    // next to the connection's; starting from the connection's endpoints would read every key's minutes.
    const res = await db.execute<{ day: number; requests: number }>(sql`
      WITH keyed AS MATERIALIZED (
        SELECT m.endpoint_id, m.minute_ms, m.requests FROM apigateway_traffic_minutes m
         WHERE m.api_key_id <> '' AND m.api_key_id = ANY(${sql.param([...apiKeyIds])}::text[])
           AND m.minute_ms BETWEEN ${startMs} AND ${endMs})
      SELECT (k.minute_ms / 86400000) * 86400000 AS day, sum(k.requests) AS requests
        FROM keyed k
        JOIN apigateway_endpoints e ON e.id = k.endpoint_id
        JOIN apigateway_apis a ON a.id = e.api_id
       WHERE a.customer_id = ${customerId} AND a.connection_id = ${connectionId} AND a.region = ${region}
       GROUP BY 1 ORDER BY 1`);
    return res.rows.map((r) => ({ dayMs: Number(r.day), requests: Number(r.requests) }));
  },

  /** Retention: deletes minutes before `cutoffMs` in batches (rows others hold are skipped), like points. */
  async deleteMinutesOlderThan(db: DbOrTx, cutoffMs: number, batchSize: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const res = await db.execute(sql`
        DELETE FROM apigateway_traffic_minutes m
        USING (SELECT endpoint_id, minute_ms, status, api_key_id FROM apigateway_traffic_minutes
                WHERE minute_ms < ${cutoffMs} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED) old
        WHERE m.endpoint_id = old.endpoint_id AND m.minute_ms = old.minute_ms AND m.status = old.status AND m.api_key_id = old.api_key_id`);
      const n = res.rowCount ?? 0;
      deleted += n;
      if (n < batchSize) return deleted;
    }
  },
};
