import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../tx.ts';
import { isStorableText } from '../../lib/text.ts';

/** Rows per INSERT statement for points (three arrays of this length are sent as parameters). */
export const POINT_CHUNK = 5_000;
/** Rows per INSERT statement for series. */
export const SERIES_CHUNK = 5_000;

/** One series of a raw query: its tags (with `source`) and its points in time order. */
export interface RawSeries {
  /** The metric's name, given when the query named metrics by a glob. */
  metric?: string;
  tags: Record<string, string>;
  points: Array<{ timestamp: number; value: number }>;
}

export interface WriteResult {
  /** Distinct series written (created or touched). */
  series: number;
  /** Distinct (series, timestamp) points stored, after de-duplication; an unchanged re-read counts too. */
  points: number;
  /** Points dropped: non-finite value, timestamp not a whole number of ms, or text PostgreSQL cannot store. */
  skipped: number;
}

const storable = isStorableText;

function sortedTags(tags: Record<string, string>): Array<[string, string]> {
  return Object.keys(tags)
    .sort()
    .map((k) => [k, String(tags[k])]);
}

/** The canonical text of a series identity: metric, source and tags sorted by key (so tag order does not matter). */
function canonical(metric: string, source: string, tags: Record<string, string>) {
  return JSON.stringify([metric, source, sortedTags(tags)]);
}

/** The stable series key: SHA-1 (hex) of metric, source and the tags sorted by key. */
export function seriesKey(metric: string, source: string, tags: Record<string, string>): string {
  return createHash('sha1').update(canonical(metric, source, tags)).digest('hex');
}

interface PendingSeries {
  key: string;
  metric: string;
  source: string;
  tags: string;
  lastMs: number;
  /** ts → value; the last value given for a timestamp wins. */
  points: Map<number, number>;
}

/** Runs `fn` in the caller's transaction, or in a new one when given the pool. */
function inTransaction<T>(db: DbOrTx, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db instanceof PgTransaction ? fn(db) : db.transaction(fn);
}

/** A point as a collector produces it (CollectedPoint), to store. */
export interface PointToWrite {
  metric: string;
  source: string;
  tags: Record<string, string>;
  /** Epoch milliseconds. */
  ts: number;
  value: number;
}

/**
 * Stores collected points for one customer and integration: one upsert per 5,000 distinct series
 * (`last_point_ms` only moves forward, `integration_id` is the latest writer), then the points in statements
 * of 5,000 rows. A point that already exists for the series and timestamp is overwritten (a re-read never
 * duplicates). Duplicates within the batch are collapsed first (the last one wins); non-finite values are
 * skipped. Series and points are written in key / (series, ts) order so concurrent writers lock rows in the
 * same order. Runs inside `tx` when it is a transaction, otherwise in a transaction of its own.
 */
export async function writePoints(tx: DbOrTx, customerId: string, integrationId: string, points: readonly PointToWrite[]): Promise<WriteResult> {
  const byIdentity = new Map<string, PendingSeries | null>();
  const tagText = new Map<Record<string, string>, { pairs: string; object: string; storable: boolean }>();
  let skipped = 0;
  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isSafeInteger(p.ts)) {
      skipped++;
      continue;
    }
    // Collectors hand the same tags object to every point of a series (and to every statistic of a metric):
    // sort and serialise each tags object once.
    let t = tagText.get(p.tags);
    if (t === undefined) {
      const pairs = sortedTags(p.tags);
      t = { pairs: JSON.stringify(pairs), object: JSON.stringify(Object.fromEntries(pairs)), storable: pairs.every(([k, v]) => storable(k) && storable(v)) };
      tagText.set(p.tags, t);
    }
    const identity = `[${JSON.stringify(p.metric)},${JSON.stringify(p.source)},${t.pairs}]`; // = canonical(metric, source, tags)
    let s = byIdentity.get(identity);
    if (s === undefined) {
      const ok = t.storable && storable(p.metric) && storable(p.source);
      s = ok
        ? {
            key: createHash('sha1').update(identity).digest('hex'),
            metric: p.metric,
            source: p.source,
            tags: t.object,
            lastMs: p.ts,
            points: new Map(),
          }
        : null;
      byIdentity.set(identity, s);
    }
    if (s === null) {
      skipped++;
      continue;
    }
    s.points.set(p.ts, p.value);
    if (p.ts > s.lastMs) s.lastMs = p.ts;
  }
  const pending = [...byIdentity.values()].filter((s): s is PendingSeries => s !== null);
  if (pending.length === 0) return { series: 0, points: 0, skipped };
  pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  return inTransaction(tx, async (t) => {
    const idByKey = new Map<string, number>();
    for (let i = 0; i < pending.length; i += SERIES_CHUNK) {
      const chunk = pending.slice(i, i + SERIES_CHUNK);
      const result = await t.execute<{ id: number; key: string }>(sql`
        INSERT INTO series (customer_id, key, metric, source, tags, integration_id, last_point_ms)
        SELECT ${customerId}, u.key, u.metric, u.source, u.tags::jsonb, ${integrationId}::uuid, u.last_ms
        FROM unnest(
          ${sql.param(chunk.map((s) => s.key))}::text[],
          ${sql.param(chunk.map((s) => s.metric))}::text[],
          ${sql.param(chunk.map((s) => s.source))}::text[],
          ${sql.param(chunk.map((s) => s.tags))}::text[],
          ${sql.param(chunk.map((s) => s.lastMs))}::bigint[]
        ) AS u(key, metric, source, tags, last_ms)
        ORDER BY u.key
        ON CONFLICT (customer_id, key) DO UPDATE
          SET last_point_ms = greatest(series.last_point_ms, excluded.last_point_ms),
              integration_id = excluded.integration_id
        RETURNING id, key`);
      for (const row of result.rows) idByKey.set(row.key, Number(row.id));
    }

    // Flatten in (series id, ts) order: index-friendly, and a consistent lock order between writers.
    const ordered = pending
      .map((s) => ({ id: idByKey.get(s.key)!, points: [...s.points].sort((a, b) => a[0] - b[0]) }))
      .sort((a, b) => a.id - b.id);
    const total = ordered.reduce((n, s) => n + s.points.length, 0);
    let ids: number[] = [];
    let tss: number[] = [];
    let values: number[] = [];
    const flush = async () => {
      // An unchanged value is not rewritten (no dead row for a re-read that brought nothing new).
      await t.execute(sql`
        INSERT INTO points (series_id, ts, value)
        SELECT * FROM unnest(${sql.param(ids)}::bigint[], ${sql.param(tss)}::bigint[], ${sql.param(values)}::float8[])
        ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value
          WHERE points.value IS DISTINCT FROM excluded.value`);
      ids = [];
      tss = [];
      values = [];
    };
    for (const s of ordered) {
      for (const [ts, value] of s.points) {
        ids.push(s.id);
        tss.push(ts);
        values.push(value);
        if (ids.length === POINT_CHUNK) await flush();
      }
    }
    if (ids.length > 0) await flush();
    return { series: pending.length, points: total, skipped };
  });
}

export interface RawQueryOptions {
  customerId: string;
  metric: string;
  /** Match metric names with this LIKE pattern (a glob) instead of `metric` exactly; each series then says its metric. */
  metricLike?: string;
  source?: string;
  /** Inclusive window, epoch ms. */
  startMs: number;
  endMs: number;
  /** At most this many series (the first in the output order). */
  limitSeries: number;
  /** At most this many points in all; the last series may be cut short. Unlimited when absent. */
  limitPoints?: number;
}

/**
 * The points of one metric (optionally one source) of a customer in [startMs, endMs], one element per series
 * that has a point in the window; series ordered by source, then by series key (a stable order), points by time.
 */
export async function readRaw(db: DbOrTx, q: RawQueryOptions): Promise<RawSeries[]> {
  const sourceFilter = q.source !== undefined ? sql`AND s.source = ${q.source}` : sql``;
  const pointLimit = q.limitPoints !== undefined ? sql`LIMIT ${q.limitPoints}` : sql``;
  const metricFilter = q.metricLike !== undefined ? sql`s.metric LIKE ${q.metricLike}` : sql`s.metric = ${q.metric}`;
  // With a glob, series of several metrics come back: grouped by metric (in byte order) first.
  const metricOrder = q.metricLike !== undefined ? sql`metric COLLATE "C", ` : sql``;
  const result = await db.execute<{ id: number; metric: string; source: string; tags: Record<string, string>; ts: number; value: number }>(sql`
    WITH chosen AS (
      SELECT s.id, s.key, s.metric, s.source, s.tags
      FROM series s
      WHERE s.customer_id = ${q.customerId} AND ${metricFilter} ${sourceFilter}
        AND s.last_point_ms >= ${q.startMs}
        AND EXISTS (SELECT 1 FROM points e WHERE e.series_id = s.id AND e.ts BETWEEN ${q.startMs} AND ${q.endMs})
      ORDER BY ${metricOrder}s.source, s.key
      LIMIT ${q.limitSeries}
    )
    SELECT c.id, c.metric, c.source, c.tags, p.ts, p.value
    FROM chosen c JOIN points p ON p.series_id = c.id AND p.ts BETWEEN ${q.startMs} AND ${q.endMs}
    ORDER BY ${q.metricLike !== undefined ? sql`c.metric COLLATE "C", ` : sql``}c.source, c.key, p.ts
    ${pointLimit}`);
  const out: RawSeries[] = [];
  let currentId: number | undefined;
  let current: RawSeries | undefined;
  for (const row of result.rows) {
    const id = Number(row.id);
    if (id !== currentId) {
      currentId = id;
      current = q.metricLike !== undefined
        ? { metric: row.metric, tags: { ...row.tags, source: row.source }, points: [] }
        : { tags: { ...row.tags, source: row.source }, points: [] };
      out.push(current);
    }
    current!.points.push({ timestamp: Number(row.ts), value: Number(row.value) });
  }
  return out;
}

/**
 * Retention: deletes points with ts < cutoffMs in batches of `batchSize` (each batch its own statement, found
 * through the BRIN index on ts, rows locked by others skipped so replicas never wait on each other), then,
 * likewise in batches, series that have no point left and whose last point is older than the cutoff.
 * Returns how many of each were deleted.
 */
export async function deletePointsOlderThan(db: DbOrTx, cutoffMs: number, batchSize: number): Promise<{ points: number; series: number }> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  let points = 0;
  for (;;) {
    const result = await db.execute(sql`
      DELETE FROM points p
      USING (SELECT series_id, ts FROM points WHERE ts < ${cutoffMs} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED) old
      WHERE p.series_id = old.series_id AND p.ts = old.ts`);
    const n = result.rowCount ?? 0;
    points += n;
    if (n < batchSize) break;
  }
  let series = 0;
  for (;;) {
    const result = await db.execute(sql`
      DELETE FROM series s
      USING (
        SELECT id FROM series
        WHERE last_point_ms < ${cutoffMs} AND NOT EXISTS (SELECT 1 FROM points p WHERE p.series_id = series.id)
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
      ) old
      WHERE s.id = old.id`);
    const n = result.rowCount ?? 0;
    series += n;
    if (n < batchSize) break;
  }
  return { points, series };
}
