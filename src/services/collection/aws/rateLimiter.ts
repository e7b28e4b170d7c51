/**
 * Token buckets keyed by AWS account × region × API, shared by every integration of the process, so
 * several integrations on one account stay under that account's quotas together. `take` waits for a token.
 */
export interface RateLimit {
  /** Requests per second refilled. */
  rate: number;
  /** Bucket size (burst). */
  burst: number;
}

// Published quotas (reference/collectors.md §2.1) with a margin, since the customer may run other tools.
const LIMITS: Record<string, RateLimit> = {
  'monitoring:GetMetricData': { rate: 40, burst: 40 },
  'monitoring:ListMetrics': { rate: 20, burst: 20 },
  'ec2:*': { rate: 16, burst: 80 },
  's3:*': { rate: 500, burst: 500 },
  'sts:*': { rate: 50, burst: 50 },
  // API Gateway's control plane: about 10 requests/s per account and region, shared by v1 and v2 and every tool.
  'apigateway:*': { rate: 10, burst: 10 },
  // CloudWatch Logs FilterLogEvents: 5 requests/s per account and region, a hard quota shared with every tool.
  'logs:*': { rate: 5, burst: 5 },
};
const DEFAULT_LIMIT: RateLimit = { rate: 20, burst: 20 };

export function limitFor(service: string, api: string): RateLimit {
  return LIMITS[`${service}:${api}`] ?? LIMITS[`${service}:*`] ?? DEFAULT_LIMIT;
}

interface Bucket {
  tokens: number;
  updated: number;
  limit: RateLimit;
  /** Time the last reserved token becomes available (callers queue behind it). */
  queueUntil: number;
}

export function createRateLimiter(opts: { now?: () => number; sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; maxBuckets?: number } = {}) {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  }));
  const maxBuckets = opts.maxBuckets ?? 50_000;
  const buckets = new Map<string, Bucket>();
  let waits = 0;

  /** Milliseconds the caller must wait for its token (0 when one is free); reserves the token. */
  function reserve(key: string, limit: RateLimit): number {
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= maxBuckets) buckets.delete(buckets.keys().next().value!);
      b = { tokens: limit.burst, updated: t, limit, queueUntil: t };
      buckets.set(key, b);
    }
    b.tokens = Math.min(limit.burst, b.tokens + ((t - b.updated) / 1000) * limit.rate);
    b.updated = t;
    b.tokens -= 1;
    if (b.tokens >= 0) return 0;
    // In debt: this caller's token arrives once the debt is refilled.
    return (-b.tokens / limit.rate) * 1000;
  }

  return {
    async take(key: { accountId: string; region: string; service: string; api: string }, signal?: AbortSignal): Promise<void> {
      const wait = reserve(`${key.accountId}:${key.region}:${key.service}:${key.api}`, limitFor(key.service, key.api));
      if (wait > 0) {
        waits++;
        await sleep(wait, signal);
      }
    },
    /** How many calls had to wait (self-metrics). */
    get waits() {
      return waits;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
