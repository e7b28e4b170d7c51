import { attachedInstanceId, type Ec2Instance, type Ec2Volume } from '../inventory.ts';
import { addResourceTags, hostNameOf, metricPart } from '../naming.ts';
import type { CollectedPoint } from '../types.ts';
import type { AccountLimit } from './limits.ts';
import { usageOf } from './limits.ts';
import { selected, type Ec2Settings } from './settings.ts';

/**
 * The series of the EC2 ("AWS Metrics+") collector, one point each per run, from one region's inventory.
 *
 * | metric                          | source                            | value                       | own tags |
 * |---------------------------------|-----------------------------------|-----------------------------|----------|
 * | aws.ec2.instance.running        | instance source (below)           | 1 running, else 0           | instanceID, instanceType, availabilityZone, state, instanceLifecycle |
 * | aws.ebs.volumesize              | volume source (below)             | size, GiB                   | volumeId, volumeType, State, Status, instanceID |
 * | aws.ebs.volumeiops              | volume source                     | provisioned IOPS (if any)   | as volumesize |
 * | aws.instance.count              | the AWS account id                | instances of a type × state | instanceType, state |
 * | aws.limits.<attribute>.limit    | the AWS account id                | the account attribute       | none |
 * | aws.limits.<attribute>.usage    | the AWS account id                | see limits.ts usageOf       | none |
 *
 * - Instance source: the value of the first `hostNameTags` tag the instance carries (keys compared
 *   case-insensitively; default hostname, host, name), else its instance id.
 * - Volume source: the source of the instance it is attached to (that instance's id when it is not in the
 *   inventory); a detached volume: its volume id. `Status` is the attachment's state (attached, attaching,
 *   detaching) and `instanceID` the attached instance: both absent on a detached volume.
 * - `instanceLifecycle` is `normal` for On-Demand instances (AWS leaves it out), else AWS's value (spot…).
 *   `instanceID` is a tag of the instance series too, so instances sharing a host name (an Auto Scaling group
 *   with one Name tag) stay distinct series.
 * - Every instance DescribeInstances returns is reported, whatever its state (stopped and terminated: 0).
 * - `aws.instance.count` counts the selected instances of the region by instance type and state.
 * - `<attribute>` is the attribute name lower-cased, `-` kept: aws.limits.max-instances.limit.
 *
 * Point tags, later entries winning a key clash so that the tags identifying a series cannot be overwritten:
 * the resource's AWS tags whose key matches pointTagFilterRegex (none when unset; instance and volume series
 * only), the integration's additionalTags, the metric's own tags, then `accountId` and `Region`.
 * `metricFilterRegex` (whole name, case-insensitively) drops the metrics it does not match.
 */
export const EC2_METRICS = {
  instanceRunning: 'aws.ec2.instance.running',
  volumeSize: 'aws.ebs.volumesize',
  volumeIops: 'aws.ebs.volumeiops',
  instanceCount: 'aws.instance.count',
} as const;

function limitMetric(attribute: string, kind: 'limit' | 'usage'): string {
  return `aws.limits.${metricPart(attribute)}.${kind}`;
}

/** Does metricFilterRegex let this metric through? */
export function wanted(settings: Ec2Settings, metric: string): boolean {
  return !settings.metricFilter || settings.metricFilter.test(metric);
}

/** The source name of an instance's series. */
function instanceSource(instance: Ec2Instance, hostNameTags: readonly string[]): string {
  return hostNameOf(instance.tags, hostNameTags) || instance.instanceId;
}

/** The source name of a volume's series. */
function volumeSource(volume: Ec2Volume, instances: ReadonlyMap<string, Ec2Instance>, hostNameTags: readonly string[]): string {
  const attached = attachedInstanceId(volume);
  if (!attached) return volume.volumeId;
  const instance = instances.get(attached);
  return instance ? instanceSource(instance, hostNameTags) : attached;
}

export interface RegionData {
  accountId: string;
  region: string;
  /** The whole inventory of the region (sources and usage come from it, whatever the selection). */
  instances: ReadonlyMap<string, Ec2Instance>;
  /** Undefined when volumes were not described (filtered out, or DescribeVolumes failed). */
  volumes?: ReadonlyMap<string, Ec2Volume>;
  /** Undefined when limits are off or DescribeAccountAttributes failed. */
  limits?: readonly AccountLimit[];
}

/** The points of one region at `ts`, in a stable order (instances, counts, volumes, limits). */
export function regionPoints(data: RegionData, settings: Ec2Settings, ts: number): CollectedPoint[] {
  const points: CollectedPoint[] = [];
  const base = (resourceTags: Readonly<Record<string, string>> | undefined, own: Record<string, string | undefined>): Record<string, string> => {
    const tags: Record<string, string> = {};
    addResourceTags(tags, resourceTags, settings.pointTagFilter);
    if (settings.additionalTags) Object.assign(tags, settings.additionalTags);
    for (const [k, v] of Object.entries(own)) if (v !== undefined && v !== '') tags[k] = v;
    tags.accountId = data.accountId;
    tags.Region = data.region;
    return tags;
  };
  const push = (metric: string, source: string, tags: Record<string, string>, value: number): void => {
    if (Number.isFinite(value)) points.push({ metric, source, tags, ts, value });
  };

  const running = wanted(settings, EC2_METRICS.instanceRunning);
  const counting = wanted(settings, EC2_METRICS.instanceCount);
  const counts = new Map<string, { instanceType?: string; state?: string; n: number }>();
  for (const instance of data.instances.values()) {
    if (!selected(instance.tags, settings.instanceSelection)) continue;
    if (running) {
      const tags = base(instance.tags, {
        instanceID: instance.instanceId,
        instanceType: instance.instanceType,
        availabilityZone: instance.availabilityZone,
        state: instance.state,
        instanceLifecycle: instance.lifecycle ?? 'normal',
      });
      push(EC2_METRICS.instanceRunning, instanceSource(instance, settings.hostNameTags), tags, instance.state === 'running' ? 1 : 0);
    }
    if (counting) {
      const key = `${instance.instanceType ?? ''}\u0000${instance.state ?? ''}`;
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { instanceType: instance.instanceType, state: instance.state, n: 1 });
    }
  }
  for (const c of counts.values()) {
    push(EC2_METRICS.instanceCount, data.accountId, base(undefined, { instanceType: c.instanceType, state: c.state }), c.n);
  }

  if (data.volumes) {
    const size = wanted(settings, EC2_METRICS.volumeSize);
    const iops = wanted(settings, EC2_METRICS.volumeIops);
    for (const volume of data.volumes.values()) {
      if (!selected(volume.tags, settings.volumeSelection)) continue;
      const attached = attachedInstanceId(volume);
      const attachment = attached ? volume.attachments.find((a) => a.instanceId === attached) : undefined;
      const tags = base(volume.tags, {
        volumeId: volume.volumeId,
        volumeType: volume.volumeType,
        State: volume.state,
        Status: attachment?.state,
        instanceID: attached,
      });
      const source = volumeSource(volume, data.instances, settings.hostNameTags);
      if (size && volume.sizeGiB !== undefined) push(EC2_METRICS.volumeSize, source, tags, volume.sizeGiB);
      if (iops && volume.iops !== undefined) push(EC2_METRICS.volumeIops, source, tags, volume.iops);
    }
  }

  if (data.limits) {
    for (const l of data.limits) {
      const tags = base(undefined, {});
      const limitName = limitMetric(l.attribute, 'limit');
      if (wanted(settings, limitName)) push(limitName, data.accountId, tags, l.limit);
      const usageName = limitMetric(l.attribute, 'usage');
      if (!wanted(settings, usageName)) continue;
      const usage = usageOf(l.attribute, data.instances.values());
      if (usage !== undefined) push(usageName, data.accountId, tags, usage);
    }
  }
  return points;
}

/** Does any volume metric pass metricFilterRegex (otherwise volumes are not described)? */
export function wantsVolumes(settings: Ec2Settings): boolean {
  return wanted(settings, EC2_METRICS.volumeSize) || wanted(settings, EC2_METRICS.volumeIops);
}
