import { performance } from 'node:perf_hooks';

/** FilterLogEvents' quota: 5 transactions per second per account and region (not adjustable in AWS). */
export const FILTER_LOG_EVENTS_PER_SECOND = 5;

/**
 * At most `perSecond` accepted FilterLogEvents calls per account × region in any one-second window; a throttled
 * call does not use up the quota. It runs on its own monotonic clock, not the simulator clock: tests freeze or
 * jump the simulator clock to place events in time, and that must neither stop nor flood the rate window.
 * The clock is injectable so a test can step it.
 */
export class FilterRateLimiter {
  perSecond: number = FILTER_LOG_EVENTS_PER_SECOND;
  clock: () => number = () => performance.now();
  private readonly accepted = new Map<string, number[]>();

  /** True if the call may proceed (and counts it); false if it is throttled. */
  tryAcquire(accountId: string, region: string): boolean {
    if (!Number.isFinite(this.perSecond)) return true;
    const now = this.clock();
    const key = `${accountId}/${region}`;
    const recent = (this.accepted.get(key) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= this.perSecond) {
      this.accepted.set(key, recent);
      return false;
    }
    recent.push(now);
    this.accepted.set(key, recent);
    return true;
  }

  /** Forgets past calls (e.g. after changing the limit or the clock). */
  reset(): void {
    this.accepted.clear();
  }
}
