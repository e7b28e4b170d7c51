import { isThrottling } from './errors.ts';

/** Throttled calls are retried this many times before the caller gives up for this run. */
const MAX_THROTTLE_RETRIES = 8;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;

/**
 * Retries of AWS calls that AWS throttled, for work that must get through a shared budget (API Gateway's
 * control plane): a throttled call waits as long as AWS asked (`Retry-After`), else a jittered exponential
 * back-off, and is sent again, at most MAX_THROTTLE_RETRIES times; every wait ends with the run's signal.
 * Other failures are thrown as they are. The clients' rate limiter paces each attempt and the client
 * factory's tally counts each one (retries included).
 */
export interface ThrottleRetry {
  call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Calls AWS answered with throttling (each retried one counts). */
  readonly throttled: number;
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
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

/** One run's throttle retries, bounded by `signal` (the run's deadline). */
export function createThrottleRetry(deps: { signal: AbortSignal }): ThrottleRetry {
  const { signal } = deps;
  let throttled = 0;
  return {
    async call(send) {
      for (let attempt = 0; ; attempt++) {
        signal.throwIfAborted();
        try {
          return await send(signal);
        } catch (err) {
          if (!isThrottling(err) || attempt >= MAX_THROTTLE_RETRIES) throw err;
          throttled++;
          await sleepUnlessAborted(backoffMs(err, attempt), signal);
        }
      }
    },
    get throttled() {
      return throttled;
    },
  };
}
