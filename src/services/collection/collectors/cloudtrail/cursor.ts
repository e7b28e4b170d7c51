/**
 * Positions of the CloudTrail collector, one per (region, day) scope (see layout.ts for scope names).
 *
 * A position is JSON `{"after":"<key>","from":"<key>","seen":["<file name>",…],"t":<ms>}`:
 * - `after`: the greatest key read in that day prefix (absent until a file was read);
 * - `from`: where the day's first listing started when that was not the start of the day (a new
 *   integration starts `lookbackMs` back): nothing before it is ever read;
 * - `seen`: names (relative to the day prefix) of the files read whose delivery minute is within the late
 *   margin of `after`'s. A run lists from `after` moved back by the margin, so a file delivered late (its name
 *   sorts before `after`) is still found, and the files already read in that margin are skipped by name;
 * - `t`: when the day was last listed. A past day is listed until one run has listed it at least
 *   `yesterdayGraceMs` after its end (CloudTrail keeps delivering a day's files for a while after midnight).
 *
 * Bounded: `seen` holds only the margin's files (at most `maxSeen`, oldest dropped first). A file delivered
 * later than the margin behind the newest file is missed; one re-read because `seen` overflowed stores no
 * duplicate events (events are de-duplicated by eventID).
 */
import { dayPrefix, dayScope, dayStartOf, daysBetween, DAY_MS, minuteStart, movedBack, parseDayScope, stampOf, type LogBase } from './layout.ts';

export interface DayPosition {
  after?: string;
  from?: string;
  seen: string[];
  t: number;
}

export function parsePosition(text: string | undefined, prefix: string): DayPosition | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  // A position of another bucket, prefix or account (the integration was edited) does not apply.
  for (const field of ['after', 'from'] as const) {
    if (o[field] !== undefined && (typeof o[field] !== 'string' || !o[field].startsWith(prefix))) return undefined;
  }
  const seen = Array.isArray(o.seen) ? o.seen.filter((s): s is string => typeof s === 'string') : [];
  const t = typeof o.t === 'number' && Number.isFinite(o.t) ? o.t : 0;
  return {
    ...(typeof o.after === 'string' ? { after: o.after } : {}),
    ...(typeof o.from === 'string' ? { from: o.from } : {}),
    seen,
    t,
  };
}

export function formatPosition(p: DayPosition): string {
  return JSON.stringify({
    ...(p.after !== undefined ? { after: p.after } : {}),
    ...(p.from !== undefined ? { from: p.from } : {}),
    seen: p.seen,
    t: p.t,
  });
}

/** What to list in one day prefix this run. */
export interface DayPlan {
  scope: string;
  region: string;
  day: string;
  prefix: string;
  /** ListObjectsV2 StartAfter (absent: the whole day). */
  startAfter?: string;
  position: DayPosition;
  /** File names already read (skipped). */
  seen: Set<string>;
}

export interface PlanSettings {
  lookbackMs: number;
  yesterdayGraceMs: number;
  lateMarginMs: number;
  maxCatchUpMs: number;
}

/**
 * The days of one region to list this run, with where each listing starts:
 * - a region never collected: the days within `lookbackMs` of now, from now − lookback;
 * - otherwise: today, every day after the newest day with a cursor (a pause spanning midnight; from its
 *   start, at most `maxCatchUpMs` back), and earlier days with a cursor that were not yet listed a grace
 *   period after their end (yesterday, for an hour after midnight).
 */
export function planDays(base: LogBase, region: string, cursors: ReadonlyMap<string, string>, now: number, s: PlanSettings): DayPlan[] {
  const known = new Map<string, DayPosition>();
  for (const [scope, text] of cursors) {
    const parsed = parseDayScope(scope);
    if (!parsed || parsed.region !== region || parsed.org !== base.org) continue;
    const position = parsePosition(text, dayPrefix(base, region, parsed.day));
    if (position) known.set(parsed.day, position);
  }
  const plans: DayPlan[] = [];
  const plan = (day: string, known: DayPosition | undefined, floorMs: number) => {
    const prefix = dayPrefix(base, region, day);
    const position: DayPosition = known ?? {
      ...(floorMs > dayStartOf(day) ? { from: minuteStart(base, region, day, floorMs) } : {}),
      seen: [],
      t: 0,
    };
    let startAfter = position.from;
    if (position.after !== undefined) {
      const back = movedBack(position.after, s.lateMarginMs) ?? position.after;
      if (startAfter === undefined || back > startAfter) startAfter = back;
    }
    if (startAfter !== undefined && !startAfter.startsWith(prefix)) startAfter = undefined;
    plans.push({
      scope: dayScope(base, region, day),
      region,
      day,
      prefix,
      ...(startAfter !== undefined ? { startAfter } : {}),
      position,
      seen: new Set(position.seen),
    });
  };

  if (known.size === 0) {
    const floor = now - s.lookbackMs;
    for (const day of daysBetween(floor, now)) plan(day, undefined, floor);
    return plans;
  }
  const floor = now - s.maxCatchUpMs;
  const newest = [...known.keys()].sort().pop()!;
  for (const day of daysBetween(floor, now)) {
    const position = known.get(day);
    if (position) {
      const done = position.t >= dayStartOf(day) + DAY_MS + s.yesterdayGraceMs;
      if (!done) plan(day, position, floor);
    } else if (day > newest) {
      plan(day, undefined, floor);
    }
  }
  return plans;
}

/**
 * The position after a run read `read` (keys in listing order, all fully processed) of a planned day:
 * `after` moves to the greatest key, `seen` keeps the names within the late margin of it.
 */
export function advance(plan: DayPlan, read: readonly string[], now: number, s: { lateMarginMs: number; maxSeen: number }): DayPosition {
  let after = plan.position.after;
  for (const key of read) if (after === undefined || key > after) after = key;
  const names = new Set(plan.position.seen);
  for (const key of read) names.add(key.slice(plan.prefix.length));
  const newest = after !== undefined ? stampOf(after)?.ms : undefined;
  let seen = [...names];
  if (newest !== undefined) {
    seen = seen.filter((name) => {
      const st = stampOf(name);
      return st === undefined || st.ms >= newest - s.lateMarginMs;
    });
  }
  seen.sort();
  if (seen.length > s.maxSeen) seen = seen.slice(seen.length - s.maxSeen);
  return { ...(after !== undefined ? { after } : {}), ...(plan.position.from !== undefined ? { from: plan.position.from } : {}), seen, t: now };
}
