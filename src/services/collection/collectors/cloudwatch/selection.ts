import { parseTagExpr } from '../../../../lib/tagExpr.ts';
import type { CloudWatchConfig } from '../../../../schemas/cloudIntegration.ts';
import type { Ec2Inventory } from '../inventory.ts';
import { optionalUserRegex, type UserRegex } from '../../../../lib/userRegex.ts';
import type { ListedMetric } from './listMetrics.ts';
import { resolveNamespaces } from './namespaces.ts';

/**
 * What to request, decided before any GetMetricData (AWS bills per metric requested).
 *
 * Statistics. Every CloudWatch metric yields up to five Wavefront series, `<prefix>average`, `sum`,
 * `minimum`, `maximum` and `samplecount`. `metricFilterRegex` is matched (whole name, case-insensitively) against
 * each of the five names: a metric is requested only if at least one matches, and only the statistics the
 * matching names need are requested (sum → Sum, samplecount → SampleCount, minimum → Minimum,
 * maximum → Maximum, average → Sum and SampleCount). Average is never requested from AWS: it is computed as
 * Sum / SampleCount for the same period, which is CloudWatch's own definition of Average for every metric, so
 * no metric is special-cased (periods with SampleCount 0 get no average point).
 *
 * Filters, in this order: metricFilterRegex; s3BucketNameFilterRegex on the BucketName of AWS/S3 metrics
 * (whole name, case-insensitively; S3 metrics without BucketName are kept); instance selection tags on the
 * InstanceId of AWS/EC2 metrics and volume selection tags on the VolumeId of AWS/EBS metrics. Selection tags
 * are `key=value` pairs from the map and the `…Expr` text together, OR-ed; a pair matches a resource that
 * carries exactly that key and value (case-sensitive, as AWS tags are). A metric whose instance or volume is
 * not in the EC2 inventory is not selected; metrics without that dimension are unaffected.
 */

/** Wavefront's statistic suffixes, in the order series are admitted under the cap. */
export const OUTPUT_STATS = ['average', 'sum', 'minimum', 'maximum', 'samplecount'] as const;
/** What is asked of GetMetricData. */
export const FETCH_STATS = ['Sum', 'SampleCount', 'Minimum', 'Maximum'] as const;

const ALL_OUTPUTS = 0b11111;
export const F_SUM = 0;
export const F_COUNT = 1;
export const F_MIN = 2;
export const F_MAX = 3;
/** Fetch bits each output needs (indexed like OUTPUT_STATS). */
const NEEDS = [(1 << F_SUM) | (1 << F_COUNT), 1 << F_SUM, 1 << F_MIN, 1 << F_MAX, 1 << F_COUNT];

export function fetchMaskOf(outputs: number): number {
  let mask = 0;
  for (let i = 0; i < OUTPUT_STATS.length; i++) if (outputs & (1 << i)) mask |= NEEDS[i];
  return mask;
}

export function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** The integration's CloudWatch config, compiled once per run. */
export interface CloudWatchSelection {
  /** null: every namespace the account has. */
  namespaces: string[] | null;
  metricFilter?: UserRegex;
  pointTagFilter?: UserRegex;
  s3BucketFilter?: UserRegex;
  instanceSelection?: Array<[string, string]>;
  volumeSelection?: Array<[string, string]>;
  additionalTags: Record<string, string> | null;
}

function selectionPairs(field: string, map: Record<string, string> | undefined, expr: string | undefined): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = map ? Object.entries(map) : [];
  if (expr !== undefined && expr.trim() !== '') pairs.push(...parseTagExpr(field, expr));
  return pairs.length > 0 ? pairs : undefined;
}

export function compileSelection(config: CloudWatchConfig, additionalTags: Record<string, string> | null): CloudWatchSelection {
  return {
    namespaces: resolveNamespaces(config.namespaces),
    metricFilter: optionalUserRegex(config.metricFilterRegex, 'cloudWatch.metricFilterRegex', 'whole'),
    pointTagFilter: optionalUserRegex(config.pointTagFilterRegex, 'cloudWatch.pointTagFilterRegex', 'whole'),
    s3BucketFilter: optionalUserRegex(config.s3BucketNameFilterRegex, 'cloudWatch.s3BucketNameFilterRegex', 'whole'),
    instanceSelection: selectionPairs('cloudWatch.instanceSelectionTagsExpr', config.instanceSelectionTags, config.instanceSelectionTagsExpr),
    volumeSelection: selectionPairs('cloudWatch.volumeSelectionTagsExpr', config.volumeSelectionTags, config.volumeSelectionTagsExpr),
    additionalTags: additionalTags && Object.keys(additionalTags).length > 0 ? additionalTags : null,
  };
}

/** A metric chosen for this run: which Wavefront series it feeds and which statistics to fetch. */
export interface SelectedMetric {
  m: ListedMetric;
  outputs: number;
  fetch: number;
}

/** The outputs of a metric that pass metricFilterRegex (0: none, the metric is not requested). */
export function outputsOf(m: ListedMetric, filter: UserRegex | undefined): number {
  if (!filter) return ALL_OUTPUTS;
  let mask = 0;
  for (let i = 0; i < OUTPUT_STATS.length; i++) if (filter.test(m.prefix + OUTPUT_STATS[i])) mask |= 1 << i;
  return mask;
}

/** The filters that need no inventory: metricFilterRegex and s3BucketNameFilterRegex. */
export function preselect(metrics: readonly ListedMetric[], sel: CloudWatchSelection): SelectedMetric[] {
  const out: SelectedMetric[] = [];
  for (const m of metrics) {
    if (sel.s3BucketFilter && m.bucketName !== undefined && !sel.s3BucketFilter.test(m.bucketName)) continue;
    const outputs = outputsOf(m, sel.metricFilter);
    if (outputs === 0) continue;
    out.push({ m, outputs, fetch: fetchMaskOf(outputs) });
  }
  return out;
}

/** What of the EC2 inventory these metrics need (for selection tags and source names). */
export function inventoryNeeds(selected: readonly SelectedMetric[]): { instances: boolean; volumes: boolean } {
  let instances = false;
  let volumes = false;
  for (const s of selected) {
    if (s.m.instanceId !== undefined) instances = true;
    else if (s.m.volumeId !== undefined) volumes = instances = true; // EBS sources name the attached instance
    if (volumes) break;
  }
  return { instances, volumes };
}

function carriesOne(tags: Readonly<Record<string, string>> | undefined, pairs: ReadonlyArray<[string, string]>): boolean {
  if (!tags) return false;
  for (const [k, v] of pairs) if (Object.hasOwn(tags, k) && tags[k] === v) return true;
  return false;
}

/** Does this namespace's selection depend on selection tags (and so on the inventory)? */
export function selectsByTags(namespace: string, sel: CloudWatchSelection): boolean {
  return (namespace === 'AWS/EC2' && sel.instanceSelection !== undefined) || (namespace === 'AWS/EBS' && sel.volumeSelection !== undefined);
}

/** Instance and volume selection tags. */
export function selectByTags(selected: SelectedMetric[], sel: CloudWatchSelection, inventory: Ec2Inventory | undefined): SelectedMetric[] {
  const instancePairs = sel.instanceSelection;
  const volumePairs = sel.volumeSelection;
  if (!instancePairs && !volumePairs) return selected;
  return selected.filter(({ m }) => {
    if (instancePairs && m.instanceId !== undefined) return carriesOne(inventory?.instances.get(m.instanceId)?.tags, instancePairs);
    if (volumePairs && m.volumeId !== undefined) return carriesOne(inventory?.volumes.get(m.volumeId)?.tags, volumePairs);
    return true;
  });
}

/**
 * The per-run cap on unique series: walks the metrics in order and admits series (one per output statistic,
 * in OUTPUT_STATS order) until `remaining` is used up; a metric admitted in part keeps only the admitted
 * outputs and fetches only what they need. Returns the admitted metrics (the input is not changed) and how
 * many series were dropped.
 */
export function admit(selected: SelectedMetric[], remaining: number): { kept: SelectedMetric[]; used: number; dropped: number } {
  let used = 0;
  let dropped = 0;
  for (let i = 0; i < selected.length; i++) {
    const s = selected[i];
    const n = bitCount(s.outputs);
    if (used + n <= remaining) {
      used += n;
      continue;
    }
    // This metric crosses the cap: keep its first outputs, drop the rest and every later metric.
    let outputs = 0;
    for (let b = 0; b < OUTPUT_STATS.length && used < remaining; b++) {
      if (s.outputs & (1 << b)) {
        outputs |= 1 << b;
        used++;
      }
    }
    dropped += n - bitCount(outputs);
    for (let j = i + 1; j < selected.length; j++) dropped += bitCount(selected[j].outputs);
    const kept = selected.slice(0, i);
    if (outputs !== 0) kept.push({ m: s.m, outputs, fetch: fetchMaskOf(outputs) });
    return { kept, used, dropped };
  }
  return { kept: selected, used, dropped };
}
