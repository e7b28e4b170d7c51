import { mapLimit } from '../concurrency.ts';
import { fetchBatch, packBatches } from './getMetricData.ts';
import type { RegionRun, RunContext, ScopeRun } from './run.ts';
import type { SelectedMetric } from './selection.ts';
import type { Window } from './windows.ts';

interface FetchItem extends SelectedMetric {
  scope: ScopeRun;
  index: number;
}

/**
 * GetMetricData for the selected metrics of one region, packed 500 queries per call across the namespaces
 * that share a window. A failing call fails the scopes it held.
 */
export async function fetchRegion(ctx: RunContext, run: RegionRun): Promise<void> {
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
  const cw = ctx.input.aws.cloudwatch(run.region);
  await mapLimit(jobs, ctx.settings.callConcurrency, async ({ window, batch }) => {
    try {
      const got = await fetchBatch(cw, batch, window, ctx.settings.periodSec, ctx.input.signal);
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
}
