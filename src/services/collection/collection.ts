import type { Registry } from 'prom-client';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { schedulerQueries } from '../../db/queries/scheduler.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { createAwsAccess } from './aws/access.ts';
import type { AwsSettings } from './aws/settings.ts';
import { createCloudWatchCollector } from './collectors/cloudwatch/index.ts';
import { createCloudTrailCollector } from './collectors/cloudtrail/index.ts';
import { createEc2Collector } from './collectors/ec2/index.ts';
import { createInventoryCache } from './collectors/inventory.ts';
import type { Collectors } from './collectors/types.ts';
import { createSchedulerMetrics } from './scheduler/metrics.ts';
import { createScheduler } from './scheduler/index.ts';

/** The collectors of one process, configured from SKYPORT_* settings; the EC2 inventory is shared by two. */
export function createCollectors(config: Config, aws: Pick<AwsSettings, 'regions'>): Collectors {
  // One EC2 inventory per role × region per cycle, shared by the CloudWatch and EC2 collectors.
  const inventory = createInventoryCache({ ttlMs: 60_000 });
  return {
    CLOUDWATCH: createCloudWatchCollector({
      regions: aws.regions,
      periodSec: config.cloudwatch.periodSec,
      delayMs: config.cloudwatch.delayMs,
      lookbackMs: config.cloudwatch.lookbackMs,
      maxSeries: config.cloudwatch.maxSeries,
      inventory,
    }),
    EC2: createEc2Collector({ regions: aws.regions, inventory }),
    CLOUDTRAIL: createCloudTrailCollector({ regions: aws.regions, lookbackMs: config.cloudtrail.lookbackMs }),
  };
}

/** Assembles the collection side the production way: AWS access, collectors, scheduler. */
export function createCollection(deps: { config: Config; db: Db; clock: Clock; aws: AwsSettings; sts: STSClient; registry: Registry; log: Logger }) {
  const { config, db, clock, registry, log } = deps;
  const metrics = createSchedulerMetrics(registry);
  const access = createAwsAccess({ settings: deps.aws, clock, sts: deps.sts, observe: metrics.observeAwsCall });
  const scheduler = createScheduler({
    db,
    queries: schedulerQueries(db),
    clock,
    owner: config.scheduler.replicaId,
    collectors: createCollectors(config, deps.aws),
    access,
    metrics,
    log,
    concurrency: config.scheduler.concurrency,
    leaseMs: config.scheduler.leaseMs,
    pollMs: config.scheduler.pollMs,
    runDeadlineMs: config.scheduler.runDeadlineMs,
  });
  return { scheduler, access, credentials: access.credentials, close: () => access.close() };
}
