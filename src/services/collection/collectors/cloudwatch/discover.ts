import { classifyAwsError } from '../../aws/errors.ts';
import { mapLimit } from '../concurrency.ts';
import type { Ec2Volume } from '../inventory.ts';
import type { ListedMetric } from './listMetrics.ts';
import type { RegionRun, RunContext } from './run.ts';
import { admit as admitSeries, inventoryNeeds, preselect, selectByTags, selectsByTags } from './selection.ts';
import { cursorScope, parsePosition, regionScope, windowFor, type Window } from './windows.ts';

interface ListedScope {
  scope: string;
  namespace: string;
  window: Window;
  metrics: readonly ListedMetric[];
}

/**
 * Discovery and the filters of one region: the ListMetrics listing (cached) of every namespace with a
 * non-empty window, the filters that need nothing else, the EC2 inventory when EC2/EBS metrics remain (cached
 * for one cycle), then the selection tags.
 */
export async function discoverRegion(ctx: RunContext, region: string): Promise<RegionRun> {
  const run: RegionRun = { region, scopes: [], failures: [], notDue: 0 };
  const listed = ctx.selection.namespaces ? await listNamespaces(ctx, run, ctx.selection.namespaces) : await listAll(ctx, run);
  let needInstances = false;
  let needVolumes = false;
  for (const x of listed) {
    const selected = preselect(x.metrics, ctx.selection);
    run.scopes.push({ scope: x.scope, namespace: x.namespace, window: x.window, selected });
    const needs = inventoryNeeds(selected);
    needInstances ||= needs.instances;
    needVolumes ||= needs.volumes;
  }
  if (needInstances) await loadInventory(ctx, run, needVolumes);
  for (const s of run.scopes) if (!s.error) s.selected = selectByTags(s.selected, ctx.selection, run.inventory);
  return run;
}

/** The configured namespaces that are due, one ListMetrics listing each; a failing one fails its scope. */
async function listNamespaces(ctx: RunContext, run: RegionRun, namespaces: readonly string[]): Promise<ListedScope[]> {
  const { cursors, now, signal } = ctx.input;
  const cw = ctx.input.aws.cloudwatch(run.region);
  const due: Array<{ scope: string; namespace: string; window: Window }> = [];
  for (const namespace of namespaces) {
    const scope = cursorScope(run.region, namespace);
    const window = windowFor(parsePosition(cursors.get(scope)), now, ctx.settings);
    if (window) due.push({ scope, namespace, window });
    else run.notDue++;
  }
  const got = await mapLimit(due, ctx.settings.callConcurrency, async (x) => {
    try {
      return (await ctx.listings.get(ctx.owner, run.region, x.namespace, cw, now, signal)).get(x.namespace) ?? [];
    } catch (error) {
      run.failures.push({ scope: x.scope, error });
      return undefined;
    }
  });
  const listed: ListedScope[] = [];
  due.forEach((x, i) => {
    const metrics = got[i];
    if (metrics) listed.push({ ...x, metrics });
  });
  return listed;
}

/** Every namespace the account has, from one unscoped listing; its failure fails the region. */
async function listAll(ctx: RunContext, run: RegionRun): Promise<ListedScope[]> {
  const { cursors, now, signal } = ctx.input;
  let listing;
  try {
    listing = await ctx.listings.get(ctx.owner, run.region, undefined, ctx.input.aws.cloudwatch(run.region), now, signal);
  } catch (error) {
    run.failures.push({ scope: regionScope(run.region), error });
    return [];
  }
  const listed: ListedScope[] = [];
  for (const [namespace, metrics] of listing) {
    const scope = cursorScope(run.region, namespace);
    const window = windowFor(parsePosition(cursors.get(scope)), now, ctx.settings);
    if (window) listed.push({ scope, namespace, window, metrics });
    else run.notDue++;
  }
  return listed;
}

async function loadInventory(ctx: RunContext, run: RegionRun, volumes: boolean): Promise<void> {
  const { now, signal } = ctx.input;
  const ec2 = ctx.input.aws.ec2(run.region);
  try {
    const [instances, vols] = await Promise.all([
      ctx.inventoryCache.instances(ctx.owner, run.region, ec2, now, signal),
      volumes ? ctx.inventoryCache.volumes(ctx.owner, run.region, ec2, now, signal) : Promise.resolve(new Map<string, Ec2Volume>()),
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
      if (denied && !selectsByTags(s.namespace, ctx.selection)) {
        degraded = true;
        continue;
      }
      s.error = error;
      run.failures.push({ scope: s.scope, error });
    }
    if (degraded) run.failures.push({ scope: `inventory:${run.region}`, error });
  }
}

/** The series cap over the whole integration, in a stable order (region, namespace, metric); returns how many were dropped. */
export function capSeries(runs: readonly RegionRun[], maxSeries: number): number {
  let remaining = maxSeries;
  let dropped = 0;
  for (const run of runs) {
    for (const s of run.scopes) {
      if (s.error) continue;
      const r = admitSeries(s.selected, remaining);
      s.selected = r.kept;
      remaining -= r.used;
      dropped += r.dropped;
    }
  }
  return dropped;
}
