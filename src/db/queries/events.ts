import { and, eq, sql } from 'drizzle-orm';
import { events } from '../schema.ts';
import type { DbOrTx } from './integrations.ts';

export type EventInsert = typeof events.$inferInsert;
export type EventRow = typeof events.$inferSelect;

/** Rows per INSERT statement (sent as one JSON parameter). */
export const EVENT_CHUNK = 5_000;

/**
 * Stores events; a (customer, dedupeKey) pair already stored (or repeated in `rows`) is skipped, so re-reads
 * never duplicate. Rows travel as one JSON document per statement (jsonb_to_recordset): one parameter, no
 * per-row SQL text, whatever the number of rows. Returns how many rows were inserted.
 */
export async function insertEvents(tx: DbOrTx, rows: EventInsert[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += EVENT_CHUNK) {
    const chunk = rows.slice(i, i + EVENT_CHUNK).map((r) => ({
      id: r.id,
      customer_id: r.customerId,
      integration_id: r.integrationId ?? null,
      name: r.name,
      start_ms: r.startMs,
      end_ms: r.endMs ?? null,
      running_state: r.runningState,
      annotations: r.annotations,
      tags: r.tags,
      hosts: r.hosts,
      is_user_event: r.isUserEvent ?? false,
      dedupe_key: r.dedupeKey ?? null,
      created_ms: r.createdMs,
      updated_ms: r.updatedMs,
    }));
    const res = await tx.execute(sql`
      INSERT INTO ${events} (id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags, hosts,
                             is_user_event, dedupe_key, created_ms, updated_ms)
      SELECT r.id, r.customer_id, r.integration_id, r.name, r.start_ms, r.end_ms, r.running_state, r.annotations,
             ARRAY(SELECT jsonb_array_elements_text(r.tags)), ARRAY(SELECT jsonb_array_elements_text(r.hosts)),
             r.is_user_event, r.dedupe_key, r.created_ms, r.updated_ms
        FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS r(
               id uuid, customer_id text, integration_id uuid, name text, start_ms bigint, end_ms bigint, running_state text,
               annotations jsonb, tags jsonb, hosts jsonb, is_user_event boolean, dedupe_key text, created_ms bigint, updated_ms bigint)
      ON CONFLICT (customer_id, dedupe_key) DO NOTHING`);
    inserted += res.rowCount ?? 0;
  }
  return inserted;
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
