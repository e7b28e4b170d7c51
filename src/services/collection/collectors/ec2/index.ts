/**
 * The EC2 ("AWS Metrics+") collector. Built with the process's inventory cache, shared with the CloudWatch
 * collector, so that an account with both integrations is described once per cycle.
 */
export { createEc2Collector, EC2_DEFAULTS, type Ec2CollectorDeps } from './collector.ts';
