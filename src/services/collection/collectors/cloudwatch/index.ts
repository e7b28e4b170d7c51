/**
 * The CloudWatch collector. Each instance owns its caches (regions, ListMetrics listings; the EC2 inventory
 * unless the process's shared one is passed as `inventory`): build one per process.
 */
export { CLOUDWATCH_DEFAULTS, createCloudWatchCollector, type CloudWatchCollectorDeps } from './collector.ts';
