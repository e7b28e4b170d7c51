import { SimError } from '../errors.ts';
import type { SimRequest, SimResponse } from '../request.ts';
import { ApiGatewayError, badRequest } from './store.ts';

/**
 * REST JSON as API Gateway speaks it: JSON bodies, v1 timestamps as epoch seconds, v2 as ISO 8601 strings;
 * errors as `x-amzn-ErrorType: <Code>` (where the SDK takes the code from) with `{"message": …}`.
 */
export type Json = Record<string, unknown>;

export function json(requestId: string, value: unknown, status = 200): SimResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(value) };
}

export function noContent(requestId: string, status = 202): SimResponse {
  return { status, headers: { 'x-amzn-requestid': requestId } };
}

export function renderError(err: SimError, requestId: string): SimResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
  };
  if (err.extra.retryAfter) headers['retry-after'] = err.extra.retryAfter;
  return { status: err.status, headers, body: JSON.stringify({ message: err.message }) };
}

/** Store errors become wire errors; anything else is left to the dispatcher (a 500). */
export function toSimError(err: unknown): unknown {
  return err instanceof ApiGatewayError ? new SimError(err.status, err.code, err.message) : err;
}

export function bodyOf(req: SimRequest): Json {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // answered below
  }
  throw new SimError(400, 'SerializationException', 'Could not parse the request body as a JSON object');
}

/** Path segments, percent-decoded: `/restapis/a1/stages/prod` → ['restapis', 'a1', 'stages', 'prod']. */
export function segments(rawPath: string): string[] {
  return rawPath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export const epochSeconds = (ms: number): number => ms / 1000;
export const isoDate = (ms: number): string => new Date(ms).toISOString();

/** `true`/`false` query flags as the SDK writes booleans. */
export const flag = (req: SimRequest, name: string): boolean => req.query.get(name) === 'true';

// ---- paging ---------------------------------------------------------------------------------------------

const V1_DEFAULT_LIMIT = 25;
const V1_MAX_LIMIT = 500;
const V2_DEFAULT_MAX = 100;
const V2_MAX = 500;

/** v1 `limit`: default 25; a larger value than 500 is served as 500. */
export function v1Limit(req: SimRequest): number {
  const raw = req.query.get('limit');
  if (raw === undefined) return V1_DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest(`Invalid limit ${raw}: must be a positive integer`);
  return Math.min(n, V1_MAX_LIMIT);
}

/** v2 `maxResults` (a string on the wire): default 100, at most 500. */
export function v2Limit(req: SimRequest): number {
  const raw = req.query.get('maxResults');
  if (raw === undefined) return V2_DEFAULT_MAX;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw badRequest(`Invalid maxResults ${raw}`);
  return Math.min(n, V2_MAX);
}

/**
 * Opaque cursors: the id after which the next page starts, bound to the listing it came from (a v1
 * `position` from GetRestApis is refused by GetUsagePlans).
 */
export function encodeCursor(listing: string, afterId: string): string {
  return Buffer.from(JSON.stringify({ l: listing, a: afterId })).toString('base64url');
}

export function decodeCursor(listing: string, token: string | undefined, name: string): string | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: unknown; a?: unknown };
    if (parsed.l === listing && typeof parsed.a === 'string') return parsed.a;
  } catch {
    // answered below
  }
  throw badRequest(`Invalid ${name} specified`);
}

/** One page from a Listing-shaped source with its cursor. */
export function pageOf<T>(
  source: { page(afterId: string | undefined, limit: number, filter?: (item: T) => boolean): { items: T[]; more: boolean } },
  listing: string,
  idOf: (item: T) => string,
  token: string | undefined,
  tokenName: string,
  limit: number,
  filter?: (item: T) => boolean,
): { items: T[]; next?: string } {
  const after = decodeCursor(listing, token, tokenName);
  const { items, more } = source.page(after, limit, filter);
  return { items, next: more && items.length > 0 ? encodeCursor(listing, idOf(items[items.length - 1])) : undefined };
}

/** Pages a plain array (already in a stable order) with the same cursors. */
export function arrayPage<T>(all: T[], listing: string, idOf: (item: T) => string, token: string | undefined, tokenName: string, limit: number): { items: T[]; next?: string } {
  const sorted = [...all].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  return pageOf(
    {
      page: (after, max) => {
        const start = after === undefined ? 0 : sorted.findIndex((x) => idOf(x) > after);
        const rest = start < 0 ? [] : sorted.slice(start);
        return { items: rest.slice(0, max), more: rest.length > max };
      },
    },
    listing,
    idOf,
    token,
    tokenName,
    limit,
  );
}

/** Drops undefined fields so the JSON looks like AWS's (absent, not null). */
export function compact(value: Json): Json {
  for (const k of Object.keys(value)) if (value[k] === undefined) delete value[k];
  return value;
}
