import { partialErrorsOf } from '../regionRuns.ts';
import type { CollectedEvent, CollectedPoint, CollectResult } from '../types.ts';
import { advance, formatPosition } from './cursor.ts';
import { MinuteCounts } from './events.ts';
import { countsScope } from './layout.ts';
import type { RegionRun, RunContext } from './run.ts';

/** The events, the counter points and, per day listed, the new position; the failures of the others. */
export function emitResult(ctx: RunContext, runs: readonly RegionRun[]): CollectResult {
  const { settings: d, input } = ctx;
  const { now, cursors } = input;
  const events: CollectedEvent[] = [];
  const points: CollectedPoint[] = [];
  const newCursors = new Map<string, string>();
  let newestMs: number | undefined;
  for (const run of runs) {
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
      points.push(...state.points({ accountId: ctx.account, region: run.region, bucket: ctx.bucket, additionalTags: input.target.additionalTags }));
      newCursors.set(scope, state.format(now, d.countWindowMs));
    }
  }
  const result: CollectResult = { points, events, cursors: newCursors, metricCount: events.length, partialErrors: partialErrorsOf(runs) };
  if (newestMs !== undefined) result.newestMs = newestMs;
  return result;
}

/** What lastError should say besides failures: no logs found, files skipped, a backlog left for the next run. */
export function runWarning(ctx: RunContext, runs: readonly RegionRun[], where: { root: string; logsFound: boolean }): string | undefined {
  const { settings: d, account, bucket } = ctx;
  const { root } = where;
  const skipped = runs.flatMap((r) => r.skipped);
  const warnings: string[] = [];
  if (!where.logsFound) {
    warnings.push(`no CloudTrail logs of account ${account} under s3://${bucket}/${root} (looked in ${root}${account}/CloudTrail/ and ${root}o-*/${account}/CloudTrail/)`);
  }
  if (skipped.length > 0) warnings.push(`skipped ${skipped.length} unreadable log file(s): ${skipped.slice(0, 3).join('; ')}`);
  const deferred = ctx.budget.deferred;
  if (deferred > 0) warnings.push(`CloudTrail backlog: ${deferred} log file(s) left for the next run (at most ${d.maxFilesPerRun} files and ${d.maxEventsPerRun} events per run)`);
  return warnings.length > 0 ? warnings.join('; ') : undefined;
}
