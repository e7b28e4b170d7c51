import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../aws/errors.ts';
import { createTtlCache } from './ttlCache.ts';

/**
 * The regions to collect: SKYPORT_AWS_REGIONS when set, else the account's enabled regions from EC2
 * DescribeRegions (regions that need no opt-in plus those opted in), cached per role for `ttlMs`. When a
 * refresh fails transiently (throttling, 5xx) the previous list is used again.
 */

/** Where DescribeRegions is asked: a region of the role's partition that is always enabled. */
export function homeRegion(roleArn: string): string {
  const partition = roleArn.split(':')[1] ?? 'aws';
  if (partition === 'aws-cn') return 'cn-north-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}

export async function describeEnabledRegions(ec2: EC2Client, signal?: AbortSignal): Promise<string[]> {
  const out = await ec2.send(new DescribeRegionsCommand({}), { abortSignal: signal });
  const names: string[] = [];
  for (const r of out.Regions ?? []) if (r.RegionName && r.OptInStatus !== 'not-opted-in') names.push(r.RegionName);
  return names.sort();
}

export function createRegionsCache(opts: { ttlMs: number; maxEntries: number }) {
  const cache = createTtlCache<string[]>({
    ttlMs: opts.ttlMs,
    maxEntries: opts.maxEntries,
    staleOnError: (error) => classifyAwsError(error).kind === 'transient',
  });
  return {
    get(roleArn: string, ec2: EC2Client, now: number, signal?: AbortSignal): Promise<string[]> {
      return cache.get(roleArn, now, () => describeEnabledRegions(ec2, signal));
    },
    get size() {
      return cache.size;
    },
  };
}

export type RegionsCache = ReturnType<typeof createRegionsCache>;
