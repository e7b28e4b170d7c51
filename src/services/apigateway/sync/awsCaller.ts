import { isThrottlingError } from '@smithy/core/retry';
import type { RateLimiter } from '../../collection/aws/rateLimiter.ts';

/** Throttled calls are retried this many times before the region's sync gives up for this run. */
const MAX_THROTTLE_RETRIES = 8;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

/**
 * The AWS calls of one sync of one connection × region: each takes a token from the per account × region
 * bucket API Gateway's v1 and v2 share, is counted per operation, and is retried with back-off when AWS
 * throttles it (never more than the run's deadline allows). Other failures are thrown as they are.
 */
export interface AwsCaller {
  call<T>(operation: string, send: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Calls made per operation (`apigateway:GetRestApis`), retries included. */
  readonly calls: Record<string, number>;
  /** Calls AWS answered with throttling. */
  readonly throttled: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long AWS asked us to wait (`Retry-After`, as the v1 SDK exposes it), else exponential back-off with jitter. */
function backoffMs(err: unknown, attempt: number): number {
  const retryAfter = Number((err as { retryAfterSeconds?: unknown }).retryAfterSeconds);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter * 1000, BACKOFF_CAP_MS);
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

export function createAwsCaller(deps: { limiter: RateLimiter; accountId: string; region: string; signal: AbortSignal; service?: 'apigateway' | 'logs' }): AwsCaller {
  const calls: Record<string, number> = {};
  let throttled = 0;
  const bucket = { accountId: deps.accountId, region: deps.region, service: deps.service ?? 'apigateway', api: '*' };
  return {
    async call(operation, send) {
      for (let attempt = 0; ; attempt++) {
        // The wait for a token is bounded by the bucket's rate; the deadline is checked once it is over (the
        // limiter's own abort listeners would pile up on the run's long-lived signal, one per wait).
        await deps.limiter.take(bucket);
        deps.signal.throwIfAborted();
        calls[operation] = (calls[operation] ?? 0) + 1;
        try {
          return await send(deps.signal);
        } catch (err) {
          if (!isThrottlingError(err as Parameters<typeof isThrottlingError>[0]) || attempt >= MAX_THROTTLE_RETRIES) throw err;
          throttled++;
          await sleep(backoffMs(err, attempt), deps.signal);
        }
      }
    },
    get calls() {
      return calls;
    },
    get throttled() {
      return throttled;
    },
  };
}
