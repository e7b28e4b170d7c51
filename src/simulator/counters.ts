import type { ServiceName } from './errors.ts';
import { normalizeService, type ServiceSelector } from './faults.ts';

/** One aggregated counter row. */
export interface CallCount {
  service: ServiceName;
  api: string;
  /** The account the call acted in ('' when authentication failed before it was known). */
  accountId: string;
  /** The calling principal: an IAM user ARN or the role ARN of an assumed-role session ('' if unknown). */
  principal: string;
  region: string;
  /** '' for a successful call, else the error code returned. */
  errorCode: string;
  count: number;
}

export interface CallFilter {
  service?: ServiceSelector;
  api?: string;
  accountId?: string;
  principal?: string;
  region?: string;
  /** `true`: only failed calls; `false`: only successful ones; a string: that error code. */
  error?: boolean | string;
}

/** Counts every AWS call the simulator answers, by service, API, account, principal, region and outcome. */
export class CallCounters {
  private readonly rows = new Map<string, CallCount>();

  record(call: Omit<CallCount, 'count'>): void {
    const key = `${call.service}|${call.api}|${call.accountId}|${call.principal}|${call.region}|${call.errorCode}`;
    const row = this.rows.get(key);
    if (row) row.count++;
    else this.rows.set(key, { ...call, count: 1 });
  }

  /** Rows matching the filter (copies). */
  list(filter: CallFilter = {}): CallCount[] {
    return [...this.rows.values()].filter((r) => matches(r, filter)).map((r) => ({ ...r }));
  }

  /** Number of calls matching the filter. */
  total(filter: CallFilter = {}): number {
    let n = 0;
    for (const r of this.rows.values()) if (matches(r, filter)) n += r.count;
    return n;
  }

  /** Calls grouped by `service.api` (e.g. `monitoring.GetMetricData`) → count. */
  byApi(filter: CallFilter = {}): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows.values()) {
      if (!matches(r, filter)) continue;
      const k = `${r.service}.${r.api}`;
      out[k] = (out[k] ?? 0) + r.count;
    }
    return out;
  }

  reset(): void {
    this.rows.clear();
  }
}

function matches(r: CallCount, f: CallFilter): boolean {
  if (f.service !== undefined && r.service !== normalizeService(f.service)) return false;
  if (f.api !== undefined && r.api !== f.api) return false;
  if (f.accountId !== undefined && r.accountId !== f.accountId) return false;
  if (f.principal !== undefined && r.principal !== f.principal) return false;
  if (f.region !== undefined && r.region !== f.region) return false;
  if (f.error === true && r.errorCode === '') return false;
  if (f.error === false && r.errorCode !== '') return false;
  if (typeof f.error === 'string' && r.errorCode !== f.error) return false;
  return true;
}
