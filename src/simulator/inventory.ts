import { newInstanceId, newReservationId, newVolumeId } from './ids.ts';
import { regionOfZone } from './regions.ts';

export interface Tag {
  Key: string;
  Value: string;
}

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const INSTANCE_STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Instance {
  instanceId: string;
  accountId: string;
  region: string;
  availabilityZone: string;
  instanceType: string;
  state: InstanceStateName;
  /** `spot` | `scheduled` | `capacity-block`; undefined for on-demand (as AWS omits it). */
  lifecycle?: string;
  tags: Tag[];
  privateDnsName: string;
  privateIpAddress: string;
  launchTime: number;
  imageId: string;
  reservationId: string;
  platform?: string;
}

export type VolumeState = 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted' | 'error';

export interface VolumeAttachment {
  instanceId: string;
  device: string;
  state: 'attaching' | 'attached' | 'detaching' | 'detached' | 'busy';
  attachTime: number;
  deleteOnTermination: boolean;
}

export interface Volume {
  volumeId: string;
  accountId: string;
  region: string;
  availabilityZone: string;
  size: number;
  iops?: number;
  volumeType: string;
  state: VolumeState;
  attachments: VolumeAttachment[];
  tags: Tag[];
  createTime: number;
  encrypted: boolean;
}

export type TagsInput = Tag[] | Record<string, string>;

export interface AddInstanceInput {
  accountId: string;
  /** Defaults to `<region>a`; the region is derived from the zone. */
  availabilityZone?: string;
  region?: string;
  instanceId?: string;
  instanceType?: string;
  state?: InstanceStateName;
  lifecycle?: string;
  tags?: TagsInput;
  launchTime?: number;
  privateIpAddress?: string;
  imageId?: string;
  /** Instances sharing a reservation id are returned in the same reservation. */
  reservationId?: string;
  platform?: string;
}

export interface AddVolumeInput {
  accountId: string;
  availabilityZone?: string;
  region?: string;
  volumeId?: string;
  size?: number;
  iops?: number;
  volumeType?: string;
  /** Default: `in-use` when attached, else `available`. */
  state?: VolumeState;
  attachments?: Array<Partial<VolumeAttachment> & { instanceId: string }>;
  tags?: TagsInput;
  createTime?: number;
  encrypted?: boolean;
}

export function toTags(tags: TagsInput | undefined): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ Key: t.Key, Value: t.Value }));
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function zoneAndRegion(input: { availabilityZone?: string; region?: string }): { zone: string; region: string } {
  const zone = input.availabilityZone ?? `${input.region ?? 'us-east-1'}a`;
  return { zone, region: regionOfZone(zone) };
}

/** Per account and region lists of instances and volumes, plus id indexes. */
export class InventoryStore {
  private readonly instancesByScope = new Map<string, Instance[]>();
  private readonly volumesByScope = new Map<string, Volume[]>();
  readonly instances = new Map<string, Instance>();
  readonly volumes = new Map<string, Volume>();

  addInstance(input: AddInstanceInput, now: number): Instance {
    const { zone, region } = zoneAndRegion(input);
    const instanceId = input.instanceId ?? newInstanceId();
    if (this.instances.has(instanceId)) throw new Error(`instance ${instanceId} exists`);
    const ip = input.privateIpAddress ?? `10.${(this.instances.size >> 16) & 255}.${(this.instances.size >> 8) & 255}.${(this.instances.size & 255) || 1}`;
    const instance: Instance = {
      instanceId,
      accountId: input.accountId,
      region,
      availabilityZone: zone,
      instanceType: input.instanceType ?? 't3.micro',
      state: input.state ?? 'running',
      lifecycle: input.lifecycle,
      tags: toTags(input.tags),
      privateIpAddress: ip,
      privateDnsName: `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`,
      launchTime: input.launchTime ?? now,
      imageId: input.imageId ?? 'ami-0abcdef1234567890',
      reservationId: input.reservationId ?? newReservationId(),
      platform: input.platform,
    };
    this.instances.set(instanceId, instance);
    push(this.instancesByScope, scope(input.accountId, region), instance);
    return instance;
  }

  addVolume(input: AddVolumeInput, now: number): Volume {
    const { zone, region } = zoneAndRegion(input);
    const volumeId = input.volumeId ?? newVolumeId();
    if (this.volumes.has(volumeId)) throw new Error(`volume ${volumeId} exists`);
    const volumeType = input.volumeType ?? 'gp3';
    const attachments = (input.attachments ?? []).map((a, i) => ({
      instanceId: a.instanceId,
      device: a.device ?? (i === 0 ? '/dev/xvda' : `/dev/sd${String.fromCharCode(102 + i)}`),
      state: a.state ?? 'attached',
      attachTime: a.attachTime ?? now,
      deleteOnTermination: a.deleteOnTermination ?? true,
    }));
    const volume: Volume = {
      volumeId,
      accountId: input.accountId,
      region,
      availabilityZone: zone,
      size: input.size ?? 8,
      iops: input.iops ?? (volumeType === 'gp3' ? 3000 : volumeType === 'gp2' ? 100 : undefined),
      volumeType,
      state: input.state ?? (attachments.length > 0 ? 'in-use' : 'available'),
      attachments,
      tags: toTags(input.tags),
      createTime: input.createTime ?? now,
      encrypted: input.encrypted ?? false,
    };
    this.volumes.set(volumeId, volume);
    push(this.volumesByScope, scope(input.accountId, region), volume);
    return volume;
  }

  /** Instances of one account in one region, in insertion order. */
  instancesIn(accountId: string, region: string): readonly Instance[] {
    return this.instancesByScope.get(scope(accountId, region)) ?? [];
  }

  volumesIn(accountId: string, region: string): readonly Volume[] {
    return this.volumesByScope.get(scope(accountId, region)) ?? [];
  }

  setInstanceState(instanceId: string, state: InstanceStateName): Instance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    instance.state = state;
    return instance;
  }

  removeInstance(instanceId: string): boolean {
    const instance = this.instances.get(instanceId);
    if (!instance) return false;
    this.instances.delete(instanceId);
    remove(this.instancesByScope, scope(instance.accountId, instance.region), instance);
    return true;
  }

  removeVolume(volumeId: string): boolean {
    const volume = this.volumes.get(volumeId);
    if (!volume) return false;
    this.volumes.delete(volumeId);
    remove(this.volumesByScope, scope(volume.accountId, volume.region), volume);
    return true;
  }
}

const scope = (accountId: string, region: string): string => `${accountId}/${region}`;

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function remove<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
