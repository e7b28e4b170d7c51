import { fnv1a, mix32 } from './ids.ts';

export interface Dimension {
  Name: string;
  Value: string;
}

/** Deterministic values computed from (series identity, time slot): no stored points needed. */
export interface GeneratorSpec {
  /** Native resolution of the generated data, seconds (default 60: one sample set per minute). */
  intervalSeconds?: number;
  /** Range of the per-slot average (default 0..100). */
  min?: number;
  max?: number;
  /** Samples aggregated in each slot (SampleCount per slot, default 1). */
  samplesPerInterval?: number;
  /** Data exists only in [from, until) (epoch ms); default unbounded. */
  from?: number;
  until?: number;
}

/** One stored statistic set at a timestamp (a single value v is {n:1,sum:v,min:v,max:v}). */
export interface Sample {
  t: number;
  n: number;
  sum: number;
  min: number;
  max: number;
}

export interface MetricSeries {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  /** As given (display order). */
  dimensions: Dimension[];
  /** Identity within the namespace: metric name + sorted dimensions. */
  key: string;
  /** 32-bit hash of the full identity (account, region, namespace, key); seeds generated values. */
  hash: number;
  generator?: Required<Pick<GeneratorSpec, 'intervalSeconds' | 'min' | 'max' | 'samplesPerInterval'>> &
    Pick<GeneratorSpec, 'from' | 'until'>;
  /** Stored samples, sorted by time. */
  samples: Sample[];
}

export interface AddSeriesInput {
  accountId: string;
  region: string;
  namespace: string;
  metricName: string;
  dimensions?: Dimension[] | Record<string, string>;
  /** Generate values from time (true = defaults). */
  generator?: GeneratorSpec | boolean;
  points?: PointInput[];
}

export interface PointInput {
  /** Epoch ms. */
  timestamp: number;
  value?: number;
  /** Pre-aggregated statistic set (PutMetricData StatisticValues). */
  statisticValues?: { sampleCount: number; sum: number; minimum: number; maximum: number };
  /** PutMetricData Values/Counts. */
  values?: number[];
  counts?: number[];
}

export type Statistic = 'Average' | 'Sum' | 'SampleCount' | 'Minimum' | 'Maximum';
export const STATISTICS: readonly Statistic[] = ['Average', 'Sum', 'SampleCount', 'Minimum', 'Maximum'];

export interface ListFilter {
  namespace?: string;
  metricName?: string;
  dimensions?: Array<{ Name: string; Value?: string }>;
  /** Only series with a data point in [since, now]. */
  since: number;
  now: number;
}

export function normalizeDimensions(dims: Dimension[] | Record<string, string> | undefined): Dimension[] {
  if (!dims) return [];
  if (Array.isArray(dims)) return dims.map((d) => ({ Name: d.Name, Value: d.Value }));
  return Object.entries(dims).map(([Name, Value]) => ({ Name, Value }));
}

/** The identity of a metric within its namespace. */
export function seriesKey(metricName: string, dimensions: readonly Dimension[]): string {
  const dims = [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : a.Value < b.Value ? -1 : 1));
  return `${metricName}\u0000${dims.map((d) => `${d.Name}=${d.Value}`).join('\u0001')}`;
}

/**
 * The generated statistic set of a series for the slot starting at `slotStart` (epoch ms, a multiple of the
 * generator interval). Exported so tests and benchmarks can compute expected values.
 */
export function generatedSample(series: MetricSeries, slotStart: number): Sample {
  const g = series.generator;
  if (!g) throw new Error('series has no generator');
  const slot = Math.floor(slotStart / (g.intervalSeconds * 1000));
  const r1 = mix32(series.hash, slot) / 4294967296;
  const v = g.min + (g.max - g.min) * r1;
  const n = g.samplesPerInterval;
  if (n <= 1) return { t: slotStart, n: 1, sum: v, min: v, max: v };
  const r2 = mix32(series.hash ^ 0x9e3779b9, slot) / 4294967296;
  const spread = (g.max - g.min) * 0.1 * r2;
  return { t: slotStart, n, sum: v * n, min: v - spread, max: v + spread };
}

export function statisticOf(acc: { n: number; sum: number; min: number; max: number }, stat: Statistic): number {
  switch (stat) {
    case 'Average':
      return acc.sum / acc.n;
    case 'Sum':
      return acc.sum;
    case 'SampleCount':
      return acc.n;
    case 'Minimum':
      return acc.min;
    case 'Maximum':
      return acc.max;
  }
}

/**
 * CloudWatch metric series indexed by account → region → namespace → identity, so ListMetrics and
 * GetMetricData only touch the series of the caller's account and region.
 */
export class MetricStore {
  private readonly index = new Map<string, Map<string, Map<string, MetricSeries>>>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** Creates a series (or returns the existing one, updating its generator and adding points). */
  addSeries(input: AddSeriesInput): MetricSeries {
    for (const field of ['accountId', 'region', 'namespace', 'metricName'] as const) {
      if (typeof input[field] !== 'string' || input[field] === '') throw new Error(`series ${field} is required`);
    }
    const dimensions = normalizeDimensions(input.dimensions);
    const key = seriesKey(input.metricName, dimensions);
    const namespaces = this.namespacesOf(input.accountId, input.region, true);
    let ns = namespaces.get(input.namespace);
    if (!ns) {
      ns = new Map();
      namespaces.set(input.namespace, ns);
    }
    let series = ns.get(key);
    if (!series) {
      series = {
        accountId: input.accountId,
        region: input.region,
        namespace: input.namespace,
        metricName: input.metricName,
        dimensions,
        key,
        hash: fnv1a(`${input.accountId}|${input.region}|${input.namespace}|${key}`),
        samples: [],
      };
      ns.set(key, series);
      this.total++;
    }
    if (input.generator) {
      const g = input.generator === true ? {} : input.generator;
      series.generator = {
        intervalSeconds: g.intervalSeconds ?? 60,
        min: g.min ?? 0,
        max: g.max ?? 100,
        samplesPerInterval: g.samplesPerInterval ?? 1,
        from: g.from,
        until: g.until,
      };
    }
    if (input.points) this.putPoints(series, input.points);
    return series;
  }

  putPoints(series: MetricSeries, points: readonly PointInput[]): void {
    for (const p of points) insertSample(series.samples, toSample(p));
  }

  find(accountId: string, region: string, namespace: string, metricName: string, dimensions: readonly Dimension[]): MetricSeries | undefined {
    return this.namespacesOf(accountId, region, false)?.get(namespace)?.get(seriesKey(metricName, dimensions));
  }

  /** Series of an account and region matching a ListMetrics filter, in insertion order. */
  *list(accountId: string, region: string, filter: ListFilter): Generator<MetricSeries> {
    const namespaces = this.namespacesOf(accountId, region, false);
    if (!namespaces) return;
    const groups = filter.namespace !== undefined ? [namespaces.get(filter.namespace)] : [...namespaces.values()];
    for (const group of groups) {
      if (!group) continue;
      for (const series of group.values()) {
        if (filter.metricName !== undefined && series.metricName !== filter.metricName) continue;
        if (filter.dimensions && !filter.dimensions.every((f) => series.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)))) continue;
        if (!hasDataIn(series, filter.since, filter.now)) continue;
        yield series;
      }
    }
  }

  /** Every series of an account (all regions), for admin reads. */
  *seriesOf(accountId: string): Generator<MetricSeries> {
    const prefix = `${accountId}/`;
    for (const [scope, namespaces] of this.index) {
      if (!scope.startsWith(prefix)) continue;
      for (const ns of namespaces.values()) yield* ns.values();
    }
  }

  /**
   * Aggregates a series over [start, end) in buckets of `periodSeconds` starting at `start`; only data with
   * timestamps <= now exists. Returns ascending [bucketStartMs, value] pairs for non-empty buckets.
   */
  aggregate(series: MetricSeries, start: number, end: number, periodSeconds: number, stat: Statistic, now: number): Array<[number, number]> {
    const period = periodSeconds * 1000;
    const buckets = new Map<number, { n: number; sum: number; min: number; max: number }>();
    const add = (s: Sample): void => {
      const b = Math.floor((s.t - start) / period);
      const acc = buckets.get(b);
      if (!acc) buckets.set(b, { n: s.n, sum: s.sum, min: s.min, max: s.max });
      else {
        acc.n += s.n;
        acc.sum += s.sum;
        if (s.min < acc.min) acc.min = s.min;
        if (s.max > acc.max) acc.max = s.max;
      }
    };
    const last = Math.min(end - 1, now);
    const g = series.generator;
    if (g) {
      const interval = g.intervalSeconds * 1000;
      const from = Math.max(start, g.from ?? -Infinity);
      const until = Math.min(last, (g.until ?? Infinity) - 1);
      for (let t = Math.ceil(from / interval) * interval; t <= until; t += interval) add(generatedSample(series, t));
    }
    const samples = series.samples;
    for (let i = firstAtOrAfter(samples, start); i < samples.length && samples[i].t <= last; i++) add(samples[i]);
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, acc]) => [start + b * period, statisticOf(acc, stat)]);
  }

  private namespacesOf(accountId: string, region: string, create: true): Map<string, Map<string, MetricSeries>>;
  private namespacesOf(accountId: string, region: string, create: false): Map<string, Map<string, MetricSeries>> | undefined;
  private namespacesOf(accountId: string, region: string, create: boolean): Map<string, Map<string, MetricSeries>> | undefined {
    const scope = `${accountId}/${region}`;
    let namespaces = this.index.get(scope);
    if (!namespaces && create) {
      namespaces = new Map();
      this.index.set(scope, namespaces);
    }
    return namespaces;
  }
}

/** Does the series have a data point with a timestamp in [since, now]? */
export function hasDataIn(series: MetricSeries, since: number, now: number): boolean {
  const g = series.generator;
  if (g) {
    const interval = g.intervalSeconds * 1000;
    const lo = Math.max(since, g.from ?? -Infinity);
    const hi = Math.min(now, (g.until ?? Infinity) - 1);
    if (Math.ceil(lo / interval) * interval <= hi) return true;
  }
  const i = firstAtOrAfter(series.samples, since);
  return i < series.samples.length && series.samples[i].t <= now;
}

function toSample(p: PointInput): Sample {
  if (p.statisticValues) {
    const s = p.statisticValues;
    return { t: p.timestamp, n: s.sampleCount, sum: s.sum, min: s.minimum, max: s.maximum };
  }
  if (p.values && p.values.length > 0) {
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    p.values.forEach((v, i) => {
      const c = p.counts?.[i] ?? 1;
      n += c;
      sum += v * c;
      if (v < min) min = v;
      if (v > max) max = v;
    });
    return { t: p.timestamp, n, sum, min, max };
  }
  const v = p.value ?? 0;
  return { t: p.timestamp, n: 1, sum: v, min: v, max: v };
}

function insertSample(samples: Sample[], s: Sample): void {
  if (samples.length === 0 || samples[samples.length - 1].t <= s.t) {
    samples.push(s);
    return;
  }
  samples.splice(firstAfter(samples, s.t), 0, s);
}

function firstAtOrAfter(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAfter(samples: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid].t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
