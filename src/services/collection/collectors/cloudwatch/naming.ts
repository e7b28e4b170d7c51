import { attachedInstanceId, type Ec2Inventory } from '../inventory.ts';
import { addResourceTags, hostNameOf } from '../naming.ts';
import type { ListedMetric } from './listMetrics.ts';
import type { UserRegex } from '../../../../lib/userRegex.ts';

/**
 * Source and point tags of a CloudWatch metric's series (Wavefront's rules):
 *
 * Source:
 * - AWS/EC2 with an InstanceId dimension: the instance's host-name tag (the first of `hostNameTags`,
 *   default hostname, host, name, that the instance carries; keys compared case-insensitively), else the
 *   instance id (also when the instance is not in the inventory);
 * - AWS/EBS with a VolumeId dimension: the source of the instance the volume is attached to (its host-name
 *   tag, else its id); a detached or unknown volume: the volume id;
 * - anything else: the value of the first dimension as CloudWatch lists it;
 * - no dimensions at all (account-level metrics such as AWS/Lambda ConcurrentExecutions, AWS/Usage): the
 *   AWS account id, which names where the metric comes from (the namespace is already in the metric name,
 *   the region in the Region tag).
 *
 * Point tags, later entries winning on a key clash so that the tags identifying the series cannot be
 * overwritten: the resource's AWS tags whose key matches pointTagFilterRegex (instance tags for EC2
 * metrics, volume tags for EBS metrics; none when the regex is unset), then the integration's
 * additionalTags, then every dimension Name → Value, then `accountId` and `Region`.
 */
export interface NamingContext {
  accountId: string;
  region: string;
  inventory: Ec2Inventory | undefined;
  hostNameTags: readonly string[];
  pointTagFilter: UserRegex | undefined;
  additionalTags: Record<string, string> | null;
}

export interface SeriesIdentity {
  source: string;
  /** Shared by every series and point of the metric: read-only. */
  tags: Record<string, string>;
}

export function identify(m: ListedMetric, ctx: NamingContext): SeriesIdentity {
  const dims = m.metric.Dimensions;
  let source: string | undefined;
  let resourceTags: Record<string, string> | undefined;
  if (m.instanceId !== undefined) {
    const instance = ctx.inventory?.instances.get(m.instanceId);
    resourceTags = instance?.tags;
    source = (instance && hostNameOf(instance.tags, ctx.hostNameTags)) || m.instanceId;
  } else if (m.volumeId !== undefined) {
    const volume = ctx.inventory?.volumes.get(m.volumeId);
    resourceTags = volume?.tags;
    const attached = volume && attachedInstanceId(volume);
    if (attached) {
      const instance = ctx.inventory?.instances.get(attached);
      source = (instance && hostNameOf(instance.tags, ctx.hostNameTags)) || attached;
    } else source = m.volumeId;
  } else {
    source = dims?.[0]?.Value;
  }
  const tags: Record<string, string> = {};
  addResourceTags(tags, resourceTags, ctx.pointTagFilter);
  if (ctx.additionalTags) Object.assign(tags, ctx.additionalTags);
  if (dims) for (const d of dims) if (d.Name !== undefined && d.Value !== undefined) tags[d.Name] = d.Value;
  tags.accountId = ctx.accountId;
  tags.Region = ctx.region;
  return { source: source || ctx.accountId, tags };
}
