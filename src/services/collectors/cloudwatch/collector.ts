import { classifyAwsError } from '../../aws/errors.ts';
import { createInventoryCache, type Ec2Inventory, type Ec2Volume, type InventoryCache } from '../inventory.ts';
import { DEFAULT_HOST_NAME_TAGS } from '../naming.ts';
import type { CollectedPoint, CollectInput, CollectResult, Collector } from '../types.ts';
import { mapLimit } from '../concurrency.ts';
import { fetchBatch, packBatches, type FetchedMetric } from './getMetricData.ts';
import { createListMetricsCache, type ListedMetric } from './listMetrics.ts';
import { identify, type NamingContext, type SeriesIdentity } from './naming.ts';
import { createRegionsCache, homeRegion } from '../regions.ts';
import {
  admit,
  compileSelection,
  F_COUNT,
  F_MAX,
  F_MIN,
  F_SUM,
  inventoryNeeds,
  OUTPUT_STATS,
  preselect,
  selectByTags,
  selectsByTags,
  type SelectedMetric,
} from './selection.ts';
import { cursorScope, formatPosition, parsePosition, regionScope, windowFor, type Window } from './windows.ts';

/**
 * The CloudWatch collector (DESIGN.md "Collectors"). One run:
 * 1. checks the integration's role can be assumed (a failure is thrown: the whole run fails);
 * 2. regions: `regions` (SKYPORT_AWS_REGIONS) or the account's enabled regions (DescribeRegions, cached);
 * 3. per region, per namespace with a non-empty window: the ListMetrics listing (cached), the filters that
 *    need nothing else, the EC2 inventory when EC2/EBS metrics remain (cached for one cycle), selection tags;
 * 4. the series cap over the whole integration, in a stable order (region, namespace, metric);
 * 5. per region, GetMetricData for the selected metrics, packed 500 queries per call across the namespaces
 *    that share a window;
 * 6. points under Wavefront's names, new cursors for the scopes that succeeded, the failures of the others.
 * A failing region or namespace is reported in `partialErrors` and keeps its cursor; when every region fails
 * and every failure is a credential or permission failure, the first one is thrown so the integration is
 * disabled.
 */
export interface CloudWatchCollectorDeps {
  /** SKYPORT_AWS_REGIONS; unset or empty: the account's enabled regions. */
  regions?: string[];
  /** CloudWatch period of the points requested, seconds (60; 1, 5, 10, 30 or a multiple of 60). */
  periodSec: number;
  /** How far behind now windows end, so CloudWatch's values have converged (5 min). */
  delayMs: number;
  /** How far back a scope without a cursor starts (1 h). */
  lookbackMs: number;
  /** The longest window after a pause; older data is given up (3 h). */
  maxCatchUpMs: number;
  /** Unique series per integration per run (Wavefront's 10,000). */
  maxSeries: number;
  /** ListMetrics listings are reused this long (1 h). */
  listMetricsTtlMs: number;
  /** DescribeRegions answers are reused this long (1 h). */
  regionsTtlMs: number;
  /** EC2 inventory is reused this long, i.e. within one cycle (1 min). */
  inventoryTtlMs: number;
  /** The process's EC2 inventory cache, shared with the EC2 collector; unset: one of its own (inventoryTtlMs). */
  inventory?: InventoryCache;
  /** Bound of each cache (entries). */
  maxCacheEntries: number;
  /** Instance tags tried for source names. */
  hostNameTags: readonly string[];
  /** Regions collected at once by one run. */
  regionConcurrency: number;
  /** ListMetrics / GetMetricData calls in flight per region of one run. */
  callConcurrency: number;
}

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

interface ScopeRun {
  scope: string;
  namespace: string;
  window: Window;
  selected: SelectedMetric[];
  /** Index-aligned with `selected` once fetched. */
  fetched?: Array<FetchedMetric | undefined>;
  error?: unknown;
}

interface RegionRun {
  region: string;
  scopes: ScopeRun[];
  failures: Array<{ scope: string; error: unknown }>;
  inventory?: Ec2Inventory;
}

interface FetchItem extends SelectedMetric {
  scope: ScopeRun;
  index: number;
}

const isCredentialKind = (error: unknown): boolean => {
  const kind = classifyAwsError(error).kind;
  return kind === 'credentials' || kind === 'denied';
};

function validPeriod(p: number): boolean {
  return Number.isInteger(p) && p > 0 && ([1, 5, 10, 30].includes(p) || p % 60 === 0);
}

export function createCloudWatchCollector(overrides: Partial<CloudWatchCollectorDeps> = {}): Collector {
  const d: CloudWatchCollectorDeps = { ...CLOUDWATCH_DEFAULTS };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (d as unknown as Record<string, unknown>)[k] = v;
  if (!validPeriod(d.periodSec)) throw new Error(`CloudWatch period ${d.periodSec}s is not 1, 5, 10, 30 or a multiple of 60`);
  const fixedRegions = d.regions && d.regions.length > 0 ? [...d.regions] : undefined;

  const regionsCache = createRegionsCache({ ttlMs: d.regionsTtlMs, maxEntries: d.maxCacheEntries });
  const listings = createListMetricsCache({ ttlMs: d.listMetricsTtlMs, maxEntries: d.maxCacheEntries });
  const inventoryCache = d.inventory ?? createInventoryCache({ ttlMs: d.inventoryTtlMs, maxEntries: d.maxCacheEntries });

  return async function collectCloudWatch(input: CollectInput): Promise<CollectResult> {
    const { target, aws, cursors, now, signal } = input;
    // AssumeRole first: its failure fails the run (and caches shared per role are only read by that role).
    await input.credentials();
    const sel = compileSelection(target.config, target.additionalTags);
    const owner = target.roleArn;
    const regions = fixedRegions ?? (await regionsCache.get(owner, aws.ec2(homeRegion(owner)), now, signal));

    // ---- discovery and filters, per region ----------------------------------------------------------------
    const discover = async (region: string): Promise<RegionRun> => {
      const run: RegionRun = { region, scopes: [], failures: [] };
      const cw = aws.cloudwatch(region);
      const listed: Array<{ scope: string; namespace: string; window: Window; metrics: readonly ListedMetric[] }> = [];
      if (sel.namespaces) {
        const due: Array<{ scope: string; namespace: string; window: Window }> = [];
        for (const namespace of sel.namespaces) {
          const scope = cursorScope(region, namespace);
          const window = windowFor(parsePosition(cursors.get(scope)), now, d);
          if (window) due.push({ scope, namespace, window });
        }
        const got = await mapLimit(due, d.callConcurrency, async (x) => {
          try {
            return (await listings.get(owner, region, x.namespace, cw, now, signal)).get(x.namespace) ?? [];
          } catch (error) {
            run.failures.push({ scope: x.scope, error });
            return undefined;
          }
        });
        due.forEach((x, i) => {
          const metrics = got[i];
          if (metrics) listed.push({ ...x, metrics });
        });
      } else {
        let listing;
        try {
          listing = await listings.get(owner, region, undefined, cw, now, signal);
        } catch (error) {
          run.failures.push({ scope: regionScope(region), error });
          return run;
        }
        for (const [namespace, metrics] of listing) {
          const scope = cursorScope(region, namespace);
          const window = windowFor(parsePosition(cursors.get(scope)), now, d);
          if (window) listed.push({ scope, namespace, window, metrics });
        }
      }

      let needInstances = false;
      let needVolumes = false;
      for (const x of listed) {
        const selected = preselect(x.metrics, sel);
        run.scopes.push({ scope: x.scope, namespace: x.namespace, window: x.window, selected });
        const needs = inventoryNeeds(selected);
        needInstances ||= needs.instances;
        needVolumes ||= needs.volumes;
      }
      if (needInstances) await loadInventory(run, needVolumes);
      for (const s of run.scopes) if (!s.error) s.selected = selectByTags(s.selected, sel, run.inventory);
      return run;
    };

    const loadInventory = async (run: RegionRun, volumes: boolean): Promise<void> => {
      const ec2 = aws.ec2(run.region);
      try {
        const [instances, vols] = await Promise.all([
          inventoryCache.instances(owner, run.region, ec2, now, signal),
          volumes ? inventoryCache.volumes(owner, run.region, ec2, now, signal) : Promise.resolve(new Map<string, Ec2Volume>()),
        ]);
        run.inventory = { instances, volumes: vols };
      } catch (error) {
        // Without the inventory, EC2/EBS metrics cannot be selected by tags nor named by host name. A missing
        // permission (denied) with no selection tags configured degrades to instance/volume ids as sources;
        // anything else fails those namespaces for this run (they keep their cursors and are retried).
        const denied = classifyAwsError(error).kind === 'denied';
        let degraded = false;
        for (const s of run.scopes) {
          const needs = inventoryNeeds(s.selected);
          if (!needs.instances) continue;
          if (denied && !selectsByTags(s.namespace, sel)) {
            degraded = true;
            continue;
          }
          s.error = error;
          run.failures.push({ scope: s.scope, error });
        }
        if (degraded) run.failures.push({ scope: `inventory:${run.region}`, error });
      }
    };

    const runs = await mapLimit(regions, d.regionConcurrency, discover);
    signal.throwIfAborted();

    // ---- the series cap, in a stable order ------------------------------------------------------------------
    let remaining = d.maxSeries;
    let dropped = 0;
    for (const run of runs) {
      for (const s of run.scopes) {
        if (s.error) continue;
        const r = admit(s.selected, remaining);
        s.selected = r.kept;
        remaining -= r.used;
        dropped += r.dropped;
      }
    }

    // ---- GetMetricData, per region --------------------------------------------------------------------------
    const fetchRegion = async (run: RegionRun): Promise<void> => {
      const byWindow = new Map<string, { window: Window; items: FetchItem[] }>();
      for (const s of run.scopes) {
        if (s.error || s.selected.length === 0) continue;
        s.fetched = new Array(s.selected.length);
        const key = `${s.window.start}-${s.window.end}`;
        let group = byWindow.get(key);
        if (!group) byWindow.set(key, (group = { window: s.window, items: [] }));
        for (let i = 0; i < s.selected.length; i++) {
          const m = s.selected[i];
          group.items.push({ m: m.m, outputs: m.outputs, fetch: m.fetch, scope: s, index: i });
        }
      }
      const jobs = [...byWindow.values()].flatMap((g) => packBatches(g.items).map((batch) => ({ window: g.window, batch })));
      const cw = aws.cloudwatch(run.region);
      await mapLimit(jobs, d.callConcurrency, async ({ window, batch }) => {
        try {
          const got = await fetchBatch(cw, batch, window, d.periodSec, signal);
          for (let k = 0; k < batch.items.length; k++) {
            const item = batch.items[k];
            item.scope.fetched![item.index] = got[k];
          }
        } catch (error) {
          for (const item of batch.items) {
            if (item.scope.error) continue;
            item.scope.error = error;
            run.failures.push({ scope: item.scope.scope, error });
          }
        }
      });
    };
    await mapLimit(runs, d.regionConcurrency, fetchRegion);
    signal.throwIfAborted();

    // ---- every region failed on credentials or permissions: the integration's credentials are bad ------------
    const failed = runs.filter((r) => r.failures.length > 0 && !r.scopes.some((s) => !s.error));
    if (runs.length > 0 && failed.length === runs.length && failed.every((r) => r.failures.every((f) => isCredentialKind(f.error)))) {
      const all = failed.flatMap((r) => r.failures.map((f) => f.error));
      throw all.find((e) => classifyAwsError(e).kind === 'credentials') ?? all[0];
    }

    // ---- points, cursors, errors ----------------------------------------------------------------------------
    const points: CollectedPoint[] = [];
    const newCursors = new Map<string, string>();
    const partialErrors: CollectResult['partialErrors'] = [];
    let metricCount = 0;
    let newestMs: number | undefined;
    for (const run of runs) {
      for (const f of run.failures) partialErrors.push({ scope: f.scope, ...classifyAwsError(f.error) });
      const ctx: NamingContext = {
        accountId: target.accountId,
        region: run.region,
        inventory: run.inventory,
        hostNameTags: d.hostNameTags,
        pointTagFilter: sel.pointTagFilter,
        additionalTags: sel.additionalTags,
      };
      for (const s of run.scopes) {
        if (s.error) continue;
        newCursors.set(s.scope, formatPosition(s.window.end));
        if (!s.fetched) continue;
        for (let i = 0; i < s.selected.length; i++) {
          const f = s.fetched[i];
          if (!f) continue;
          const out = emitMetric(points, s.selected[i], f, ctx);
          metricCount += out.series;
          if (out.newest !== undefined && (newestMs === undefined || out.newest > newestMs)) newestMs = out.newest;
        }
      }
    }

    const result: CollectResult = { points, events: [], cursors: newCursors, metricCount, partialErrors };
    if (newestMs !== undefined) result.newestMs = newestMs;
    if (dropped > 0) {
      result.warning =
        `CloudWatch series cap reached: ${d.maxSeries} series collected, ${dropped} more not requested; ` +
        'narrow namespaces, metricFilterRegex or the selection tags to choose which are collected';
    }
    return result;
  };
}

/** Appends the points of one metric's series; returns how many series got points and the newest time. */
function emitMetric(points: CollectedPoint[], sm: SelectedMetric, f: FetchedMetric, ctx: NamingContext): { series: number; newest?: number } {
  let identity: SeriesIdentity | undefined;
  let series = 0;
  let newest: number | undefined;
  const push = (metric: string, ts: number, value: number): void => {
    identity ??= identify(sm.m, ctx);
    points.push({ metric, source: identity.source, tags: identity.tags, ts, value });
    if (newest === undefined || ts > newest) newest = ts;
  };
  for (let b = 0; b < OUTPUT_STATS.length; b++) {
    if (!(sm.outputs & (1 << b))) continue;
    const metric = sm.m.prefix + OUTPUT_STATS[b];
    const before = points.length;
    if (b === 0) {
      // average = Sum / SampleCount of the same period.
      const st = f.ts[F_SUM];
      const sv = f.values[F_SUM];
      const ct = f.ts[F_COUNT];
      const cv = f.values[F_COUNT];
      if (!st || !sv || !ct || !cv) continue;
      let aligned = st.length === ct.length;
      for (let k = 0; aligned && k < st.length; k++) if (st[k] !== ct[k]) aligned = false;
      if (aligned) {
        for (let k = 0; k < st.length; k++) if (cv[k] > 0 && Number.isFinite(sv[k])) push(metric, st[k], sv[k] / cv[k]);
      } else {
        const counts = new Map<number, number>();
        for (let k = 0; k < ct.length; k++) counts.set(ct[k], cv[k]);
        for (let k = 0; k < st.length; k++) {
          const c = counts.get(st[k]);
          if (c !== undefined && c > 0 && Number.isFinite(sv[k])) push(metric, st[k], sv[k] / c);
        }
      }
    } else {
      const fi = b === 1 ? F_SUM : b === 2 ? F_MIN : b === 3 ? F_MAX : F_COUNT;
      const ts = f.ts[fi];
      const vs = f.values[fi];
      if (!ts || !vs) continue;
      for (let k = 0; k < ts.length; k++) if (Number.isFinite(vs[k])) push(metric, ts[k], vs[k]);
    }
    if (points.length > before) series++;
  }
  return { series, newest };
}
