import { prng } from './ids.ts';
import { failure, type FailureKind, type ServiceName, SimError } from './errors.ts';

export type FaultKind =
  | 'latency'
  | 'throttle'
  | 'server-error'
  | 'unavailable'
  | 'access-denied'
  | 'expired-token'
  | 'invalid-credentials';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'throttle',
  'server-error',
  'unavailable',
  'access-denied',
  'expired-token',
  'invalid-credentials',
];

/** Service names accepted in fault and counter filters; `cloudwatch` is an alias of `monitoring`. */
export type ServiceSelector = ServiceName | 'cloudwatch';

export interface FaultInput {
  kind: FaultKind;
  /** Match conditions; an omitted field matches anything. */
  service?: ServiceSelector;
  /** Operation name, e.g. `GetMetricData`, `AssumeRole`, `ListObjectsV2`. */
  api?: string;
  /** The account the call acts in (for AssumeRole: the target role's account). */
  accountId?: string;
  /** The caller's role (calls made with that role's temporary credentials); for AssumeRole: the target role. */
  roleArn?: string;
  accessKeyId?: string;
  region?: string;
  /** `latency` only: milliseconds added before the call is answered. */
  latencyMs?: number;
  /** Apply to the next `count` matching calls only (deterministic), then the fault is removed. */
  count?: number;
  /** Apply to each matching call with this probability (seeded PRNG, reproducible per simulator seed). */
  probability?: number;
  /** Override the protocol's default error code / message / HTTP status for this kind. */
  code?: string;
  message?: string;
  status?: number;
}

export interface Fault extends FaultInput {
  id: string;
  /** Calls this fault has been applied to. */
  hits: number;
}

export interface FaultContext {
  service: ServiceName;
  api: string;
  accountId?: string;
  roleArn?: string;
  accessKeyId?: string;
  region?: string;
}

const FAILURE_OF: Record<Exclude<FaultKind, 'latency'>, FailureKind> = {
  throttle: 'throttle',
  'server-error': 'server-error',
  unavailable: 'unavailable',
  'access-denied': 'access-denied',
  'expired-token': 'expired-token',
  'invalid-credentials': 'unknown-key',
};

export const normalizeService = (s: ServiceSelector): ServiceName => (s === 'cloudwatch' ? 'monitoring' : s);

/** Injected latency and errors, matched per service / API / account / role / key / region. */
export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(seed = 1) {
    this.random = prng(seed);
  }

  /** Reseeds the PRNG used for `probability` faults. */
  seed(seed: number): void {
    this.random = prng(seed);
  }

  add(input: FaultInput): Fault {
    if (!FAULT_KINDS.includes(input.kind)) throw new Error(`unknown fault kind ${String(input.kind)}`);
    if (input.kind === 'latency' && !(typeof input.latencyMs === 'number' && input.latencyMs >= 0)) {
      throw new Error('latency faults need latencyMs >= 0');
    }
    if (input.count !== undefined && !(Number.isInteger(input.count) && input.count > 0)) throw new Error('count must be a positive integer');
    if (input.probability !== undefined && !(input.probability >= 0 && input.probability <= 1)) throw new Error('probability must be within 0..1');
    const fault: Fault = { ...input, service: input.service && normalizeService(input.service), id: `f${this.nextId++}`, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /**
   * Decides what happens to a call: the total latency of every matching latency fault, and the first matching
   * error fault (as the service's error), if any. Counted faults are consumed here.
   */
  evaluate(ctx: FaultContext): { latencyMs: number; error?: SimError } {
    let latencyMs = 0;
    let error: SimError | undefined;
    for (const fault of [...this.faults]) {
      if (fault.kind !== 'latency' && error) continue;
      if (!matches(fault, ctx)) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.hits++;
      if (fault.count !== undefined && fault.hits >= fault.count) this.remove(fault.id);
      if (fault.kind === 'latency') latencyMs += fault.latencyMs ?? 0;
      else error = failure(ctx.service, FAILURE_OF[fault.kind], fault);
    }
    return { latencyMs, error };
  }
}

function matches(f: Fault, ctx: FaultContext): boolean {
  return (
    (f.service === undefined || f.service === ctx.service) &&
    (f.api === undefined || f.api === ctx.api) &&
    (f.accountId === undefined || f.accountId === ctx.accountId) &&
    (f.roleArn === undefined || f.roleArn === ctx.roleArn) &&
    (f.accessKeyId === undefined || f.accessKeyId === ctx.accessKeyId) &&
    (f.region === undefined || f.region === ctx.region)
  );
}
