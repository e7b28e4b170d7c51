import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../tx.ts';

/** One metric name of a customer, with how many series and sources report it and its newest point. */
export interface MetricNameRow {
  name: string;
  series: number;
  sources: number;
  lastPointMs: number;
}

/**
 * A page of the customer's metric names that start with `prefix` (a plain string, no wildcards), in name order,
 * with the number of distinct names in all.
 */
export async function listMetricNames(db: DbOrTx, q: { customerId: string; prefix: string; offset: number; limit: number }) {
  const where = sql`customer_id = ${q.customerId} AND starts_with(metric, ${q.prefix})`;
  const [rows, total] = await Promise.all([
    db.execute<{ name: string; series: string; sources: string; last_point_ms: string }>(sql`
      SELECT metric AS name, count(*) AS series, count(DISTINCT source) AS sources, max(last_point_ms) AS last_point_ms
        FROM series WHERE ${where}
       GROUP BY metric ORDER BY metric COLLATE "C"
       LIMIT ${q.limit} OFFSET ${q.offset}`),
    db.execute<{ n: string }>(sql`SELECT count(DISTINCT metric) AS n FROM series WHERE ${where}`),
  ]);
  return {
    rows: rows.rows.map((r): MetricNameRow => ({ name: r.name, series: Number(r.series), sources: Number(r.sources), lastPointMs: Number(r.last_point_ms) })),
    total: Number(total.rows[0].n),
  };
}

/** One series of a metric: its source, point tags and newest point. `id` orders series within a source. */
export interface MetricSeriesRow {
  id: number;
  source: string;
  tags: Record<string, string>;
  lastPointMs: number;
}

/**
 * The series of one metric of a customer, optionally only those whose source matches one of `sourceLikes`
 * (LIKE patterns), ordered by source then id, starting after the keyset `after`; at most `limit`.
 */
export async function metricSeries(
  db: DbOrTx,
  q: { customerId: string; metric: string; sourceLikes: string[]; after?: { source: string; id: number }; limit: number },
): Promise<MetricSeriesRow[]> {
  const sources = q.sourceLikes.length > 0 ? sql`AND source LIKE ANY(${sql.param(q.sourceLikes)}::text[])` : sql``;
  const after = q.after ? sql`AND (source COLLATE "C", id) > (${q.after.source} COLLATE "C", ${q.after.id})` : sql``;
  const res = await db.execute<{ id: string; source: string; tags: Record<string, string>; last_point_ms: string }>(sql`
    SELECT id, source, tags, last_point_ms FROM series
     WHERE customer_id = ${q.customerId} AND metric = ${q.metric} ${sources} ${after}
     ORDER BY source COLLATE "C", id
     LIMIT ${q.limit}`);
  return res.rows.map((r) => ({ id: Number(r.id), source: r.source, tags: r.tags, lastPointMs: Number(r.last_point_ms) }));
}
