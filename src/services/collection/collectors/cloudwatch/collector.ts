import { createInventoryCache } from '../inventory.ts';
import { DEFAULT_HOST_NAME_TAGS } from '../naming.ts';
import {
  fixedRegionsOf,
  regionsOfRun,
  runRegions,
  throwIfCredentialsFailEverywhere,
  withDefaults,
} from '../regionRuns.ts';
import { createRegionsCache } from '../regions.ts';
import type { CollectInput, CollectResult, Collector } from '../types.ts';
import { capSeries, discoverRegion } from './discover.ts';
import { emitResult } from './emit.ts';
import { fetchRegion } from './fetch.ts';
import { planOf } from './plan.ts';
import { createListMetricsCache } from './listMetrics.ts';
import type { CloudWatchCollectorDeps, RunContext } from './run.ts';
import { compileSelection } from './selection.ts';

export type { CloudWatchCollectorDeps } from './run.ts';

/**
 * The CloudWatch collector (DESIGN.md "Collectors"). One run is four steps:
 * 1. discover (discover.ts): the role is assumed first (a failure is thrown: the whole run fails); the regions
 *    are `regions` (SKYPORT_AWS_REGIONS) or the account's enabled regions (DescribeRegions, cached); per
 *    region, per namespace with a non-empty window: the ListMetrics listing (cached), the filters that need
 *    nothing else, the EC2 inventory when EC2/EBS metrics remain (cached for one cycle), selection tags;
 * 2. select: the series cap over the whole integration, in a stable order (region, namespace, metric);
 * 3. fetch (fetch.ts): per region, GetMetricData for the selected metrics, packed 500 queries per call across
 *    the namespaces that share a window;
 * 4. emit (emit.ts): points under Wavefront's names, new cursors for the scopes that succeeded, the failures
 *    of the others.
 * A failing region or namespace is reported in `partialErrors` and keeps its cursor; when every region fails
 * and every failure is a credential or permission failure, the first one is thrown so the integration is
 * disabled.
 */
export const CLOUDWATCH_DEFAULTS: Readonly<CloudWatchCollectorDeps> = Object.freeze({
  periodSec: 60,
  delayMs: 5 * 60_000,
  lookbackMs: 60 * 60_000,
  maxCatchUpMs: 3 * 60 * 60_000,
  maxSeries: 10_000,
  listMetricsTtlMs: 60 * 60_000,
  regionsTtlMs: 60 * 60_000,
  inventoryTtlMs: 60_000,
  maxCacheEntries: 200_000,
  hostNameTags: DEFAULT_HOST_NAME_TAGS,
  regionConcurrency: 8,
  callConcurrency: 4,
});

function validPeriod(p: number): boolean {
  return Number.isInteger(p) && p > 0 && ([1, 5, 10, 30].includes(p) || p % 60 === 0);
}

export function createCloudWatchCollector(overrides: Partial<CloudWatchCollectorDeps> = {}): Collector<'CLOUDWATCH'> {
  const settings = withDefaults(CLOUDWATCH_DEFAULTS as CloudWatchCollectorDeps, overrides);
  if (!validPeriod(settings.periodSec)) throw new Error(`CloudWatch period ${settings.periodSec}s is not 1, 5, 10, 30 or a multiple of 60`);
  const fixedRegions = fixedRegionsOf(settings.regions);
  const regionsCache = createRegionsCache({ ttlMs: settings.regionsTtlMs, maxEntries: settings.maxCacheEntries });
  const listings = createListMetricsCache({ ttlMs: settings.listMetricsTtlMs, maxEntries: settings.maxCacheEntries });
  const inventoryCache = settings.inventory ?? createInventoryCache({ ttlMs: settings.inventoryTtlMs, maxEntries: settings.maxCacheEntries });

  return async function collectCloudWatch(input: CollectInput<'CLOUDWATCH'>): Promise<CollectResult> {
    // AssumeRole first: its failure fails the run (and caches shared per role are only read by that role).
    await input.credentials();
    const { target, signal } = input;
    const ctx: RunContext = {
      settings,
      listings,
      inventoryCache,
      input,
      selection: compileSelection(target.config, target.additionalTags),
      owner: target.roleArn,
    };
    const regions = await regionsOfRun(fixedRegions, regionsCache, { ...input, roleArn: target.roleArn });
    const runs = await runRegions(regions, settings.regionConcurrency, signal, (region) => discoverRegion(ctx, region));
    const dropped = capSeries(runs, settings.maxSeries);
    // What was selected, before any GetMetricData (and whatever it answers): the run history's cost basis.
    // Only a run that had every namespace due knows what the filters select: one collected again within the
    // period lists nothing and leaves the basis to the run before it.
    const allDue = runs.every((r) => r.notDue === 0);
    const plan = allDue ? planOf(runs.map((r) => r.scopes.filter((s) => !s.error).map((s) => s.selected)), dropped) : undefined;
    await runRegions(runs, settings.regionConcurrency, signal, (run) => fetchRegion(ctx, run));
    throwIfCredentialsFailEverywhere(runs.map((r) => ({ failures: r.failures, succeeded: r.scopes.some((s) => !s.error) })));
    return { ...emitResult(ctx, runs, dropped), plan };
  };
}
