import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { FETCH_STATS, type SelectedMetric } from './selection.ts';
import type { Window } from './windows.ts';

/**
 * GetMetricData: queries packed up to 500 per call (the API's limit), every statistic of one metric in the
 * same call (never split: AWS may bill up to five statistics of a metric requested together as one metric),
 * NextToken followed, results mapped back by query id. Query ids are `q<n>` (the API wants
 * ^[a-z][a-zA-Z0-9_]*$), n numbering the queries of the call.
 */
export const MAX_QUERIES_PER_CALL = 500;

/** What one metric got back: per fetched statistic (FETCH_STATS index), ascending timestamps and values. */
export interface FetchedMetric {
  ts: Array<number[] | undefined>;
  values: Array<number[] | undefined>;
}

export interface Batch<T extends SelectedMetric> {
  items: T[];
  queries: number;
}

/** Greedy packing in order: a metric goes into the current call when all its statistics fit, else into a new one. */
export function packBatches<T extends SelectedMetric>(items: readonly T[], maxQueries = MAX_QUERIES_PER_CALL): Array<Batch<T>> {
  const batches: Array<Batch<T>> = [];
  let current: Batch<T> | undefined;
  for (const item of items) {
    let n = 0;
    for (let m = item.fetch; m !== 0; m &= m - 1) n++;
    if (n === 0) continue;
    if (!current || current.queries + n > maxQueries) {
      current = { items: [], queries: 0 };
      batches.push(current);
    }
    current.items.push(item);
    current.queries += n;
  }
  return batches;
}

/** An error for a result GetMetricData marked failed (the call itself succeeded), classifiable like an SDK error. */
function resultError(status: string, id: string | undefined, message: string | undefined): Error {
  const denied = status === 'Forbidden';
  return Object.assign(new Error(`GetMetricData result ${id ?? '?'} ${status}${message ? `: ${message}` : ''}`), {
    name: denied ? 'AccessDenied' : 'InternalError',
    $metadata: { httpStatusCode: denied ? 403 : 500 },
  });
}

/** Runs one batch over one window; returns the fetched values, index-aligned with `batch.items`. */
export async function fetchBatch<T extends SelectedMetric>(
  cw: CloudWatchClient,
  batch: Batch<T>,
  window: Window,
  periodSec: number,
  signal?: AbortSignal,
): Promise<FetchedMetric[]> {
  const queries: MetricDataQuery[] = new Array(batch.queries);
  // Query n belongs to item owner[n], statistic stat[n].
  const owner = new Int32Array(batch.queries);
  const stat = new Int8Array(batch.queries);
  const fetched: FetchedMetric[] = new Array(batch.items.length);
  let n = 0;
  for (let i = 0; i < batch.items.length; i++) {
    const item = batch.items[i];
    fetched[i] = { ts: [undefined, undefined, undefined, undefined], values: [undefined, undefined, undefined, undefined] };
    for (let s = 0; s < FETCH_STATS.length; s++) {
      if (!(item.fetch & (1 << s))) continue;
      queries[n] = { Id: `q${n}`, MetricStat: { Metric: item.m.metric, Period: periodSec, Stat: FETCH_STATS[s] }, ReturnData: true };
      owner[n] = i;
      stat[n] = s;
      n++;
    }
  }
  const startTime = new Date(window.start);
  const endTime = new Date(window.end);
  let token: string | undefined;
  do {
    const page = await cw.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: startTime, EndTime: endTime, ScanBy: 'TimestampAscending', NextToken: token }),
      { abortSignal: signal },
    );
    for (const r of page.MetricDataResults ?? []) {
      if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') throw resultError(r.StatusCode, r.Id, r.Messages?.[0]?.Value);
      const q = r.Id !== undefined && r.Id.charCodeAt(0) === 113 /* q */ ? Number(r.Id.slice(1)) : NaN;
      if (!(q >= 0 && q < n) || !Number.isInteger(q)) continue;
      const times = r.Timestamps;
      const values = r.Values;
      if (!times || !values || times.length === 0) continue;
      const f = fetched[owner[q]];
      const s = stat[q];
      let ts = f.ts[s];
      let vs = f.values[s];
      if (!ts || !vs) {
        f.ts[s] = ts = [];
        f.values[s] = vs = [];
      }
      const count = Math.min(times.length, values.length);
      for (let k = 0; k < count; k++) {
        ts.push(times[k].getTime());
        vs.push(values[k]);
      }
    }
    token = page.NextToken || undefined;
  } while (token);
  return fetched;
}
