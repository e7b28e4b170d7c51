/**
 * The EC2 ("AWS Metrics+") collector. `collectEc2` is an instance with the defaults (enabled regions from
 * DescribeRegions, an inventory cache of its own); the scheduler builds its own with
 * `createEc2Collector({ regions, inventory })`, passing the inventory cache it shares with the CloudWatch
 * collector so that an account with both integrations is described once per cycle.
 */
import { createEc2Collector, EC2_DEFAULTS, pointTime, type Ec2CollectorDeps } from './collector.ts';
import type { Collector } from '../types.ts';

export { createEc2Collector, EC2_DEFAULTS, pointTime, type Ec2CollectorDeps };
export { EC2_METRICS, instanceSource, limitMetric, regionPoints, volumeSource, type RegionData } from './metrics.ts';
export { compileEc2Settings, type Ec2Settings } from './settings.ts';
export { describeAccountLimits, usageOf, type AccountLimit } from './limits.ts';

export const collectEc2: Collector = createEc2Collector();
