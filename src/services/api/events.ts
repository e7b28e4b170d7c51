import type { Db } from '../../db/client.ts';
import {
  countEvents,
  deleteEventsOlderThan,
  deleteStaleCloudTrailCursors,
  getEvent,
  listEvents,
  type EventKey,
  type EventRow,
} from '../../db/queries/events.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Static } from 'typebox';
import type { EventListQueryType, EventType, PagedEvent } from '../../schemas/events.ts';
import type { Principal } from './tokens.ts';
import { isUuid } from '../../lib/text.ts';

const DAY = 86_400_000;

/** The query of GET /api/v2/event (Wavefront's EventApi.get_all_events_with_time_range). */
type EventListInput = EventListQueryType;
type PagedEvents = Static<typeof PagedEvent>;

export interface EventServiceOptions {
  db: Db;
  clock: Clock;
  /** Events that started longer ago than this are deleted by purge() (SKYPORT_EVENTS_RETENTION). */
  retentionMs: number;
  /** totalItems is exact up to this many events (default 10,000), a lower bound beyond. */
  countCap?: number;
  /** Rows per retention delete statement (default 10,000). */
  purgeBatchSize?: number;
}

/**
 * The cursor: base64url of `<startMs>.<id>.<offset>`, the last event of the page and how many events came
 * before the next page. Opaque to clients; anything else is a 400.
 */
export function encodeCursor(key: EventKey, offset: number): string {
  return Buffer.from(`${key.startMs}.${key.id}.${offset}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { key: EventKey; offset: number } {
  const bad = () => badRequest('cursor is not valid: pass the `cursor` value of the previous page unchanged');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  const m = /^(\d{1,16})\.([0-9a-f-]{36})\.(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || !isUuid(m[2])) throw bad();
  const startMs = Number(m[1]);
  if (!Number.isSafeInteger(startMs)) throw bad();
  return { key: { startMs, id: m[2] }, offset: Number(m[3]) };
}

/** The Wavefront Event of a stored row: name, startTime and annotations always present. */
export function toEvent(row: EventRow): EventType {
  return {
    id: row.id,
    name: row.name,
    startTime: row.startMs,
    ...(row.endMs !== null ? { endTime: row.endMs } : {}),
    runningState: row.runningState,
    annotations: row.annotations ?? {},
    tags: row.tags ?? [],
    hosts: row.hosts ?? [],
    creatorType: row.isUserEvent ? ['USER'] : ['SYSTEM'],
    isUserEvent: row.isUserEvent,
    table: row.customerId,
    createdEpochMillis: row.createdMs,
    updatedEpochMillis: row.updatedMs,
  };
}

export function createEventService(deps: EventServiceOptions) {
  const { db, clock, retentionMs } = deps;
  const countCap = deps.countCap ?? 10_000;
  const purgeBatchSize = deps.purgeBatchSize ?? 10_000;

  return {
    /**
     * The caller's events whose start time is within [earliest, latest] (either bound optional), newest first
     * (start time, then id, both descending), one page at a time: pass the returned `cursor` to get the next.
     */
    async list(principal: Principal, query: EventListInput): Promise<PagedEvents> {
      const earliestMs = query.earliestStartTimeEpochMillis;
      const latestMs = query.latestStartTimeEpochMillis;
      if (earliestMs !== undefined && latestMs !== undefined && latestMs < earliestMs) {
        throw badRequest(
          `latestStartTimeEpochMillis (${latestMs}) is before earliestStartTimeEpochMillis (${earliestMs}); it must be at or after it`,
        );
      }
      const from = query.cursor !== undefined && query.cursor !== '' ? decodeCursor(query.cursor) : undefined;
      const range = { customerId: principal.customerId, earliestMs, latestMs };
      // One more than asked for, to know whether another page follows.
      const [rows, total] = await Promise.all([
        listEvents(db, { ...range, ...(from ? { after: from.key } : {}), limit: query.limit + 1 }),
        countEvents(db, { ...range, cap: countCap }),
      ]);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const offset = from?.offset ?? 0;
      const last = page[page.length - 1];
      return {
        items: page.map(toEvent),
        offset,
        limit: query.limit,
        totalItems: Math.max(total, offset + page.length + (more ? 1 : 0)),
        moreItems: more,
        ...(more && last ? { cursor: encodeCursor({ startMs: last.startMs, id: last.id }, offset + page.length) } : {}),
      };
    },

    /** One of the caller's events; 404 for an unknown id, another customer's, or a text that is no UUID. */
    async get(principal: Principal, id: string): Promise<EventType> {
      const row = isUuid(id) ? await getEvent(db, principal.customerId, id) : undefined;
      if (!row) throw notFound(`event ${id} does not exist`);
      return toEvent(row);
    },

    /**
     * Retention: deletes events that started more than the retention period ago (except ongoing ones), and the
     * CloudTrail collector's cursors of days it stopped listing (untouched for 7 days).
     */
    async purge(): Promise<{ events: number; cursors: number }> {
      const now = clock.now();
      const deleted = await deleteEventsOlderThan(db, now - retentionMs, purgeBatchSize);
      const cursors = await deleteStaleCloudTrailCursors(db, now - 7 * DAY);
      return { events: deleted, cursors };
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
