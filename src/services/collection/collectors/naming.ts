import type { UserRegex } from '../../../lib/userRegex.ts';

/**
 * Naming rules shared by the AWS collectors (Wavefront's, see DESIGN.md "Naming"): metric name parts,
 * EC2 source names from host-name tags, and which AWS resource tags become point tags.
 */

/** Instance tags tried in order for a source name when the integration names none (Wavefront's default). */
export const DEFAULT_HOST_NAME_TAGS: readonly string[] = ['hostname', 'host', 'name'];

/**
 * One part of a metric name (`aws.<service>.<metric>.<stat>`): lower case, and every run of characters a
 * Wavefront metric name cannot hold unquoted (anything but a-z, 0-9, `_`, `-`, `.`) becomes one `_`.
 * CloudWatch metric names are mostly already clean (`CPUUtilization` → `cpuutilization`).
 */
export function metricPart(text: string): string {
  const lower = text.toLowerCase();
  return /^[a-z0-9_.-]*$/.test(lower) ? lower : lower.replace(/[^a-z0-9_.-]+/g, '_');
}

/**
 * The source name of an EC2 instance: the value of the first tag in `hostNameTags` (in that order; keys
 * compared case-insensitively) that the instance carries with a non-empty value; undefined when none does
 * (the caller then uses the instance id).
 */
export function hostNameOf(tags: Readonly<Record<string, string>>, hostNameTags: readonly string[] = DEFAULT_HOST_NAME_TAGS): string | undefined {
  const keys = Object.keys(tags);
  if (keys.length === 0) return undefined;
  for (const wanted of hostNameTags) {
    const w = wanted.toLowerCase();
    for (const key of keys) {
      if (key.toLowerCase() === w && tags[key] !== '') return tags[key];
    }
  }
  return undefined;
}

/**
 * Copies the AWS resource tags whose key matches `keyFilter` (a whole-match regex) into `into`; without a
 * filter nothing is copied (Wavefront: no AWS tags become point tags unless pointTagFilterRegex is set).
 */
export function addResourceTags(into: Record<string, string>, tags: Readonly<Record<string, string>> | undefined, keyFilter: UserRegex | undefined): void {
  if (!tags || !keyFilter) return;
  for (const key in tags) if (keyFilter.test(key)) into[key] = tags[key];
}
