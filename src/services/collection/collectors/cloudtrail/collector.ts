import { fixedRegionsOf, runRegions, throwIfCredentialsFailEverywhere, withDefaults } from '../regionRuns.ts';
import type { CollectInput, CollectResult, Collector } from '../types.ts';
import { createLayoutCache, discoverLayout } from './discover.ts';
import { emitResult, runWarning } from './emit.ts';
import { compileFilter } from './events.ts';
import { logsRoot } from './layout.ts';
import { readRegion } from './read.ts';
import type { CloudTrailCollectorDeps, RunContext } from './run.ts';

export type { CloudTrailCollectorDeps } from './run.ts';

/**
 * The CloudTrail collector (DESIGN.md "Collectors", reference/collectors.md §5): an incremental tailer of the
 * trail's S3 bucket. One run:
 * 1. assumes the role (a failure is thrown: the run fails);
 * 2. finds where the account's logs are (`AWSLogs/<account>/` and/or `AWSLogs/o-<org>/<account>/`) and its
 *    region folders, cached for `layoutTtlMs`; an AccessDenied on the bucket here is thrown (credentials);
 * 3. per region, plans the day prefixes to list (cursor.ts) and lists each with StartAfter;
 * 4. reads the new log files (gunzip + streaming parse, records.ts), keeps the records the filter admits,
 *    and turns them into events and per-minute counts (events.ts);
 * 5. returns the events, the counter points and, per day, the new position (emit.ts). A file is committed only when it
 *    and every file listed before it in its day were read completely, so a failure re-reads from there.
 * A failing day or region is reported in `partialErrors` and keeps its cursor; when every region fails on
 * credentials or permissions, the first such error is thrown so the integration is disabled.
 */
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

export function createCloudTrailCollector(overrides: Partial<CloudTrailCollectorDeps> = {}): Collector<'CLOUDTRAIL'> {
  const settings = withDefaults(CLOUDTRAIL_DEFAULTS as CloudTrailCollectorDeps, overrides);
  const fixedRegions = fixedRegionsOf(settings.regions);
  const layouts = createLayoutCache({ ttlMs: settings.layoutTtlMs, emptyTtlMs: settings.emptyLayoutTtlMs, maxEntries: settings.maxCacheEntries });

  return async function collectCloudTrail(input: CollectInput<'CLOUDTRAIL'>): Promise<CollectResult> {
    const { target, now, signal } = input;
    await input.credentials();
    const { bucketName: bucket, region: bucketRegion, prefix, filterRule } = target.config;
    const root = logsRoot(prefix);
    const s3 = input.aws.s3(bucketRegion);
    const account = target.accountId;
    const ctx: RunContext = {
      settings,
      input,
      s3,
      bucket,
      account,
      filter: compileFilter(filterRule),
      budget: { filesLeft: settings.maxFilesPerRun, eventsLeft: settings.maxEventsPerRun, deferred: 0 },
      eventIds: new Set(),
    };

    // An AccessDenied here means the role cannot read the bucket at all: thrown, the integration is disabled.
    const layout = await layouts.get(`${target.roleArn}|${bucket}|${root}|${account}`, now, () =>
      discoverLayout(s3, { bucket, root, account }, fixedRegions, signal),
    );
    const jobs = layout.bases.flatMap(({ base, regions }) => regions.map((region) => ({ base, region })));
    const runs = await runRegions(jobs, settings.regionConcurrency, signal, (job) => readRegion(ctx, job));
    throwIfCredentialsFailEverywhere(runs.map((r) => ({ failures: r.failures, succeeded: r.days.some((day) => day.error === undefined) })));
    const result = emitResult(ctx, runs);
    const warning = runWarning(ctx, runs, { root, logsFound: layout.bases.length > 0 });
    if (warning !== undefined) result.warning = warning;
    return result;
  };
}
