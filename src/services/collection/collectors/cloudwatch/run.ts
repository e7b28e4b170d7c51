import type { InventoryCache, Ec2Inventory } from '../inventory.ts';
import type { CollectInput } from '../types.ts';
import type { FetchedMetric } from './getMetricData.ts';
import type { ListMetricsCache } from './listMetrics.ts';
import type { CloudWatchSelection, SelectedMetric } from './selection.ts';
import type { Window } from './windows.ts';
import type { ScopeFailure } from '../regionRuns.ts';

/** The CloudWatch collector's settings, and what one run carries from step to step. */
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

/** One namespace of one region in a run: its window, its metrics, and what became of them. */
export interface ScopeRun {
  scope: string;
  namespace: string;
  window: Window;
  selected: SelectedMetric[];
  /** Index-aligned with `selected` once fetched. */
  fetched?: Array<FetchedMetric | undefined>;
  error?: unknown;
}

export interface RegionRun {
  region: string;
  scopes: ScopeRun[];
  failures: ScopeFailure[];
  inventory?: Ec2Inventory;
  /** Namespaces left out of this run because their window is empty (collected again within the period). */
  notDue: number;
}

/** What every step of one run reads. */
export interface RunContext {
  settings: CloudWatchCollectorDeps;
  listings: ListMetricsCache;
  inventoryCache: InventoryCache;
  input: CollectInput<'CLOUDWATCH'>;
  selection: CloudWatchSelection;
  /** The role: caches shared per role are keyed by it. */
  owner: string;
}
