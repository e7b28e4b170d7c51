import type { TestContext } from 'node:test';
import { createAwsAccess } from '../../../src/services/collection/aws/access.ts';
import type { AwsClients } from '../../../src/services/collection/aws/clientFactory.ts';
import { createEc2Collector, type Ec2CollectorDeps } from '../../../src/services/collection/collectors/ec2/index.ts';
import type { CollectedPoint, CollectInput, CollectResult } from '../../../src/services/collection/collectors/types.ts';
import { manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole, type TestAws } from '../../helpers/aws.ts';

export const ACCOUNT = '333344445555';
export const EXTERNAL_ID = 'ext-ec2-000000001';
/** 2026-11-21T12:00:42.5Z: points are stamped 12:00:00. */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 42, 500);
export const T0_MINUTE = Date.UTC(2026, 10, 21, 12, 0, 0);
export const MIN = 60_000;

export interface RunOptions {
  additionalTags?: Record<string, string> | null;
  signal?: AbortSignal;
}

export interface Ec2Harness {
  aws: TestAws;
  clock: ReturnType<typeof manualClock>;
  roleArn: string;
  clients: AwsClients;
  run(config?: Record<string, unknown>, opts?: RunOptions): Promise<CollectResult>;
  /** What the scheduler would pass a collector of this integration (to run other collector instances). */
  input(config?: Record<string, unknown>, opts?: RunOptions): CollectInput<'EC2'>;
  /** Successful Describe calls of the account (optionally one region). */
  describes(api: 'DescribeInstances' | 'DescribeVolumes' | 'DescribeAccountAttributes' | 'DescribeRegions', region?: string): number;
}

/**
 * The EC2 collector wired as production wires it (createAwsAccess: real SDK clients with the rate limiter,
 * credentials over STS), everything served by the simulator over HTTP.
 */
export async function ec2Harness(t: Pick<TestContext, 'after'>, opts: { deps?: Partial<Ec2CollectorDeps>; accountRegions?: string[] } = {}): Promise<Ec2Harness> {
  const clock = manualClock(T0);
  const aws = await startTestAws(t, { clock: clock.now });
  if (opts.accountRegions) aws.sim.createAccount({ id: ACCOUNT, regions: opts.accountRegions });
  const roleArn = trustedRole(aws, ACCOUNT, EXTERNAL_ID);
  const access = createAwsAccess({ settings: aws.settings, clock });
  const { credentials, aws: clients } = access.forIntegration({ id: 'ec2-integration', roleArn, externalId: EXTERNAL_ID });
  t.after(() => {
    clients.destroy();
    access.close();
  });
  const collect = createEc2Collector({ regions: ['us-east-1'], ...opts.deps });
  const input = (config: Record<string, unknown> = {}, runOpts: RunOptions = {}): CollectInput<'EC2'> => ({
    target: {
      id: 'ec2-integration',
      customerId: 'customer-1',
      service: 'EC2',
      config: { baseCredentials: { roleArn, externalId: EXTERNAL_ID }, ...config },
      additionalTags: runOpts.additionalTags ?? null,
      roleArn,
      externalId: EXTERNAL_ID,
      accountId: ACCOUNT,
    },
    aws: clients,
    credentials,
    cursors: new Map(),
    now: clock.now(),
    signal: runOpts.signal ?? new AbortController().signal,
  });
  return {
    aws,
    clock,
    roleArn,
    clients,
    input,
    run: (config, runOpts) => collect(input(config, runOpts)),
    describes(api, region) {
      return aws.sim.callCount({ service: 'ec2', api, accountId: ACCOUNT, error: false, ...(region ? { region } : {}) });
    },
  };
}

/** The points of one metric, keyed by source (a source appearing twice fails the lookup loudly). */
export function bySource(points: readonly CollectedPoint[], metric: string): Map<string, CollectedPoint> {
  const out = new Map<string, CollectedPoint>();
  for (const p of points) {
    if (p.metric !== metric) continue;
    if (out.has(p.source)) throw new Error(`two ${metric} points for source ${p.source}`);
    out.set(p.source, p);
  }
  return out;
}

/** The distinct metric names of the points, sorted. */
export function metricNames(points: readonly CollectedPoint[]): string[] {
  return [...new Set(points.map((p) => p.metric))].sort();
}

/** A 17-hex-digit instance id from a number (ids the simulator accepts). */
export const iid = (n: number): string => `i-${n.toString(16).padStart(17, '0')}`;
export const vid = (n: number): string => `vol-${n.toString(16).padStart(17, '0')}`;
