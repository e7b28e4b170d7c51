/**
 * Where CloudTrail puts its log files (reference/collectors.md §5), and the cursor scopes Skyport keeps for them:
 *
 *   <prefix>/AWSLogs/[o-<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
 *
 * The timestamp in the name is the delivery time (UTC, to the minute), so within a day prefix keys sort by
 * delivery time; files of the same minute sort by their random suffix. Digest files live under
 * `CloudTrail-Digest/` beside `CloudTrail/` and are never listed.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `<prefix>/AWSLogs/`: the trail's configured key prefix (without slashes at either end), then `AWSLogs/`. */
export function logsRoot(prefix: string | undefined): string {
  const p = prefix === undefined ? '' : prefix.replace(/^\/+|\/+$/g, '');
  if (p === '') return 'AWSLogs/';
  // Wavefront's own docs call the whole path up to AWSLogs "the prefix" (default `AWSLogs`): accept both readings.
  if (p === 'AWSLogs' || p.endsWith('/AWSLogs')) return `${p}/`;
  return `${p}/AWSLogs/`;
}

/** One place an account's logs are found: directly under AWSLogs/, or under an organization folder. */
export interface LogBase {
  /** `o-xxxx` for an organization trail, undefined for the account's own trail. */
  org?: string;
  /** `<root>[o-xxxx/]<account>/CloudTrail/` */
  trailPrefix: string;
  account: string;
}

export function logBase(root: string, account: string, org?: string): LogBase {
  return { org, account, trailPrefix: `${root}${org ? `${org}/` : ''}${account}/CloudTrail/` };
}

/** UTC day of an instant as `YYYY/MM/DD`. */
function dayOf(ms: number): string {
  const t = new Date(ms);
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
}

/** Start of a `YYYY/MM/DD` day, epoch ms (UTC). */
export function dayStartOf(day: string): number {
  const [y, m, d] = day.split('/').map(Number);
  return Date.UTC(y, m - 1, d);
}

const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** Every UTC day that intersects [fromMs, toMs], oldest first. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = dayStart(fromMs); t <= toMs; t += DAY_MS) out.push(dayOf(t));
  return out;
}

/** `<trailPrefix><region>/YYYY/MM/DD/` */
export function dayPrefix(base: LogBase, region: string, day: string): string {
  return `${base.trailPrefix}${region}/${day}/`;
}

/** `YYYYMMDDTHHmmZ` of an instant (the timestamp CloudTrail puts in file names). */
function minuteStamp(ms: number): string {
  const t = new Date(ms);
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}Z`;
}

const STAMP = /_(\d{8}T\d{4}Z)(?:_|$)/;

/** The delivery minute in a log file key (or a name prefix ending in a stamp), epoch ms; undefined if none. */
export function stampOf(key: string): { ms: number; at: number } | undefined {
  const slash = key.lastIndexOf('/');
  const m = STAMP.exec(key.slice(slash + 1));
  if (!m || m.index === undefined) return undefined;
  const s = m[1];
  const ms = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13));
  if (!Number.isFinite(ms)) return undefined;
  return { ms, at: slash + 1 + m.index + 1 };
}

/**
 * A StartAfter value that lists every file of the day delivered at `ms` or later: the name up to the
 * timestamp (`…/<account>_CloudTrail_<region>_<stamp>`), which sorts before every file of that minute.
 */
export function minuteStart(base: LogBase, region: string, day: string, ms: number): string {
  return `${dayPrefix(base, region, day)}${base.account}_CloudTrail_${region}_${minuteStamp(ms)}`;
}

/**
 * `key` moved back by `marginMs`: the same name with its timestamp `marginMs` earlier and nothing after it.
 * Undefined when the key carries no timestamp.
 */
export function movedBack(key: string, marginMs: number): string | undefined {
  const s = stampOf(key);
  if (!s) return undefined;
  return key.slice(0, s.at) + minuteStamp(s.ms - marginMs);
}

/** A key is a log file to read: a `.json.gz` (or `.json`) object, never a digest. */
export function isLogFile(key: string): boolean {
  return (key.endsWith('.json.gz') || key.endsWith('.json')) && !key.includes('CloudTrail-Digest');
}

// ---- cursor scopes ---------------------------------------------------------------------------------------

/** The cursor of one day of one region: `cloudtrail:[o-xxxx/]<region>:<YYYY/MM/DD>`. */
export function dayScope(base: LogBase, region: string, day: string): string {
  return `cloudtrail:${base.org ? `${base.org}/` : ''}${region}:${day}`;
}

/** The per-minute counts of one region: `cloudtrail-counts:[o-xxxx/]<region>`. */
export function countsScope(base: LogBase, region: string): string {
  return `cloudtrail-counts:${base.org ? `${base.org}/` : ''}${region}`;
}

const DAY_SCOPE = /^cloudtrail:(?:(o-[a-z0-9]+)\/)?([a-z0-9-]+):(\d{4}\/\d{2}\/\d{2})$/;

export function parseDayScope(scope: string): { org?: string; region: string; day: string } | undefined {
  const m = DAY_SCOPE.exec(scope);
  if (!m) return undefined;
  return { org: m[1], region: m[2], day: m[3] };
}

export { DAY_MS, MINUTE_MS };
