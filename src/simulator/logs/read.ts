import type { CallContext, SimResponse } from '../request.ts';
import type { EventKey } from './event-table.ts';
import { compileFilterPattern, FilterPatternError, type Matcher } from './filter-pattern.ts';
import { EVENT_OVERHEAD_BYTES } from './put.ts';
import { resolveGroup } from './resolve.ts';
import { eventIdOf, type LogGroup } from './store.ts';
import {
  bodyOf,
  constraint,
  decodeToken,
  encodeToken,
  invalidParameter,
  json,
  optionalBoolean,
  optionalInteger,
  optionalString,
  type Json,
} from './wire.ts';
import { SimError } from '../errors.ts';

/** Events per FilterLogEvents / GetLogEvents page at most, and the default. */
export const MAX_EVENTS_PER_PAGE = 10_000;
/** Bytes of messages per page at most (each event counted as its UTF-8 message plus 26 bytes). */
export const MAX_PAGE_BYTES = 1_048_576;
/**
 * Events one FilterLogEvents call examines at most. AWS searches a bounded amount of data per call and
 * "can return empty results while there are more … through the token"; so does the simulator when a filter
 * pattern or stream list skips this many events without filling the page.
 */
export const MAX_SCANNED_PER_CALL = 250_000;
/** FilterLogEvents with startFromHead=false needs a startTime on or after this instant (AWS's rule). */
const DESCENDING_SINCE = Date.UTC(2024, 0, 1);

interface FilterCursor extends EventKey {
  /** Direction: forward (startFromHead) or backward. */
  d: 'f' | 'b';
}

const isCursor = (p: unknown): p is FilterCursor => {
  const c = p as FilterCursor;
  return !!c && typeof c === 'object' && (c.d === 'f' || c.d === 'b') && [c.timestamp, c.ingestionTime, c.row].every((n) => typeof n === 'number' && Number.isFinite(n));
};

function streamFilter(group: LogGroup, body: Json): Set<number> | undefined {
  const names = body.logStreamNames;
  const prefix = optionalString(body, 'logStreamNamePrefix');
  if (names !== undefined && names !== null && prefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  if (names !== undefined && names !== null) {
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new SimError(400, 'SerializationException', 'logStreamNames must be a list of strings');
    if (names.length < 1 || names.length > 100) throw constraint(`${names.length} names`, 'logStreamNames', 'Member must have length less than or equal to 100');
    return new Set(names.map((n) => group.streams.get(n as string)?.index).filter((i): i is number => i !== undefined));
  }
  if (prefix !== undefined) return new Set(group.streamList.filter((s) => s.name.startsWith(prefix)).map((s) => s.index));
  return undefined;
}

function timeRange(body: Json): { start: number; end: number } {
  const start = optionalInteger(body, 'startTime', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const end = optionalInteger(body, 'endTime', 0, Number.MAX_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
  if (start > end) throw invalidParameter('startTime must be less than or equal to endTime.');
  return { start, end };
}

/**
 * FilterLogEvents: the group's events (optionally some streams, a time range on event time — both ends
 * inclusive — and a filter pattern) in event-time order, then ingestion time, then arrival; at most `limit`
 * (≤ 10,000) events and 1 MB per page, continued with `nextToken`. Only events already ingested per the
 * simulator clock are visible: a late event appears on a later read whose range covers it. `interleaved` is
 * accepted and ignored (AWS always interleaves); `searchedLogStreams` is always empty, as in AWS since 2020.
 * Rate: 5 calls per second per account and region, else ThrottlingException.
 */
export function filterLogEvents(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  if (!ctx.state.logs.filterRate.tryAcquire(ctx.caller.accountId, ctx.region)) throw new SimError(400, 'ThrottlingException', 'Rate exceeded');
  const group = resolveGroup(ctx, body, { identifierAllowed: true });
  const streams = streamFilter(group, body);
  const { start, end } = timeRange(body);
  const limit = optionalInteger(body, 'limit', 1, MAX_EVENTS_PER_PAGE) ?? MAX_EVENTS_PER_PAGE;
  optionalBoolean(body, 'interleaved');
  optionalBoolean(body, 'unmask');
  const fromHead = optionalBoolean(body, 'startFromHead') ?? true;
  if (!fromHead && body.startTime !== undefined && start < DESCENDING_SINCE) {
    throw invalidParameter('startFromHead=false is supported only with a startTime on or after Jan 1, 2024 00:00:00 UTC.');
  }
  let matches: Matcher;
  try {
    matches = compileFilterPattern(optionalString(body, 'filterPattern'));
  } catch (err) {
    if (err instanceof FilterPatternError) throw invalidParameter(err.message);
    throw err;
  }
  const cursor = decodeToken(body, isCursor);
  const forward = cursor ? cursor.d === 'f' : fromHead;

  const table = group.events;
  const order = table.sorted();
  const now = ctx.clock.now();
  const events: Json[] = [];
  let bytes = 0;
  let scanned = 0;
  let i = forward
    ? cursor ? table.firstAfter(cursor) : table.firstAtOrAfter(start)
    : (cursor ? table.firstAtOrAfterKey(cursor) : table.firstAtOrAfter(end === Number.MAX_SAFE_INTEGER ? end : end + 1)) - 1;
  const step = forward ? 1 : -1;
  const inRange = (k: number): boolean => k >= 0 && k < order.length && table.timestamp(order[k]) >= start && table.timestamp(order[k]) <= end;
  let lastConsumed = -1;
  for (; inRange(i); i += step) {
    if (events.length === limit || scanned === MAX_SCANNED_PER_CALL) break;
    const row = order[i];
    scanned++;
    if (table.ingestionTime(row) > now || (streams && !streams.has(table.stream(row)))) {
      lastConsumed = row;
      continue;
    }
    const message = table.message(row);
    if (!matches(message)) {
      lastConsumed = row;
      continue;
    }
    const size = Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
    if (events.length > 0 && bytes + size > MAX_PAGE_BYTES) break;
    bytes += size;
    const key = table.key(row);
    events.push({
      logStreamName: group.streamList[table.stream(row)].name,
      timestamp: key.timestamp,
      message,
      ingestionTime: key.ingestionTime,
      eventId: eventIdOf(group, key),
    });
    lastConsumed = row;
  }
  const out: Json = { events, searchedLogStreams: [] };
  if (inRange(i)) {
    // More events lie in the range: continue after the last one examined (or where this page started).
    // lastConsumed is set: the loop only stops early after examining at least one event.
    const key = table.key(lastConsumed);
    out.nextToken = encodeToken({ d: forward ? 'f' : 'b', timestamp: key.timestamp, ingestionTime: key.ingestionTime, row: key.row }, body);
  }
  return json(ctx.requestId, out);
}

// ---- GetLogEvents -----------------------------------------------------------------------------------------

const TOKEN = /^([fb])\/(\d{56})$/;

/** GetLogEvents tokens look like AWS's (`f/` or `b/` and 56 digits): event time, ingestion time and row. */
function encodeStreamToken(direction: 'f' | 'b', key: EventKey): string {
  return `${direction}/${String(Math.max(0, key.timestamp)).padStart(20, '0')}${String(Math.max(0, key.ingestionTime)).padStart(20, '0')}${String(key.row + 1).padStart(16, '0')}`;
}

function decodeStreamToken(token: string): { direction: 'f' | 'b'; key: EventKey } {
  const m = TOKEN.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  const digits = m[2];
  return {
    direction: m[1] as 'f' | 'b',
    key: { timestamp: Number(digits.slice(0, 20)), ingestionTime: Number(digits.slice(20, 40)), row: Number(digits.slice(40)) - 1 },
  };
}

/**
 * GetLogEvents: one stream's visible events in [startTime, endTime) (end exclusive, as AWS documents), oldest
 * first within a page; without a token the newest page unless startFromHead. Paging with nextForwardToken /
 * nextBackwardToken; at the end the token passed in comes back.
 */
export function getLogEvents(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const group = resolveGroup(ctx, body, { identifierAllowed: true });
  const streamName = optionalString(body, 'logStreamName');
  if (streamName === undefined) throw constraint(undefined, 'logStreamName', 'Member must not be null');
  const stream = group.streams.get(streamName);
  if (!stream) throw invalidParameter('The specified log stream does not exist.');
  const start = optionalInteger(body, 'startTime', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const end = optionalInteger(body, 'endTime', 0, Number.MAX_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
  const limit = optionalInteger(body, 'limit', 1, MAX_EVENTS_PER_PAGE) ?? MAX_EVENTS_PER_PAGE;
  const fromHead = optionalBoolean(body, 'startFromHead') ?? false;
  optionalBoolean(body, 'unmask');
  const tokenText = optionalString(body, 'nextToken');
  const token = tokenText === undefined ? undefined : decodeStreamToken(tokenText);
  const forward = token ? token.direction === 'f' : fromHead;

  const table = group.events;
  const order = table.sorted();
  const now = ctx.clock.now();
  const from = token && token.direction === 'f' ? Math.max(table.firstAfter(token.key), table.firstAtOrAfter(start)) : table.firstAtOrAfter(start);
  const to = token && token.direction === 'b' ? Math.min(table.firstAtOrAfterKey(token.key), table.firstAtOrAfter(end)) : table.firstAtOrAfter(end);
  const rows: number[] = [];
  let bytes = 0;
  const take = (k: number): boolean => {
    const row = order[k];
    if (table.stream(row) !== stream.index || table.ingestionTime(row) > now) return true;
    const size = Buffer.byteLength(table.message(row)) + EVENT_OVERHEAD_BYTES;
    if (rows.length === limit || (rows.length > 0 && bytes + size > MAX_PAGE_BYTES)) return false;
    bytes += size;
    rows.push(row);
    return true;
  };
  if (forward) {
    for (let k = from; k < to && take(k); k++);
  } else {
    for (let k = to - 1; k >= from && take(k); k--);
    rows.reverse();
  }
  const events = rows.map((row) => ({ timestamp: table.timestamp(row), message: table.message(row), ingestionTime: table.ingestionTime(row) }));
  const first = rows[0];
  const last = rows[rows.length - 1];
  const startKey: EventKey = { timestamp: start, ingestionTime: 0, row: -1 };
  return json(ctx.requestId, {
    events,
    nextForwardToken: last !== undefined ? encodeStreamToken('f', table.key(last)) : tokenText ?? encodeStreamToken('f', startKey),
    nextBackwardToken: first !== undefined ? encodeStreamToken('b', table.key(first)) : tokenText ?? encodeStreamToken('b', startKey),
  });
}
