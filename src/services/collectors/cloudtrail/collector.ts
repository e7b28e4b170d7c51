import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { classifyAwsError } from '../../aws/errors.ts';
import { mapLimit } from '../concurrency.ts';
import type { CollectedEvent, CollectedPoint, CollectInput, CollectResult, Collector } from '../types.ts';
import { advance, formatPosition, planDays, type DayPlan } from './cursor.ts';
import { compileFilter, counterFields, MinuteCounts, toEvent, type RecordFilter } from './events.ts';
import { countsScope, isLogFile, logBase, logsRoot, type LogBase } from './layout.ts';
import { LogFormatError, readLogStream } from './records.ts';

/**
 * The CloudTrail collector (DESIGN.md "Collectors", reference/collectors.md §5): an incremental tailer of the
 * trail's S3 bucket. One run:
 * 1. assumes the role (a failure is thrown: the run fails);
 * 2. finds where the account's logs are (`AWSLogs/<account>/` and/or `AWSLogs/o-<org>/<account>/`) and its
 *    region folders, cached for `layoutTtlMs`; an AccessDenied on the bucket here is thrown (credentials);
 * 3. per region, plans the day prefixes to list (cursor.ts) and lists each with StartAfter;
 * 4. reads the new log files (gunzip + streaming parse, records.ts), keeps the records the filter admits,
 *    and turns them into events and per-minute counts (events.ts);
 * 5. returns the events, the counter points and, per day, the new position. A file is committed only when it
 *    and every file listed before it in its day were read completely, so a failure re-reads from there.
 * A failing day or region is reported in `partialErrors` and keeps its cursor; when every region fails on
 * credentials or permissions, the first such error is thrown so the integration is disabled.
 */
export interface CloudTrailCollectorDeps {
  /** SKYPORT_AWS_REGIONS; unset or empty: every region folder found under the account. */
  regions?: string[];
  /** How far back a region never collected starts (SKYPORT_CLOUDTRAIL_LOOKBACK, 1 h). */
  lookbackMs: number;
  /** A past day is listed until a run has listed it this long after its end (1 h after midnight UTC). */
  yesterdayGraceMs: number;
  /** Files delivered up to this long before the newest file read are still picked up (10 min). */
  lateMarginMs: number;
  /** After a pause, days older than this are given up (24 h). */
  maxCatchUpMs: number;
  /** Per-minute counts are carried between runs this long (2 h). */
  countWindowMs: number;
  /** File names remembered per day for the late margin. */
  maxSeenKeys: number;
  /** The logs' layout and region folders are re-discovered this often (1 h); an empty layout after 5 min. */
  layoutTtlMs: number;
  emptyLayoutTtlMs: number;
  /** Bounds of one run: files started and events kept; the rest waits for the next run. */
  maxFilesPerRun: number;
  maxEventsPerRun: number;
  /** A single record larger than this fails its file. */
  maxRecordBytes: number;
  /** Regions read at once, and files read at once within one day prefix. */
  regionConcurrency: number;
  fileConcurrency: number;
  maxCacheEntries: number;
}

export const CLOUDTRAIL_DEFAULTS: Readonly<CloudTrailCollectorDeps> = Object.freeze({
  lookbackMs: 60 * 60_000,
  yesterdayGraceMs: 60 * 60_000,
  lateMarginMs: 10 * 60_000,
  maxCatchUpMs: 24 * 60 * 60_000,
  countWindowMs: 2 * 60 * 60_000,
  maxSeenKeys: 2_000,
  layoutTtlMs: 60 * 60_000,
  emptyLayoutTtlMs: 5 * 60_000,
  maxFilesPerRun: 2_000,
  maxEventsPerRun: 200_000,
  maxRecordBytes: 32 * 1024 * 1024,
  regionConcurrency: 4,
  fileConcurrency: 4,
  maxCacheEntries: 10_000,
});

interface Layout {
  bases: Array<{ base: LogBase; regions: string[] }>;
}

interface FileResult {
  key: string;
  events: CollectedEvent[];
  counts: MinuteCounts;
  records: number;
  error?: unknown;
  /** Not read: the run's event budget ran out first. */
  deferred?: boolean;
}

interface RegionRun {
  base: LogBase;
  region: string;
  days: Array<{ plan: DayPlan; read: string[]; error?: unknown; listed: boolean }>;
  counts: MinuteCounts;
  events: CollectedEvent[];
  failures: Array<{ scope: string; error: unknown }>;
  skipped: string[];
}

const isCredentialKind = (error: unknown): boolean => {
  const kind = classifyAwsError(error).kind;
  return kind === 'credentials' || kind === 'denied';
};

/** Stream and parse errors that will not go away by reading the file again. */
const unreadable = (error: unknown): boolean => {
  if (error instanceof LogFormatError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
};

export function createCloudTrailCollector(overrides: Partial<CloudTrailCollectorDeps> = {}): Collector {
  const d: CloudTrailCollectorDeps = { ...CLOUDTRAIL_DEFAULTS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (d as unknown as Record<string, unknown>)[k] = v;
  const fixedRegions = d.regions && d.regions.length > 0 ? [...d.regions] : undefined;
  const layouts = new Map<string, { value: Layout; expires: number }>();

  async function listPrefixes(s3: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
        { abortSignal: signal },
      );
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /**
   * Where the account's logs are: its own folder `AWSLogs/<account>/` and any organization folder
   * `AWSLogs/o-xxxx/<account>/` (both can exist when a trail became an organization trail), each with the
   * region folders under its `CloudTrail/`.
   */
  async function discover(s3: S3Client, bucket: string, root: string, account: string, signal: AbortSignal): Promise<Layout> {
    const orgs = (await listPrefixes(s3, bucket, `${root}o-`, signal))
      .map((p) => p.slice(root.length, -1))
      .filter((o) => /^o-[a-z0-9]+$/.test(o));
    const candidates = [logBase(root, account), ...orgs.map((org) => logBase(root, account, org))];
    const bases: Layout['bases'] = [];
    for (const base of candidates) {
      const regions = (await listPrefixes(s3, bucket, base.trailPrefix, signal))
        .map((p) => p.slice(base.trailPrefix.length, -1))
        .filter((r) => /^[a-z0-9-]+$/.test(r));
      if (regions.length === 0) continue;
      bases.push({ base, regions: fixedRegions ?? regions.sort() });
    }
    return { bases };
  }

  async function layoutFor(key: string, now: number, load: () => Promise<Layout>): Promise<Layout> {
    const cached = layouts.get(key);
    if (cached && cached.expires > now) return cached.value;
    const value = await load();
    layouts.delete(key);
    layouts.set(key, { value, expires: now + (value.bases.length > 0 ? d.layoutTtlMs : d.emptyLayoutTtlMs) });
    for (const k of layouts.keys()) {
      if (layouts.size <= d.maxCacheEntries) break;
      layouts.delete(k);
    }
    return value;
  }

  return async function collectCloudTrail(input: CollectInput): Promise<CollectResult> {
    const { target, aws, cursors, now, signal } = input;
    await input.credentials();
    const cfg = target.config;
    const bucket = typeof cfg.bucketName === 'string' ? cfg.bucketName : '';
    const bucketRegion = typeof cfg.region === 'string' ? cfg.region : '';
    if (bucket === '' || bucketRegion === '') throw Object.assign(new Error('cloudTrail.bucketName and cloudTrail.region are required'), { name: 'InvalidConfiguration' });
    const filter: RecordFilter = compileFilter(cfg.filterRule);
    const root = logsRoot(cfg.prefix);
    const s3 = aws.s3(bucketRegion);
    const account = target.accountId;

    // An AccessDenied here means the role cannot read the bucket at all: thrown, the integration is disabled.
    const layout = await layoutFor(`${target.roleArn}|${bucket}|${root}|${account}`, now, () => discover(s3, bucket, root, account, signal));

    let filesLeft = d.maxFilesPerRun;
    let eventsLeft = d.maxEventsPerRun;
    let deferred = 0;
    const eventIds = new Set<string>();

    const readFile = async (key: string): Promise<FileResult> => {
      const result: FileResult = { key, events: [], counts: new MinuteCounts(), records: 0 };
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        if (!out.Body) return result;
        const eventCtx = { integrationId: target.id, accountId: account };
        const read = await readLogStream(
          out.Body as Readable,
          (record) => {
            if (!filter(record)) return;
            const event = toEvent(record, eventCtx);
            if (!event) return;
            result.events.push(event);
            const f = counterFields(record);
            result.counts.add(event.startMs, f.eventSource, f.eventName, f.eventType);
          },
          { signal, maxRecordBytes: d.maxRecordBytes },
        );
        result.records = read.records;
      } catch (error) {
        result.error = error;
      }
      return result;
    };

    const listDay = async (plan: DayPlan): Promise<string[]> => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const res = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: plan.prefix,
            ...(token ? { ContinuationToken: token } : plan.startAfter !== undefined ? { StartAfter: plan.startAfter } : {}),
          }),
          { abortSignal: signal },
        );
        for (const o of res.Contents ?? []) {
          if (!o.Key || !isLogFile(o.Key)) continue;
          if (plan.seen.has(o.Key.slice(plan.prefix.length))) continue;
          keys.push(o.Key);
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return keys;
    };

    const runRegion = async (job: { base: LogBase; region: string }): Promise<RegionRun> => {
      const { base, region } = job;
      const run: RegionRun = { base, region, days: [], counts: new MinuteCounts(), events: [], failures: [], skipped: [] };
      const plans = planDays(base, region, cursors, now, d);
      for (const plan of plans) {
        const day: RegionRun['days'][number] = { plan, read: [], listed: false };
        run.days.push(day);
        let keys: string[];
        try {
          keys = await listDay(plan);
          day.listed = true;
        } catch (error) {
          day.error = error;
          run.failures.push({ scope: plan.scope, error });
          continue;
        }
        // Files are started in key order while the run's budget lasts; the rest waits for the next run.
        const chosen: string[] = [];
        for (const key of keys) {
          if (filesLeft <= 0 || eventsLeft <= 0) break;
          filesLeft--;
          chosen.push(key);
        }
        deferred += keys.length - chosen.length;
        const results = await mapLimit(chosen, d.fileConcurrency, async (key) => {
          if (eventsLeft <= 0) return { key, events: [], counts: new MinuteCounts(), records: 0, deferred: true } satisfies FileResult;
          const r = await readFile(key);
          eventsLeft -= r.events.length;
          return r;
        });
        // Commit the files read completely, in key order, up to the first one that must be read again.
        for (const r of results) {
          if (r.deferred) {
            deferred += results.length - results.indexOf(r);
            break;
          }
          if (r.error !== undefined) {
            if (unreadable(r.error)) {
              // A corrupt file never gets better: keep what it held, note it, and move on.
              run.skipped.push(`${r.key}: ${(r.error as Error).message}`);
            } else {
              day.error = r.error;
              run.failures.push({ scope: plan.scope, error: r.error });
              break;
            }
          }
          day.read.push(r.key);
          for (const e of r.events) {
            if (e.dedupeKey !== undefined) {
              if (eventIds.has(e.dedupeKey)) continue;
              eventIds.add(e.dedupeKey);
            }
            run.events.push(e);
          }
          run.counts.merge(r.counts);
        }
      }
      return run;
    };

    const jobs = layout.bases.flatMap(({ base, regions }) => regions.map((region) => ({ base, region })));
    const runs = await mapLimit(jobs, d.regionConcurrency, runRegion);
    signal.throwIfAborted();

    // ---- every region failed on credentials or permissions: the role cannot read the trail --------------------
    const failed = runs.filter((r) => r.failures.length > 0 && r.days.every((day) => day.error !== undefined));
    if (runs.length > 0 && failed.length === runs.length && failed.every((r) => r.failures.every((f) => isCredentialKind(f.error)))) {
      const all = failed.flatMap((r) => r.failures.map((f) => f.error));
      throw all.find((e) => classifyAwsError(e).kind === 'credentials') ?? all[0];
    }

    // ---- events, counters, cursors, errors ------------------------------------------------------------------
    const events: CollectedEvent[] = [];
    const points: CollectedPoint[] = [];
    const newCursors = new Map<string, string>();
    const partialErrors: CollectResult['partialErrors'] = [];
    const skipped: string[] = [];
    let newestMs: number | undefined;
    for (const run of runs) {
      for (const f of run.failures) partialErrors.push({ scope: f.scope, ...classifyAwsError(f.error) });
      skipped.push(...run.skipped);
      for (const day of run.days) {
        if (!day.listed) continue;
        newCursors.set(day.plan.scope, formatPosition(advance(day.plan, day.read, now, { lateMarginMs: d.lateMarginMs, maxSeen: d.maxSeenKeys })));
      }
      for (const e of run.events) {
        events.push(e);
        if (newestMs === undefined || e.startMs > newestMs) newestMs = e.startMs;
      }
      if (run.counts.size > 0) {
        const scope = countsScope(run.base, run.region);
        const state = MinuteCounts.parse(cursors.get(scope), now, d.countWindowMs);
        state.merge(run.counts);
        points.push(...state.points({ accountId: account, region: run.region, bucket, additionalTags: target.additionalTags }));
        newCursors.set(scope, state.format(now, d.countWindowMs));
      }
    }

    const result: CollectResult = { points, events, cursors: newCursors, metricCount: events.length, partialErrors };
    if (newestMs !== undefined) result.newestMs = newestMs;
    const warnings: string[] = [];
    if (layout.bases.length === 0) {
      warnings.push(`no CloudTrail logs of account ${account} under s3://${bucket}/${root} (looked in ${root}${account}/CloudTrail/ and ${root}o-*/${account}/CloudTrail/)`);
    }
    if (skipped.length > 0) warnings.push(`skipped ${skipped.length} unreadable log file(s): ${skipped.slice(0, 3).join('; ')}`);
    if (deferred > 0) warnings.push(`CloudTrail backlog: ${deferred} log file(s) left for the next run (at most ${d.maxFilesPerRun} files and ${d.maxEventsPerRun} events per run)`);
    if (warnings.length > 0) result.warning = warnings.join('; ');
    return result;
  };
}
