import { DescribeInstancesCommand, DescribeVolumesCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { createTtlCache, type TtlCache } from './ttlCache.ts';

/**
 * The EC2 inventory of one account and region (DescribeInstances / DescribeVolumes, every page, MaxResults
 * 1000): what the CloudWatch collector needs for selection tags and source names, and what the EC2
 * ("AWS Metrics+") collector reports. Plain functions of an EC2 client; callers cache.
 */

export const DESCRIBE_PAGE_SIZE = 1000;

export interface Ec2Instance {
  instanceId: string;
  instanceType?: string;
  /** running, stopped, terminated… */
  state?: string;
  availabilityZone?: string;
  /** spot, scheduled, capacity-block; undefined for on-demand. */
  lifecycle?: string;
  platform?: string;
  launchTimeMs?: number;
  /** AWS tags, key → value. */
  tags: Record<string, string>;
}

export interface Ec2VolumeAttachment {
  instanceId: string;
  state?: string;
  device?: string;
}

export interface Ec2Volume {
  volumeId: string;
  sizeGiB?: number;
  iops?: number;
  volumeType?: string;
  /** available, in-use… */
  state?: string;
  availabilityZone?: string;
  attachments: Ec2VolumeAttachment[];
  tags: Record<string, string>;
}

export interface Ec2Inventory {
  instances: Map<string, Ec2Instance>;
  volumes: Map<string, Ec2Volume>;
}

function tagMap(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags) for (const t of tags) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** Every instance of the client's region, all pages. */
export async function describeAllInstances(ec2: EC2Client, signal?: AbortSignal): Promise<Ec2Instance[]> {
  const out: Ec2Instance[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ MaxResults: DESCRIBE_PAGE_SIZE, NextToken: token }), { abortSignal: signal });
    for (const reservation of page.Reservations ?? []) {
      for (const i of reservation.Instances ?? []) {
        if (!i.InstanceId) continue;
        out.push({
          instanceId: i.InstanceId,
          instanceType: i.InstanceType,
          state: i.State?.Name,
          availabilityZone: i.Placement?.AvailabilityZone,
          lifecycle: i.InstanceLifecycle,
          platform: i.Platform,
          launchTimeMs: i.LaunchTime?.getTime(),
          tags: tagMap(i.Tags),
        });
      }
    }
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

/** Every EBS volume of the client's region, all pages (AWS answers at most 500 per page whatever is asked). */
export async function describeAllVolumes(ec2: EC2Client, signal?: AbortSignal): Promise<Ec2Volume[]> {
  const out: Ec2Volume[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeVolumesCommand({ MaxResults: DESCRIBE_PAGE_SIZE, NextToken: token }), { abortSignal: signal });
    for (const v of page.Volumes ?? []) {
      if (!v.VolumeId) continue;
      out.push({
        volumeId: v.VolumeId,
        sizeGiB: v.Size,
        iops: v.Iops,
        volumeType: v.VolumeType,
        state: v.State,
        availabilityZone: v.AvailabilityZone,
        attachments: (v.Attachments ?? []).flatMap((a) => (a.InstanceId ? [{ instanceId: a.InstanceId, state: a.State, device: a.Device }] : [])),
        tags: tagMap(v.Tags),
      });
    }
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

/** The instance a volume is attached to (the first attachment that is not detached), if any. */
export function attachedInstanceId(volume: Ec2Volume): string | undefined {
  for (const a of volume.attachments) if (a.state !== 'detached') return a.instanceId;
  return undefined;
}

function byInstanceId(instances: readonly Ec2Instance[]): Map<string, Ec2Instance> {
  const map = new Map<string, Ec2Instance>();
  for (const i of instances) map.set(i.instanceId, i);
  return map;
}

function byVolumeId(volumes: readonly Ec2Volume[]): Map<string, Ec2Volume> {
  const map = new Map<string, Ec2Volume>();
  for (const v of volumes) map.set(v.volumeId, v);
  return map;
}

/** Instances and (when asked) volumes of one region; volumes are left empty when not asked for. */
export async function loadInventory(ec2: EC2Client, opts: { volumes: boolean }, signal?: AbortSignal): Promise<Ec2Inventory> {
  const [instances, volumes] = await Promise.all([
    describeAllInstances(ec2, signal),
    opts.volumes ? describeAllVolumes(ec2, signal) : Promise.resolve([]),
  ]);
  return { instances: byInstanceId(instances), volumes: byVolumeId(volumes) };
}

/** How long a described inventory is reused: about one collection cycle. */
export const INVENTORY_TTL_MS = 60_000;

/**
 * The EC2 inventory of each role ARN × region, described at most once per `ttlMs` for every collector of the
 * process that asks (the CloudWatch collector for selection tags and source names, the EC2 collector for its
 * metrics): an account with a CLOUDWATCH and an EC2 integration is described once per cycle. Instances and
 * volumes are cached apart (CloudWatch needs volumes only for AWS/EBS metrics). Concurrent loads of one key
 * share one Describe; a failed load is not cached. Time is the caller's (`now`). Build one per process and
 * pass it to every collector. The maps returned are shared: read them, never change them.
 */
export interface InventoryCache {
  instances(roleArn: string, region: string, ec2: EC2Client, now: number, signal?: AbortSignal): Promise<Map<string, Ec2Instance>>;
  volumes(roleArn: string, region: string, ec2: EC2Client, now: number, signal?: AbortSignal): Promise<Map<string, Ec2Volume>>;
  readonly size: number;
  clear(): void;
}

export function createInventoryCache(opts: { ttlMs?: number; maxEntries?: number } = {}): InventoryCache {
  const settings = { ttlMs: opts.ttlMs ?? INVENTORY_TTL_MS, maxEntries: opts.maxEntries ?? 200_000 };
  const instances = createTtlCache<Map<string, Ec2Instance>>(settings);
  const volumes = createTtlCache<Map<string, Ec2Volume>>(settings);

  // A load is shared by every caller of its key but runs under the first caller's signal: when that caller is
  // cancelled (its lease was lost), the others load again under their own signal instead of failing with it.
  async function shared<V>(cache: TtlCache<V>, key: string, now: number, load: () => Promise<V>, signal?: AbortSignal): Promise<V> {
    try {
      return await cache.get(key, now, load);
    } catch (error) {
      if (signal?.aborted || (error as Error | undefined)?.name !== 'AbortError') throw error;
      return cache.get(key, now, load);
    }
  }

  return {
    instances: (roleArn, region, ec2, now, signal) =>
      shared(instances, `${roleArn}|${region}`, now, async () => byInstanceId(await describeAllInstances(ec2, signal)), signal),
    volumes: (roleArn, region, ec2, now, signal) =>
      shared(volumes, `${roleArn}|${region}`, now, async () => byVolumeId(await describeAllVolumes(ec2, signal)), signal),
    get size() {
      return instances.size + volumes.size;
    },
    clear() {
      instances.clear();
      volumes.clear();
    },
  };
}
