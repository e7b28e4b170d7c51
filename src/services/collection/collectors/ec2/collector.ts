import { fixedRegionsOf, partialErrorsOf, regionsOfRun, runRegions, throwIfCredentialsFailEverywhere, withDefaults, type ScopeFailure } from '../regionRuns.ts';
import { createRegionsCache } from '../regions.ts';
import { createInventoryCache, INVENTORY_TTL_MS, type InventoryCache } from '../inventory.ts';
import type { CollectedPoint, CollectInput, CollectResult, Collector } from '../types.ts';
import { describeAccountLimits } from './limits.ts';
import { regionPoints, wantsVolumes } from './metrics.ts';
import { compileEc2Settings } from './settings.ts';

/**
 * The EC2 ("AWS Metrics+") collector (DESIGN.md "Collectors", SPEC.md §4 `ec2`). One run:
 * 1. assumes the integration's role (a failure is thrown: the whole run fails);
 * 2. regions: `regions` (SKYPORT_AWS_REGIONS) or the account's enabled regions (DescribeRegions, cached);
 * 3. per region, at once: the instances and (unless metricFilterRegex rules out both EBS metrics) the volumes
 *    from the shared inventory cache (DescribeInstances / DescribeVolumes, every page of 1,000, once per
 *    role × region per cycle for every collector of the process), and with LIMITS the account attributes;
 * 4. the points of metrics.ts, all at the run's `now` aligned down to the minute.
 *
 * No cursors: every run reports the inventory as it is. `metricCount` is the number of series reported (one
 * point each) and `newestMs` their timestamp.
 *
 * Errors, as in the CloudWatch collector: a region whose instances cannot be described reports nothing and
 * is a partial error (scope `ec2:<region>`); failing volumes (`ec2:<region>:volumes`) or limits
 * (`ec2:<region>:limits`) leave the region's other metrics in place. When every region fails and every
 * failure is a credential or permission failure, the first credential failure (else the first one) is thrown
 * so the scheduler disables the integration.
 */
export interface Ec2CollectorDeps {
  /** SKYPORT_AWS_REGIONS; unset or empty: the account's enabled regions. */
  regions?: string[];
  /** DescribeRegions answers are reused this long (1 h). */
  regionsTtlMs: number;
  /** The process's inventory cache, shared with the CloudWatch collector; unset: one of its own. */
  inventory?: InventoryCache;
  /** TTL of the collector's own inventory cache when none is given (1 min: one cycle). */
  inventoryTtlMs: number;
  /** Bound of each cache (entries). */
  maxCacheEntries: number;
  /** Regions collected at once by one run. */
  regionConcurrency: number;
}

export const EC2_DEFAULTS: Readonly<Ec2CollectorDeps> = Object.freeze({
  regionsTtlMs: 60 * 60_000,
  inventoryTtlMs: INVENTORY_TTL_MS,
  maxCacheEntries: 200_000,
  regionConcurrency: 8,
});

const MINUTE = 60_000;

interface RegionRun {
  region: string;
  /** False when the instances could not be described: the region reports nothing. */
  ok: boolean;
  points: CollectedPoint[];
  failures: ScopeFailure[];
}

/** The timestamp of a run's points: `now` aligned down to the minute. */
const pointTime = (now: number): number => Math.floor(now / MINUTE) * MINUTE;

export function createEc2Collector(overrides: Partial<Ec2CollectorDeps> = {}): Collector<'EC2'> {
  const d = withDefaults(EC2_DEFAULTS as Ec2CollectorDeps, overrides);
  const fixedRegions = fixedRegionsOf(d.regions);
  const regionsCache = createRegionsCache({ ttlMs: d.regionsTtlMs, maxEntries: d.maxCacheEntries });
  const inventory = d.inventory ?? createInventoryCache({ ttlMs: d.inventoryTtlMs, maxEntries: d.maxCacheEntries });

  return async function collectEc2(input: CollectInput<'EC2'>): Promise<CollectResult> {
    const { target, aws, now, signal } = input;
    // AssumeRole first: its failure fails the run (and caches shared per role are only read by that role).
    await input.credentials();
    const settings = compileEc2Settings(target.config, target.additionalTags);
    const owner = target.roleArn;
    const regions = await regionsOfRun(fixedRegions, regionsCache, { ...input, roleArn: owner });
    const ts = pointTime(now);
    const volumesWanted = wantsVolumes(settings);

    const collectRegion = async (region: string): Promise<RegionRun> => {
      const run: RegionRun = { region, ok: false, points: [], failures: [] };
      const ec2 = aws.ec2(region);
      const [instances, volumes, limits] = await Promise.allSettled([
        inventory.instances(owner, region, ec2, now, signal),
        volumesWanted ? inventory.volumes(owner, region, ec2, now, signal) : Promise.resolve(undefined),
        settings.limits ? describeAccountLimits(ec2, signal) : Promise.resolve(undefined),
      ]);
      if (instances.status === 'rejected') run.failures.push({ scope: `ec2:${region}`, error: instances.reason });
      if (volumes.status === 'rejected') run.failures.push({ scope: `ec2:${region}:volumes`, error: volumes.reason });
      if (limits.status === 'rejected') run.failures.push({ scope: `ec2:${region}:limits`, error: limits.reason });
      if (instances.status === 'rejected') return run;
      run.ok = true;
      run.points = regionPoints(
        {
          accountId: target.accountId,
          region,
          instances: instances.value,
          volumes: volumes.status === 'fulfilled' ? volumes.value : undefined,
          limits: limits.status === 'fulfilled' ? limits.value : undefined,
        },
        settings,
        ts,
      );
      return run;
    };

    const runs = await runRegions(regions, d.regionConcurrency, signal, collectRegion);
    throwIfCredentialsFailEverywhere(runs.map((r) => ({ failures: r.failures, succeeded: r.ok })));
    const points: CollectedPoint[] = [];
    for (const run of runs) for (const p of run.points) points.push(p);
    const partialErrors = partialErrorsOf(runs);
    const result: CollectResult = { points, events: [], cursors: new Map(), metricCount: points.length, partialErrors };
    if (points.length > 0) result.newestMs = ts;
    return result;
  };
}
