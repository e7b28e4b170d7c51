import type { CollectedPoint, CollectResult } from '../types.ts';
import { partialErrorsOf } from '../regionRuns.ts';
import type { FetchedMetric } from './getMetricData.ts';
import { identify, type NamingContext, type SeriesIdentity } from './naming.ts';
import type { RegionRun, RunContext } from './run.ts';
import { F_COUNT, F_MAX, F_MIN, F_SUM, OUTPUT_STATS, type SelectedMetric } from './selection.ts';
import { formatPosition } from './windows.ts';

/** Points under Wavefront's names, new cursors for the scopes that succeeded, the failures of the others. */
export function emitResult(ctx: RunContext, runs: readonly RegionRun[], dropped: number): CollectResult {
  const points: CollectedPoint[] = [];
  const newCursors = new Map<string, string>();
  let metricCount = 0;
  let newestMs: number | undefined;
  for (const run of runs) {
    const naming: NamingContext = {
      accountId: ctx.input.target.accountId,
      region: run.region,
      inventory: run.inventory,
      hostNameTags: ctx.settings.hostNameTags,
      pointTagFilter: ctx.selection.pointTagFilter,
      additionalTags: ctx.selection.additionalTags,
    };
    for (const s of run.scopes) {
      if (s.error) continue;
      newCursors.set(s.scope, formatPosition(s.window.end));
      if (!s.fetched) continue;
      for (let i = 0; i < s.selected.length; i++) {
        const f = s.fetched[i];
        if (!f) continue;
        const out = emitMetric(points, s.selected[i], f, naming);
        metricCount += out.series;
        if (out.newest !== undefined && (newestMs === undefined || out.newest > newestMs)) newestMs = out.newest;
      }
    }
  }
  const result: CollectResult = { points, events: [], cursors: newCursors, metricCount, partialErrors: partialErrorsOf(runs) };
  if (newestMs !== undefined) result.newestMs = newestMs;
  if (dropped > 0) {
    result.warning =
      `CloudWatch series cap reached: ${ctx.settings.maxSeries} series collected, ${dropped} more not requested; ` +
      'narrow namespaces, metricFilterRegex or the selection tags to choose which are collected';
  }
  return result;
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
