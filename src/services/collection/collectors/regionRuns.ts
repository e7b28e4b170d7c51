import { classifyAwsError } from '../aws/errors.ts';
import type { AwsClients } from '../aws/clientFactory.ts';
import { mapLimit } from './concurrency.ts';
import { homeRegion, type RegionsCache } from './regions.ts';
import type { CollectResult } from './types.ts';

/**
 * What every collector shares around its own steps: its settings (defaults merged with what the process
 * passes), the regions of a run, regions run with bounded concurrency and abort, the credential-failure rule,
 * and the partial errors of what failed.
 */

/** A part of a run that failed (a region, a namespace, a day) while the rest went on. */
export interface ScopeFailure {
  scope: string;
  error: unknown;
}

/** What the credential-failure rule needs to know of one region's run. */
export interface RegionOutcome {
  failures: readonly ScopeFailure[];
  /** Some part of the region was collected. */
  succeeded: boolean;
}

/** The defaults with every override that is set (an undefined override keeps the default). */
export function withDefaults<T extends object>(defaults: Readonly<T>, overrides: Partial<T>): T {
  const merged = { ...defaults } as T;
  for (const key of Object.keys(overrides) as Array<keyof T>) {
    const value = overrides[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return merged;
}

/** SKYPORT_AWS_REGIONS as a collector keeps it: unset or empty means "the account's regions". */
export function fixedRegionsOf(regions: readonly string[] | undefined): string[] | undefined {
  return regions && regions.length > 0 ? [...regions] : undefined;
}

/** The regions of one run: the fixed ones, else the account's enabled regions (DescribeRegions, cached per role). */
export async function regionsOfRun(
  fixed: string[] | undefined,
  cache: RegionsCache,
  run: { roleArn: string; aws: AwsClients; now: number; signal: AbortSignal },
): Promise<string[]> {
  return fixed ?? (await cache.get(run.roleArn, run.aws.ec2(homeRegion(run.roleArn)), run.now, run.signal));
}

/** Runs `fn` over the regions (or region jobs), `concurrency` at a time; a run cancelled meanwhile throws. */
export async function runRegions<T, R>(items: readonly T[], concurrency: number, signal: AbortSignal, fn: (item: T) => Promise<R>): Promise<R[]> {
  const runs = await mapLimit(items, concurrency, fn);
  signal.throwIfAborted();
  return runs;
}

function isCredentialKind(error: unknown): boolean {
  const kind = classifyAwsError(error).kind;
  return kind === 'credentials' || kind === 'denied';
}

/**
 * The credential-failure rule: when every region failed entirely and every failure is a credential or
 * permission failure, the integration's credentials are bad. The first credential failure (else the first
 * failure) is thrown, so the scheduler disables the integration.
 */
export function throwIfCredentialsFailEverywhere(runs: readonly RegionOutcome[]): void {
  if (runs.length === 0) return;
  for (const r of runs) {
    if (r.succeeded || r.failures.length === 0) return;
    if (!r.failures.every((f) => isCredentialKind(f.error))) return;
  }
  const all = runs.flatMap((r) => r.failures.map((f) => f.error));
  throw all.find((e) => classifyAwsError(e).kind === 'credentials') ?? all[0];
}

/** The failures of parts, classified, for lastError. */
export function partialErrorsOf(runs: ReadonlyArray<{ failures: readonly ScopeFailure[] }>): CollectResult['partialErrors'] {
  const out: CollectResult['partialErrors'] = [];
  for (const run of runs) for (const f of run.failures) out.push({ scope: f.scope, ...classifyAwsError(f.error) });
  return out;
}
