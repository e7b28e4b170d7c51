import type { Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { schedulerQueries } from '../../db/queries/scheduler.ts';
import type { Clock } from '../../lib/clock.ts';
import { createAwsClientFactory } from '../aws/clientFactory.ts';
import type { AwsSettings } from '../aws/clients.ts';
import { createRoleCredentials } from '../aws/credentials.ts';
import { createRateLimiter } from '../aws/rateLimiter.ts';
import type { STSClient } from '@aws-sdk/client-sts';
import { createCloudWatchCollector } from '../collectors/cloudwatch/index.ts';
import { createCloudTrailCollector } from '../collectors/cloudtrail/index.ts';
import { createEc2Collector } from '../collectors/ec2/index.ts';
import { createInventoryCache } from '../collectors/inventory.ts';
import { createSchedulerMetrics } from './metrics.ts';
import { createScheduler } from './index.ts';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Assembles the collection side: credentials cache, rate-limited clients, collectors, scheduler. */
export function createCollection(deps: { config: Config; db: Db; clock: Clock; aws: AwsSettings; sts: STSClient; registry: Registry; log: Logger }) {
  const { config, db, clock, aws, sts, registry, log } = deps;
  const metrics = createSchedulerMetrics(registry);
  const clients = createAwsClientFactory({ settings: aws, limiter: createRateLimiter(), observe: metrics.observeAwsCall });
  const credentials = createRoleCredentials({ sts, clock });
  // One EC2 inventory per role × region per cycle, shared by the CloudWatch and EC2 collectors.
  const inventory = createInventoryCache({ ttlMs: 60_000 });
  const cloudwatch = createCloudWatchCollector({
    regions: aws.regions,
    periodSec: config.cloudwatch.periodSec,
    delayMs: config.cloudwatch.delayMs,
    lookbackMs: config.cloudwatch.lookbackMs,
    maxCatchUpMs: 3 * 3_600_000,
    maxSeries: config.cloudwatch.maxSeries,
    listMetricsTtlMs: 3_600_000,
    regionsTtlMs: 3_600_000,
    inventory,
  });
  const ec2 = createEc2Collector({ regions: aws.regions, regionsTtlMs: 3_600_000, inventory });
  const cloudtrail = createCloudTrailCollector({ regions: aws.regions, lookbackMs: config.cloudtrail.lookbackMs });
  const scheduler = createScheduler({
    db,
    queries: schedulerQueries(db),
    clock,
    owner: config.scheduler.replicaId,
    collectors: { CLOUDWATCH: cloudwatch, EC2: ec2, CLOUDTRAIL: cloudtrail },
    credentials,
    clients,
    metrics,
    log,
    concurrency: config.scheduler.concurrency,
    leaseMs: config.scheduler.leaseMs,
    pollMs: config.scheduler.pollMs,
    runDeadlineMs: config.scheduler.runDeadlineMs,
  });
  return { scheduler, credentials, close: () => clients.close() };
}
