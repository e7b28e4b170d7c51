/**
 * The latency histogram of the traffic statistics: fixed log-scale buckets, the same for every minute, endpoint
 * and replica, so histograms merge by adding counts bucket by bucket and a percentile of merged minutes is exact
 * up to the bucket width.
 *
 * Bucket 0 holds 0 ms; bucket k (1..BUCKETS−1) holds [G^(k−1), G^k) ms with G = 2^(1/8); the last bucket also
 * holds everything longer (about 17 minutes and up, beyond any API Gateway integration timeout). A percentile is
 * the geometric middle of the bucket that holds the nearest-rank sample, so it is within PRECISION (±4.4%) of
 * that sample's exact value (for 1 ms it is exact: rounded to whole milliseconds).
 */
export const BUCKETS = 162;
const G = 2 ** (1 / 8);
const LOG_G = Math.log(G);
/** The relative precision of a percentile: half a bucket's width on the log scale, G^(1/2) − 1. */
export const PRECISION = Math.sqrt(G) - 1;

export type Histogram = number[];

export const emptyHistogram = (): Histogram => new Array<number>(BUCKETS).fill(0);

export function bucketOf(latencyMs: number): number {
  if (!(latencyMs >= 1)) return 0;
  // The small epsilon keeps exact powers of G (1, 2, 4 ms…) in the bucket they start.
  const k = Math.floor(Math.log(latencyMs) / LOG_G + 1e-9) + 1;
  return k >= BUCKETS ? BUCKETS - 1 : k;
}

/** The value a bucket stands for: its geometric middle, rounded to 0.1 ms (0 for bucket 0). */
export function valueOf(bucket: number): number {
  if (bucket <= 0) return 0;
  return Math.round(G ** (bucket - 0.5) * 10) / 10;
}

export function record(h: Histogram, latencyMs: number): void {
  h[bucketOf(latencyMs)]++;
}

/** Adds `from` into `into` (either may be empty: a format without latency stores no buckets). */
export function mergeInto(into: Histogram, from: readonly number[]): Histogram {
  if (from.length === 0) return into;
  if (into.length === 0) into.push(...new Array<number>(BUCKETS).fill(0));
  for (let i = 0; i < from.length && i < BUCKETS; i++) into[i] += from[i];
  return into;
}

export const countOf = (h: readonly number[]): number => h.reduce((a, b) => a + b, 0);

/** Nearest-rank percentile `p` (0..100) of a histogram, or null when it holds no samples. */
export function percentile(h: readonly number[], p: number): number | null {
  const n = countOf(h);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= rank) return valueOf(i);
  }
  return valueOf(h.length - 1);
}
