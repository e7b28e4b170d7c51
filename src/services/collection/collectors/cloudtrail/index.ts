/** The CloudTrail collector. Each instance owns its layout cache: build one per process. */
export { CLOUDTRAIL_DEFAULTS, createCloudTrailCollector, type CloudTrailCollectorDeps } from './collector.ts';
