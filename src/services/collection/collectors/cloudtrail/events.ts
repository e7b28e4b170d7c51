/**
 * What a CloudTrail record becomes: the filter that decides whether it is kept, the "AWS Action: <eventName>"
 * event, and the per-minute counters (Wavefront's CloudTrail output, reference/collectors.md §4.4).
 */
import type { CollectedEvent, CollectedPoint } from '../types.ts';
import { metricPart } from '../naming.ts';
import { compileUserRegex } from '../../../../lib/userRegex.ts';
import type { CloudTrailRecord } from './records.ts';
import { toStorableText } from '../../../../lib/text.ts';

const READ_ONLY_NAME = /^(Describe|Get|List)/;
const MAX_ANNOTATION = 1024;

/** Which records are kept. */
export type RecordFilter = (record: CloudTrailRecord) => boolean;

/**
 * `filterRule` set: a regular expression (case-insensitive, matched anywhere unless anchored) tested against
 * `<eventSource>:<eventName>`, e.g. `^ec2\.amazonaws\.com:(Run|Terminate)Instances$`; it replaces the default.
 * Unset or empty: every record that is not read-only: `readOnly` false, or, in records without `readOnly`,
 * an event name that does not start with Describe, Get or List.
 */
export function compileFilter(filterRule: string | undefined): RecordFilter {
  if (filterRule !== undefined && filterRule !== '') {
    const re = compileUserRegex(filterRule, 'cloudTrail.filterRule', 'anywhere');
    return (r) => re.test(`${text(r.eventSource)}:${text(r.eventName)}`);
  }
  return (r) => {
    const readOnly = r.readOnly;
    if (readOnly === false || readOnly === 'false') return true;
    if (readOnly === true || readOnly === 'true') return false;
    return !READ_ONLY_NAME.test(text(r.eventName));
  };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

// Text PostgreSQL cannot store becomes U+FFFD.
const storable = toStorableText;

/** `ec2.amazonaws.com` → `ec2` (the part before `.amazonaws.com`), as a metric-name part. */
export function serviceOf(eventSource: string): string {
  const i = eventSource.indexOf('.amazonaws.com');
  return metricPart(i > 0 ? eventSource.slice(0, i) : eventSource || 'unknown');
}

export interface EventContext {
  integrationId: string;
  /** The account whose folder the file is in. */
  accountId: string;
}

/**
 * The event of a kept record, or undefined when the record has no usable eventName / eventTime.
 * Annotations (strings, absent when the record lacks the field): eventSource, eventName, awsRegion,
 * userIdentityArn (userIdentity.arn), userIdentityType, sourceIPAddress, errorCode, errorMessage, eventID,
 * eventType, accountId (recipientAccountId, else the folder's account). The event is instantaneous: it ends
 * 1 ms after it starts (Wavefront's convention), so it is stored ENDED.
 */
export function toEvent(r: CloudTrailRecord, ctx: EventContext): CollectedEvent | undefined {
  const eventName = storable(text(r.eventName));
  const startMs = Date.parse(text(r.eventTime));
  if (eventName === '' || !Number.isFinite(startMs)) return undefined;
  const eventSource = storable(text(r.eventSource));
  const identity = (r.userIdentity && typeof r.userIdentity === 'object' ? r.userIdentity : {}) as Record<string, unknown>;
  const account = storable(text(r.recipientAccountId)) || ctx.accountId;
  const annotations: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    const s = storable(text(value));
    if (s !== '') annotations[key] = s.length > MAX_ANNOTATION ? storable(s.slice(0, MAX_ANNOTATION)) : s;
  };
  put('eventSource', eventSource);
  put('eventName', eventName);
  put('awsRegion', r.awsRegion);
  put('userIdentityArn', identity.arn);
  put('userIdentityType', identity.type);
  put('sourceIPAddress', r.sourceIPAddress);
  put('errorCode', r.errorCode);
  put('errorMessage', r.errorMessage);
  put('eventID', r.eventID);
  put('eventType', r.eventType);
  put('accountId', account);
  const eventID = storable(text(r.eventID));
  return {
    name: `AWS Action: ${eventName}`,
    startMs,
    endMs: startMs + 1,
    annotations,
    tags: [`aws.cloudtrail.${serviceOf(eventSource)}`, ctx.integrationId],
    hosts: [account],
    ...(eventID !== '' ? { dedupeKey: eventID } : {}),
  };
}

// ---- per-minute counters ---------------------------------------------------------------------------------

const MINUTE = 60_000;

/** One count: [minute (epoch ms), eventSource, eventName, eventType, count]. */
type Entry = [number, string, string, string, number];

/**
 * Per-minute counts of one region's kept records, carried between runs in a cursor (scope
 * `cloudtrail-counts:…`), because one minute's records arrive in several files and often in several runs:
 * each run emits, for every minute it touched, the count of everything seen for that minute so far, and the
 * stored point (one per series and timestamp) is overwritten with the new total. Minutes older than the
 * window are dropped from the state; records that arrive later than that for a minute start it afresh.
 */
export class MinuteCounts {
  private readonly entries = new Map<string, Entry>();
  private readonly touched = new Set<number>();

  static parse(text: string | undefined, now: number, windowMs: number): MinuteCounts {
    const counts = new MinuteCounts();
    if (text === undefined) return counts;
    try {
      const v = JSON.parse(text) as { c?: unknown };
      if (Array.isArray(v.c)) {
        for (const e of v.c) {
          if (!Array.isArray(e) || e.length !== 5) continue;
          const [minute, source, name, type, n] = e as unknown[];
          if (typeof minute !== 'number' || typeof n !== 'number' || minute < now - windowMs) continue;
          counts.entries.set(key(minute, String(source), String(name), String(type)), [minute, String(source), String(name), String(type), n]);
        }
      }
    } catch {
      // An unreadable state starts afresh.
    }
    return counts;
  }

  add(startMs: number, eventSource: string, eventName: string, eventType: string, n = 1): void {
    const minute = Math.floor(startMs / MINUTE) * MINUTE;
    const k = key(minute, eventSource, eventName, eventType);
    const e = this.entries.get(k);
    if (e) e[4] += n;
    else this.entries.set(k, [minute, eventSource, eventName, eventType, n]);
    this.touched.add(minute);
  }

  /** Adds another run's (or file's) counts. */
  merge(other: MinuteCounts): void {
    for (const e of other.entries.values()) this.add(e[0], e[1], e[2], e[3], e[4]);
  }

  get size(): number {
    return this.entries.size;
  }

  get changed(): boolean {
    return this.touched.size > 0;
  }

  /** The state to keep: minutes within the window of now. */
  format(now: number, windowMs: number): string {
    const c: Entry[] = [];
    for (const e of this.entries.values()) if (e[0] >= now - windowMs) c.push(e);
    c.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    return JSON.stringify({ c });
  }

  /**
   * Points for every minute touched since parse: `aws.cloudtrail.event.<eventname>` per (eventSource,
   * eventName, eventType) and `aws.cloudtrail.event.total-per-minute` over all of them. Source: the account id.
   * Tags: eventType, eventSource, Region, accountId, bucket (the total: Region, accountId, bucket), on top
   * of the integration's additionalTags.
   */
  points(ctx: { accountId: string; region: string; bucket: string; additionalTags: Record<string, string> | null }): CollectedPoint[] {
    const out: CollectedPoint[] = [];
    const totals = new Map<number, number>();
    const base = { ...(ctx.additionalTags ?? {}), Region: ctx.region, accountId: ctx.accountId, bucket: ctx.bucket };
    for (const [minute, source, name, type, n] of this.entries.values()) {
      if (!this.touched.has(minute)) continue;
      out.push({
        metric: `aws.cloudtrail.event.${metricPart(name)}`,
        source: ctx.accountId,
        tags: { ...base, eventType: type, eventSource: source },
        ts: minute,
        value: n,
      });
      totals.set(minute, (totals.get(minute) ?? 0) + n);
    }
    for (const [minute, n] of totals) {
      out.push({ metric: 'aws.cloudtrail.event.total-per-minute', source: ctx.accountId, tags: { ...base }, ts: minute, value: n });
    }
    return out;
  }
}

const key = (minute: number, source: string, name: string, type: string) => `${minute}\u0000${source}\u0000${name}\u0000${type}`;

/** The counter identity of a kept record. */
export function counterFields(r: CloudTrailRecord): { eventSource: string; eventName: string; eventType: string } {
  return {
    eventSource: storable(text(r.eventSource)) || 'unknown',
    eventName: storable(text(r.eventName)),
    eventType: storable(text(r.eventType)) || 'unknown',
  };
}
