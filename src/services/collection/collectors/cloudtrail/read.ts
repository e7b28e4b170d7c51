import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { mapLimit } from '../concurrency.ts';
import { planDays, type DayPlan } from './cursor.ts';
import { counterFields, MinuteCounts, toEvent } from './events.ts';
import { isLogFile, type LogBase } from './layout.ts';
import { LogFormatError, readLogStream } from './records.ts';
import type { DayRun, FileResult, RegionRun, RunContext } from './run.ts';

/** Stream and parse errors that will not go away by reading the file again. */
const unreadable = (error: unknown): boolean => {
  if (error instanceof LogFormatError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
};

/** One region of one log folder: the day prefixes to list (cursor.ts), each listed and its new files read. */
export async function readRegion(ctx: RunContext, job: { base: LogBase; region: string }): Promise<RegionRun> {
  const { base, region } = job;
  const run: RegionRun = { base, region, days: [], counts: new MinuteCounts(), events: [], failures: [], skipped: [] };
  for (const plan of planDays(base, region, ctx.input.cursors, ctx.input.now, ctx.settings)) {
    const day: DayRun = { plan, read: [], listed: false };
    run.days.push(day);
    let keys: string[];
    try {
      keys = await listDay(ctx, plan);
      day.listed = true;
    } catch (error) {
      day.error = error;
      run.failures.push({ scope: plan.scope, error });
      continue;
    }
    commitFiles(ctx, run, day, await readFiles(ctx, keys));
  }
  return run;
}

/** The new log files of a day prefix, in key order (after the cursor, less those seen within the late margin). */
async function listDay(ctx: RunContext, plan: DayPlan): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await ctx.s3.send(
      new ListObjectsV2Command({
        Bucket: ctx.bucket,
        Prefix: plan.prefix,
        ...(token ? { ContinuationToken: token } : plan.startAfter !== undefined ? { StartAfter: plan.startAfter } : {}),
      }),
      { abortSignal: ctx.input.signal },
    );
    for (const o of res.Contents ?? []) {
      if (!o.Key || !isLogFile(o.Key)) continue;
      if (plan.seen.has(o.Key.slice(plan.prefix.length))) continue;
      keys.push(o.Key);
    }
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Files are started in key order while the run's budget lasts; the rest waits for the next run. */
async function readFiles(ctx: RunContext, keys: readonly string[]): Promise<FileResult[]> {
  const { budget } = ctx;
  const chosen: string[] = [];
  for (const key of keys) {
    if (budget.filesLeft <= 0 || budget.eventsLeft <= 0) break;
    budget.filesLeft--;
    chosen.push(key);
  }
  budget.deferred += keys.length - chosen.length;
  return mapLimit(chosen, ctx.settings.fileConcurrency, async (key) => {
    if (budget.eventsLeft <= 0) return { key, events: [], counts: new MinuteCounts(), records: 0, deferred: true } satisfies FileResult;
    const r = await readFile(ctx, key);
    budget.eventsLeft -= r.events.length;
    return r;
  });
}

/** Commits the files read completely, in key order, up to the first one that must be read again. */
function commitFiles(ctx: RunContext, run: RegionRun, day: DayRun, results: readonly FileResult[]): void {
  for (const r of results) {
    if (r.deferred) {
      ctx.budget.deferred += results.length - results.indexOf(r);
      break;
    }
    if (r.error !== undefined) {
      if (unreadable(r.error)) {
        // A corrupt file never gets better: keep what it held, note it, and move on.
        run.skipped.push(`${r.key}: ${(r.error as Error).message}`);
      } else {
        day.error = r.error;
        run.failures.push({ scope: day.plan.scope, error: r.error });
        break;
      }
    }
    day.read.push(r.key);
    for (const e of r.events) {
      if (e.dedupeKey !== undefined) {
        if (ctx.eventIds.has(e.dedupeKey)) continue;
        ctx.eventIds.add(e.dedupeKey);
      }
      run.events.push(e);
    }
    run.counts.merge(r.counts);
  }
}

/** Downloads, gunzips and parses one log file, keeping the records the filter admits. */
async function readFile(ctx: RunContext, key: string): Promise<FileResult> {
  const result: FileResult = { key, events: [], counts: new MinuteCounts(), records: 0 };
  try {
    const out = await ctx.s3.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key }), { abortSignal: ctx.input.signal });
    if (!out.Body) return result;
    const eventCtx = { integrationId: ctx.input.target.id, accountId: ctx.account };
    const read = await readLogStream(
      out.Body as Readable,
      (record) => {
        if (!ctx.filter(record)) return;
        const event = toEvent(record, eventCtx);
        if (!event) return;
        result.events.push(event);
        const f = counterFields(record);
        result.counts.add(event.startMs, f.eventSource, f.eventName, f.eventType);
      },
      { signal: ctx.input.signal, maxRecordBytes: ctx.settings.maxRecordBytes },
    );
    result.records = read.records;
  } catch (error) {
    result.error = error;
  }
  return result;
}
