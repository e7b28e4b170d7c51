/**
 * The CloudTrail collector. The scheduler builds one instance per process with
 * `createCloudTrailCollector({ regions, lookbackMs })` from the config; each instance owns its layout cache.
 */
export { CLOUDTRAIL_DEFAULTS, createCloudTrailCollector, type CloudTrailCollectorDeps } from './collector.ts';
export { compileFilter, MinuteCounts, serviceOf, toEvent } from './events.ts';
export { dayPrefix, dayScope, countsScope, logBase, logsRoot, minuteStamp } from './layout.ts';
export { advance, formatPosition, parsePosition, planDays } from './cursor.ts';
export { LogFormatError, readLogStream, RecordsSplitter, type CloudTrailRecord } from './records.ts';
