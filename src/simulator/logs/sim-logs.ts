import type { IamStore } from '../accounts.ts';
import type { SimClock } from '../clock.ts';
import { fnv1a, mix32 } from '../ids.ts';
import { AccessLogTraffic, type AccessLogTotals, type AccessLogTrafficSpec } from './access-log.ts';
import type { LogGroup, LogStore, LogStream } from './store.ts';

export interface LogGroupInput {
  accountId: string;
  region: string;
  logGroupName: string;
}

export interface LogStreamInput extends LogGroupInput {
  logStreamName: string;
}

export interface LogEventsInput extends LogStreamInput {
  /** Stored as given: no ordering or age rules (those are PutLogEvents'). */
  events: Array<{ timestamp: number; message: string; ingestionTime?: number }>;
}

export interface AccessLogWriteInput extends AccessLogTrafficSpec {
  accountId: string;
  region: string;
  logGroupName: string;
  /** How many streams (named like API Gateway's, 32 hex digits), or their names; line i goes to stream i mod n. Default 1. */
  streams?: number | string[];
  /** Every line is ingested this long after its event time (default 0); never before the write. */
  ingestionDelayMs?: number;
  /** A share of the lines arrives `delayMs` later still: invisible to reads until the simulator clock gets there. */
  late?: { fraction: number; delayMs: number };
}

export interface AccessLogWriteResult {
  logGroupName: string;
  streams: string[];
  lines: number;
  /** Lines ingested after the write (visible only once the simulator clock reaches their ingestion time). */
  pending: number;
  late: number;
  totals: AccessLogTotals;
}

export interface LogsLimits {
  /** FilterLogEvents calls per second per account × region; `null` or Infinity lifts the limit (benchmarks). */
  filterLogEventsPerSecond?: number | null;
  /** Monotonic clock (ms) of the rate window; default performance.now. */
  clock?: () => number;
}

export interface LogGroupSummary {
  accountId: string;
  region: string;
  logGroupName: string;
  creationTime: number;
  events: number;
  streams: Array<{ logStreamName: string; events: number; firstEventTimestamp?: number; lastEventTimestamp?: number; lastIngestionTime?: number }>;
}

const MAX_STREAMS = 1000;

/** The in-process admin API of simulated CloudWatch Logs (`sim.logs`): groups, streams, events, traffic, limits. */
export class SimLogs {
  constructor(
    private readonly store: LogStore,
    private readonly iam: IamStore,
    private readonly clock: SimClock,
  ) {}

  /** The group, created if missing. */
  createGroup(input: LogGroupInput): LogGroup {
    required(input, ['accountId', 'region', 'logGroupName']);
    this.iam.ensureAccount(input.accountId);
    return (
      this.store.group(input.accountId, input.region, input.logGroupName) ??
      (this.store.createGroup(input.accountId, input.region, input.logGroupName, this.clock.now()) as LogGroup)
    );
  }

  /** The stream (and its group), created if missing. */
  createStream(input: LogStreamInput): LogStream {
    required(input, ['logStreamName']);
    const group = this.createGroup(input);
    return group.streams.get(input.logStreamName) ?? (this.store.createStream(group, input.logStreamName, this.clock.now()) as LogStream);
  }

  /** Stores events as given (ingestion time default: now). Returns how many were stored. */
  putEvents(input: LogEventsInput): number {
    const stream = this.createStream(input);
    const group = this.createGroup(input);
    const now = this.clock.now();
    for (const e of input.events ?? []) {
      if (!Number.isFinite(e.timestamp) || typeof e.message !== 'string') throw new Error('each event needs a numeric timestamp and a message');
      this.store.putMessage(group, stream, e.timestamp, e.message, e.ingestionTime ?? now);
    }
    return input.events?.length ?? 0;
  }

  group(accountId: string, region: string, logGroupName: string): LogGroup | undefined {
    return this.store.group(accountId, region, logGroupName);
  }

  summaries(accountId?: string, region?: string): LogGroupSummary[] {
    const out: LogGroupSummary[] = [];
    for (const g of this.store.allGroups()) {
      if ((accountId && g.accountId !== accountId) || (region && g.region !== region)) continue;
      out.push({
        accountId: g.accountId,
        region: g.region,
        logGroupName: g.name,
        creationTime: g.creationTime,
        events: g.events.size,
        streams: g.streamList.map((s) => ({
          logStreamName: s.name,
          events: s.events,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
        })),
      });
    }
    return out;
  }

  /**
   * Writes generated API Gateway access-log lines into a group (created if missing) over several streams and
   * returns the exact totals of what was written. Lines are rendered when read, so a million cost only rows.
   */
  writeAccessLogs(input: AccessLogWriteInput): AccessLogWriteResult {
    const traffic = new AccessLogTraffic(input);
    const group = this.createGroup(input);
    const names = streamNames(input);
    const streams = names.map((logStreamName) => this.createStream({ ...input, logStreamName }));
    const now = this.clock.now();
    const delay = Math.max(0, input.ingestionDelayMs ?? 0);
    const late = input.late;
    if (late && !(late.fraction >= 0 && late.fraction <= 1 && late.delayMs >= 0)) throw new Error('late needs fraction within 0..1 and delayMs >= 0');
    const lateSeed = mix32(input.seed ?? 1, 0x1a7e);
    const source = group.events.addSource(traffic);
    group.events.reserve(traffic.count);
    let lateLines = 0;
    let pending = 0;
    for (let i = 0; i < traffic.count; i++) {
      const timestamp = traffic.timestampOf(i);
      const isLate = late !== undefined && mix32(lateSeed, i) / 4294967296 < late.fraction;
      if (isLate) lateLines++;
      const ingestionTime = Math.max(now, timestamp + delay + (isLate ? late.delayMs : 0));
      if (ingestionTime > now) pending++;
      const stream = streams[i % streams.length];
      this.store.noteEvent(stream, timestamp, ingestionTime);
      group.events.appendGenerated(timestamp, ingestionTime, stream.index, source, i);
    }
    return { logGroupName: group.name, streams: names, lines: traffic.count, pending, late: lateLines, totals: traffic.totals() };
  }

  /** Changes the FilterLogEvents rate limit or its clock; forgets past calls. */
  setLimits(limits: LogsLimits): { filterLogEventsPerSecond: number | null } {
    const rate = this.store.filterRate;
    if (limits.filterLogEventsPerSecond !== undefined) {
      const v = limits.filterLogEventsPerSecond;
      if (v !== null && !(v > 0)) throw new Error('filterLogEventsPerSecond must be > 0 (null lifts the limit)');
      rate.perSecond = v === null ? Infinity : v;
    }
    if (limits.clock) rate.clock = limits.clock;
    rate.reset();
    return this.limits();
  }

  limits(): { filterLogEventsPerSecond: number | null } {
    const v = this.store.filterRate.perSecond;
    return { filterLogEventsPerSecond: Number.isFinite(v) ? v : null };
  }
}

function required(input: object, keys: string[]): void {
  for (const k of keys) {
    const v = (input as Record<string, unknown>)[k];
    if (typeof v !== 'string' || v === '') throw new Error(`${k} is required`);
  }
}

function streamNames(input: AccessLogWriteInput): string[] {
  if (Array.isArray(input.streams)) {
    if (input.streams.length === 0 || input.streams.length > MAX_STREAMS) throw new Error(`streams must name 1..${MAX_STREAMS} streams`);
    return input.streams.map(String);
  }
  const n = input.streams ?? 1;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_STREAMS)) throw new Error(`streams must be an integer within 1..${MAX_STREAMS}`);
  // API Gateway names access-log streams with 32 hex digits; derive them from the API, stage and seed.
  return Array.from({ length: n }, (_, k) => {
    const base = mix32(mix32(input.seed ?? 1, fnv1a(`${input.apiId}/${input.stage}`)), k);
    return [0, 1, 2, 3].map((j) => mix32(base, j).toString(16).padStart(8, '0')).join('');
  });
}
