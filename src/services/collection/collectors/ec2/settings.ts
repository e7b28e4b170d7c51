import { parseTagExpr } from '../../../../lib/tagExpr.ts';
import type { Ec2Config } from '../../../../schemas/cloudIntegration.ts';
import { optionalUserRegex, type UserRegex } from '../../../../lib/userRegex.ts';
import { DEFAULT_HOST_NAME_TAGS } from '../naming.ts';

/**
 * An EC2 integration's `ec2` config object, compiled once per run (SPEC.md §4):
 * - `hostNameTags`: instance tags tried in order for a source name; unset (or not a list): hostname, host,
 *   name. Keys are compared case-insensitively. An explicit empty list means "no tag": instance ids.
 * - `instanceSelectionTagsExpr` / `volumeSelectionTagsExpr`: `k=v, k=v` pairs, OR-ed; a resource is selected
 *   when it carries one of the pairs exactly (keys and values case-sensitive, as AWS tags are). Unset or
 *   blank: every instance / volume.
 * - `metricFilterRegex`: whole metric name, case-insensitively; unset: every metric.
 * - `pointTagFilterRegex`: AWS tag keys (whole key, case-insensitively) that become point tags; unset: none.
 * - `customNamespaces`: `LIMITS` (any letter case) adds the account-limit metrics.
 */
export interface Ec2Settings {
  hostNameTags: readonly string[];
  instanceSelection?: Array<[string, string]>;
  volumeSelection?: Array<[string, string]>;
  metricFilter?: UserRegex;
  pointTagFilter?: UserRegex;
  limits: boolean;
  additionalTags: Record<string, string> | null;
}

function selection(field: string, expr: string | undefined): Array<[string, string]> | undefined {
  if (expr === undefined || expr.trim() === '') return undefined;
  const pairs = parseTagExpr(field, expr);
  return pairs.length > 0 ? pairs : undefined;
}

export function compileEc2Settings(config: Ec2Config, additionalTags: Record<string, string> | null): Ec2Settings {
  const hostNameTags = config.hostNameTags ?? DEFAULT_HOST_NAME_TAGS;
  const namespaces = config.customNamespaces ?? [];
  return {
    hostNameTags,
    instanceSelection: selection('ec2.instanceSelectionTagsExpr', config.instanceSelectionTagsExpr),
    volumeSelection: selection('ec2.volumeSelectionTagsExpr', config.volumeSelectionTagsExpr),
    metricFilter: optionalUserRegex(config.metricFilterRegex, 'ec2.metricFilterRegex', 'whole'),
    pointTagFilter: optionalUserRegex(config.pointTagFilterRegex, 'ec2.pointTagFilterRegex', 'whole'),
    limits: namespaces.some((n) => n.trim().toUpperCase() === 'LIMITS'),
    additionalTags: additionalTags && Object.keys(additionalTags).length > 0 ? additionalTags : null,
  };
}

/** Does a resource carry one of the pairs (OR)? Without pairs everything is selected. */
export function selected(tags: Readonly<Record<string, string>>, pairs: ReadonlyArray<[string, string]> | undefined): boolean {
  if (!pairs) return true;
  for (const [k, v] of pairs) if (Object.hasOwn(tags, k) && tags[k] === v) return true;
  return false;
}
