import { performance } from 'node:perf_hooks';

/**
 * API Gateway's control-plane quotas, per account × region: every call shares one token bucket (10 requests
 * per second, burst 40); CreateApiKey and DeleteApiKey also have their own 5 per second, GetResources its
 * own 5 per 2 seconds. A call is admitted only if every bucket it draws from has a token.
 * Rates run on real (monotonic) time, not the simulator clock: they limit how fast a client really calls,
 * and a frozen simulator clock must not freeze the budget.
 */
export interface ApiGatewayLimits {
  /** Shared budget per account × region (AWS: 10 rps, burst 40). */
  accountRps: number;
  accountBurst: number;
  /** CreateApiKey / DeleteApiKey (AWS: 5 rps). */
  keyWriteRps: number;
  /** GetResources (AWS: 5 requests per 2 s). */
  getResourcesPer2s: number;
  /** false: no quota is enforced (faults still apply). */
  enabled: boolean;
}

export const AWS_LIMITS: Readonly<ApiGatewayLimits> = { accountRps: 10, accountBurst: 40, keyWriteRps: 5, getResourcesPer2s: 5, enabled: true };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  limits: ApiGatewayLimits = { ...AWS_LIMITS };
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Changes the quotas (partial); buckets restart full. */
  configure(change: Partial<ApiGatewayLimits>): ApiGatewayLimits {
    for (const [k, v] of Object.entries(change)) {
      if (k === 'enabled') {
        if (typeof v !== 'boolean') throw new Error('enabled must be a boolean');
      } else if (!(k in AWS_LIMITS) || typeof v !== 'number' || !(v > 0)) {
        throw new Error(`${k} must be a positive number`);
      }
    }
    this.limits = { ...this.limits, ...change };
    this.buckets.clear();
    return { ...this.limits };
  }

  reset(): void {
    this.limits = { ...AWS_LIMITS };
    this.buckets.clear();
  }

  /**
   * Takes one token from each bucket `api` draws from in `accountId`/`region`, or none if any is empty;
   * returns the seconds until a retry could succeed, or 0 when admitted.
   */
  admit(accountId: string, region: string, api: string): number {
    if (!this.limits.enabled) return 0;
    const now = this.clock() / 1000;
    const l = this.limits;
    const wanted: Array<[string, number, number]> = [[`${accountId}|${region}`, l.accountRps, l.accountBurst]];
    if (api === 'CreateApiKey' || api === 'DeleteApiKey') wanted.push([`${accountId}|${region}|keys`, l.keyWriteRps, l.keyWriteRps]);
    if (api === 'GetResources') wanted.push([`${accountId}|${region}|resources`, l.getResourcesPer2s / 2, l.getResourcesPer2s]);
    let wait = 0;
    const buckets = wanted.map(([key, rate, burst]) => {
      let b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = { tokens: burst, at: now }));
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate);
      b.at = now;
      if (b.tokens < 1) wait = Math.max(wait, (1 - b.tokens) / rate);
      return b;
    });
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    for (const b of buckets) b.tokens -= 1;
    return 0;
  }
}
