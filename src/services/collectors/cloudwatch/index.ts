/**
 * The CloudWatch collector. `collectCloudWatch` is an instance with the defaults (enabled regions from
 * DescribeRegions); the scheduler builds its own with `createCloudWatchCollector({ regions, … })` from the
 * config. Each instance owns its caches (regions, ListMetrics listings; the EC2 inventory unless the process's
 * shared one is passed as `inventory`): build one per process.
 */
import { CLOUDWATCH_DEFAULTS, createCloudWatchCollector, type CloudWatchCollectorDeps } from './collector.ts';
import type { Collector } from '../types.ts';

export { CLOUDWATCH_DEFAULTS, createCloudWatchCollector, type CloudWatchCollectorDeps };
export { resolveNamespace, resolveNamespaces, serviceOfNamespace } from './namespaces.ts';
export { cursorScope, windowFor, type Window, type WindowSettings } from './windows.ts';
export { OUTPUT_STATS, FETCH_STATS } from './selection.ts';

export const collectCloudWatch: Collector = createCloudWatchCollector();
