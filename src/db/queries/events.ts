import { and, eq, sql } from 'drizzle-orm';
import { events } from '../schema.ts';
import type { DbOrTx } from '../tx.ts';

export type EventInsert = typeof events.$inferInsert;
export type EventRow = typeof events.$inferSelect;

/** Rows per INSERT statement. */
export const EVENT_CHUNK = 5_000;

// PostgreSQL array literals (array_in): every element double-quoted with `\` and `"` escaped, so no text can
// end an element early; a bare NULL is SQL NULL.
const quoted = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;
const textArray = (xs: ReadonlyArray<string | null>) => `{${xs.map((x) => (x === null ? 'NULL' : quoted(x))).join(',')}}`;
const intArray = (xs: ReadonlyArray<number | null>) => `{${xs.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`;

/**
 * Stores events; a (customer, dedupeKey) pair already stored (or repeated in `rows`) is skipped, so re-reads
 * never duplicate. Each statement carries EVENT_CHUNK rows as one typed array per column (annotations as one
 * JSON array of objects): PostgreSQL reads that with less CPU than one JSON document of row objects
 * (jsonb_to_recordset; figures in docs/PERFORMANCE.md). The next chunk's parameters are built while the previous statement runs.
 * Returns how many rows were inserted.
 */
export async function insertEvents(tx: DbOrTx, rows: EventInsert[]): Promise<number> {
  let inserted = 0;
  let running: Promise<number> | undefined;
  try {
    for (let i = 0; i < rows.length; i += EVENT_CHUNK) {
      const statement = insertStatement(rows.slice(i, i + EVENT_CHUNK));
      if (running) inserted += await running;
      // then() starts the query now (drizzle's execute is lazy), so it runs while the next chunk is built.
      running = tx.execute(statement).then((res) => res.rowCount ?? 0);
    }
    if (running) inserted += await running;
  } catch (err) {
    running?.catch(() => {});
    throw err;
  }
  return inserted;
}

function insertStatement(rows: EventInsert[]) {
  const col = <T>(f: (r: EventInsert) => T) => rows.map(f);
  return sql`
    INSERT INTO ${events} (id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags, hosts,
                           is_user_event, dedupe_key, created_ms, updated_ms)
    SELECT id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags::text[], hosts::text[],
           is_user_event, dedupe_key, created_ms, updated_ms
      FROM ROWS FROM (
             unnest(${textArray(col((r) => r.id))}::uuid[]),
             unnest(${textArray(col((r) => r.customerId))}::text[]),
             unnest(${textArray(col((r) => r.integrationId ?? null))}::uuid[]),
             unnest(${textArray(col((r) => r.name))}::text[]),
             unnest(${intArray(col((r) => r.startMs))}::int8[]),
             unnest(${intArray(col((r) => r.endMs ?? null))}::int8[]),
             unnest(${textArray(col((r) => r.runningState))}::text[]),
             jsonb_array_elements(${JSON.stringify(col((r) => r.annotations))}::jsonb),
             unnest(${textArray(col((r) => textArray(r.tags)))}::text[]),
             unnest(${textArray(col((r) => textArray(r.hosts)))}::text[]),
             unnest(${`{${col((r) => (r.isUserEvent ? 't' : 'f')).join(',')}}`}::bool[]),
             unnest(${textArray(col((r) => r.dedupeKey ?? null))}::text[]),
             unnest(${intArray(col((r) => r.createdMs))}::int8[]),
             unnest(${intArray(col((r) => r.updatedMs))}::int8[]))
        AS r(id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags, hosts,
             is_user_event, dedupe_key, created_ms, updated_ms)
    ON CONFLICT (customer_id, dedupe_key) DO NOTHING`;
}

/** Marks an ongoing event as ended. */
export async function endEvent(tx: DbOrTx, customerId: string, id: string, endMs: number) {
  await tx
    .update(events)
    .set({ endMs, runningState: 'ENDED', updatedMs: endMs })
    .where(and(eq(events.id, id), eq(events.customerId, customerId), sql`${events.endMs} IS NULL`));
}

/** Where a page of a newest-first listing starts: strictly after this (startMs, id) in that order. */
export interface EventKey {
  startMs: number;
  id: string;
}

export interface EventRange {
  customerId: string;
  /** Inclusive bounds on startMs; absent: unbounded. */
  earliestMs?: number;
  latestMs?: number;
}

function rangeWhere(q: EventRange) {
  return sql.join(
    [
      sql`customer_id = ${q.customerId}`,
      ...(q.earliestMs !== undefined ? [sql`start_ms >= ${q.earliestMs}`] : []),
      ...(q.latestMs !== undefined ? [sql`start_ms <= ${q.latestMs}`] : []),
    ],
    sql` AND `,
  );
}

const COLUMNS = sql`id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags, hosts, is_user_event,
                    dedupe_key, created_ms, updated_ms`;

function toRow(r: Record<string, unknown>): EventRow {
  return {
    id: r.id as string,
    customerId: r.customer_id as string,
    integrationId: (r.integration_id as string | null) ?? null,
    name: r.name as string,
    startMs: Number(r.start_ms),
    endMs: r.end_ms === null || r.end_ms === undefined ? null : Number(r.end_ms),
    runningState: r.running_state as string,
    annotations: (r.annotations as Record<string, string>) ?? {},
    tags: (r.tags as string[]) ?? [],
    hosts: (r.hosts as string[]) ?? [],
    isUserEvent: Boolean(r.is_user_event),
    dedupeKey: (r.dedupe_key as string | null) ?? null,
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
  };
}

/**
 * One page of a customer's events in the range, newest first: ordered by (startMs desc, id desc), starting
 * strictly after `after` (keyset paging: stable while events are added or removed, and an index range scan
 * on events_customer_start_idx whatever the page).
 */
export async function listEvents(db: DbOrTx, q: EventRange & { after?: EventKey; limit: number }): Promise<EventRow[]> {
  const after = q.after ? sql` AND (start_ms, id) < (${q.after.startMs}, ${q.after.id}::uuid)` : sql``;
  const res = await db.execute(sql`
    SELECT ${COLUMNS} FROM ${events}
     WHERE ${rangeWhere(q)}${after}
     ORDER BY start_ms DESC, id DESC
     LIMIT ${q.limit}`);
  return (res.rows as Record<string, unknown>[]).map(toRow);
}

/** How many of the customer's events are in the range, counting at most `cap` (a lower bound beyond it). */
export async function countEvents(db: DbOrTx, q: EventRange & { cap: number }): Promise<number> {
  const res = await db.execute(sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${events} WHERE ${rangeWhere(q)} LIMIT ${q.cap}) x`);
  return Number((res.rows[0] as { n: number }).n);
}

export async function getEvent(db: DbOrTx, customerId: string, id: string): Promise<EventRow | undefined> {
  const res = await db.execute(sql`SELECT ${COLUMNS} FROM ${events} WHERE customer_id = ${customerId} AND id = ${id}::uuid`);
  const row = res.rows[0] as Record<string, unknown> | undefined;
  return row ? toRow(row) : undefined;
}

/**
 * Retention: deletes events that started before `cutoffMs`, except ongoing ones (an open credentials event
 * stays until it ends), customer by customer so every batch is an index range scan; returns how many.
 */
export async function deleteEventsOlderThan(db: DbOrTx, cutoffMs: number, batchSize: number): Promise<number> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const customers = await db.execute(sql`SELECT id FROM customers`);
  let deleted = 0;
  for (const { id: customerId } of customers.rows as Array<{ id: string }>) {
    for (;;) {
      const res = await db.execute(sql`
        DELETE FROM ${events} e
        USING (SELECT id FROM ${events}
                WHERE customer_id = ${customerId} AND start_ms < ${cutoffMs} AND running_state <> 'ONGOING'
                LIMIT ${batchSize} FOR UPDATE SKIP LOCKED) old
        WHERE e.id = old.id`);
      const n = res.rowCount ?? 0;
      deleted += n;
      if (n < batchSize) break;
    }
  }
  return deleted;
}

/**
 * The CloudTrail collector keeps one cursor per region and day (`cloudtrail:…`) and per region
 * (`cloudtrail-counts:…`); a day it no longer lists is never written again. Deletes those not written since
 * `cutoffMs`.
 */
export async function deleteStaleCloudTrailCursors(db: DbOrTx, cutoffMs: number): Promise<number> {
  const res = await db.execute(sql`
    DELETE FROM collector_cursors
     WHERE (scope LIKE 'cloudtrail:%' OR scope LIKE 'cloudtrail-counts:%') AND updated_ms < ${cutoffMs}`);
  return res.rowCount ?? 0;
}
