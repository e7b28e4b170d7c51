import type { Role } from './accounts.ts';
import { fnv1a } from './ids.ts';
import type { Instance } from './inventory.ts';
import type { GeneratorSpec, MetricSeries } from './metric-store.ts';
import type { SimState } from './state.ts';

/** Seeding helpers that create many resources with one call (benchmarks: 2,000 accounts × 50 series). */

export const DEFAULT_EC2_METRICS = ['CPUUtilization', 'NetworkIn', 'NetworkOut', 'DiskReadOps', 'DiskWriteOps'];

export interface SeedSeriesInput {
  accountId: string;
  region: string;
  /** Number of series. Series i is metricNames[i % m] with dimension value dimensionValues[floor(i / m)]. */
  count: number;
  namespace?: string;
  metricNames?: string[];
  dimensionName?: string;
  /** Default: deterministic instance ids derived from account, region and index. */
  dimensionValues?: string[];
  /** Default: generated values (0..100 per minute). */
  generator?: GeneratorSpec;
  /** Also add running EC2 instances for the derived InstanceId values. */
  createInstances?: boolean;
}

export interface SeedSeriesResult {
  series: MetricSeries[];
  /** The distinct dimension values used. */
  dimensionValues: string[];
  instances: Instance[];
}

/** A stable instance id for the j-th seeded instance of an account and region. */
export function seededInstanceId(accountId: string, region: string, j: number): string {
  return `i-${fnv1a(`${accountId}/${region}`).toString(16).padStart(8, '0')}${j.toString(16).padStart(9, '0')}`;
}

export function seedSeries(state: SimState, now: number, input: SeedSeriesInput): SeedSeriesResult {
  state.iam.ensureAccount(input.accountId);
  const names = input.metricNames ?? DEFAULT_EC2_METRICS;
  const groups = Math.ceil(input.count / names.length);
  const values = input.dimensionValues ?? Array.from({ length: groups }, (_, j) => seededInstanceId(input.accountId, input.region, j));
  if (values.length < groups) throw new Error(`need ${groups} dimension values, got ${values.length}`);
  const dimensionName = input.dimensionName ?? 'InstanceId';
  const series: MetricSeries[] = [];
  for (let i = 0; i < input.count; i++) {
    series.push(
      state.metrics.addSeries({
        accountId: input.accountId,
        region: input.region,
        namespace: input.namespace ?? 'AWS/EC2',
        metricName: names[i % names.length],
        dimensions: [{ Name: dimensionName, Value: values[Math.floor(i / names.length)] }],
        generator: input.generator ?? true,
      }),
    );
  }
  const used = values.slice(0, groups);
  const instances: Instance[] = [];
  if (input.createInstances) {
    for (const id of used) {
      const existing = state.inventory.instances.get(id);
      instances.push(existing ?? state.inventory.addInstance({ accountId: input.accountId, region: input.region, instanceId: id, tags: { Name: id } }, now));
    }
  }
  return { series, dimensionValues: used, instances };
}

export interface SeedAccountInput {
  accountId?: string;
  regions?: string[];
  /** The cross-account role Skyport assumes. */
  role?: { name?: string; trustedPrincipals: string[]; externalId?: string; maxSessionDuration?: number };
  /** Regions that get instances/series (default: the first enabled region). */
  seedRegions?: string[];
  /** Running instances per seeded region, each with one attached gp3 volume. */
  instancesPerRegion?: number;
  /** Generated AWS/EC2 series per seeded region (over the instances when there are any). */
  seriesPerRegion?: number;
  metricNames?: string[];
  generator?: GeneratorSpec;
}

export interface SeedAccountResult {
  accountId: string;
  regions: string[];
  role?: Role;
  instanceIds: string[];
  volumeIds: string[];
  seriesCount: number;
}

/** One customer account in one call: account, trusted role, instances + volumes, generated series. */
export function seedAccount(state: SimState, now: number, input: SeedAccountInput): SeedAccountResult {
  const account = state.iam.createAccount({ id: input.accountId, regions: input.regions });
  const role = input.role
    ? state.iam.createRole({
        accountId: account.id,
        name: input.role.name ?? 'SkyportIntegration',
        trustedPrincipals: input.role.trustedPrincipals,
        externalId: input.role.externalId,
        maxSessionDuration: input.role.maxSessionDuration,
      })
    : undefined;
  const instanceIds: string[] = [];
  const volumeIds: string[] = [];
  let seriesCount = 0;
  for (const region of input.seedRegions ?? account.regions.slice(0, 1)) {
    const ids: string[] = [];
    for (let j = 0; j < (input.instancesPerRegion ?? 0); j++) {
      const instanceId = seededInstanceId(account.id, region, j);
      state.inventory.addInstance(
        { accountId: account.id, region, instanceId, instanceType: j % 3 === 0 ? 'm5.large' : 't3.micro', tags: { Name: `host-${j}`, env: j % 2 === 0 ? 'prod' : 'dev' }, launchTime: now - 86_400_000 },
        now,
      );
      const volume = state.inventory.addVolume({ accountId: account.id, region, size: 8 + (j % 4) * 8, attachments: [{ instanceId }], tags: { Name: `vol-${j}` } }, now);
      ids.push(instanceId);
      volumeIds.push(volume.volumeId);
    }
    instanceIds.push(...ids);
    const count = input.seriesPerRegion ?? 0;
    if (count > 0) {
      // Seeded instance j has id seededInstanceId(account, region, j): the series' InstanceIds match them.
      seriesCount += seedSeries(state, now, { accountId: account.id, region, count, metricNames: input.metricNames, generator: input.generator }).series.length;
    }
  }
  return { accountId: account.id, regions: account.regions, role, instanceIds, volumeIds, seriesCount };
}
