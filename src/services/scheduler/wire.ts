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
import { createSchedulerMetrics } from './metrics.ts';
import { createScheduler } from './index.ts';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Assembles the collection side: credentials cache, rate-limited clients, collectors, scheduler. */
export function createCollection(deps: { config: Config; db: Db; clock: Clock; aws: AwsSettings; sts: STSClient; registry: Registry; log: Logger }) {
  const { config, db, clock, aws, sts, registry, log } = deps;
  const metrics = createSchedulerMetrics(registry);
  const clients = createAwsClientFactory({ settings: aws, limiter: createRateLimiter(), observe: metrics.observeAwsCall });
  const credentials = createRoleCredentials({ sts, clock });
  const cloudwatch = createCloudWatchCollector({
    regions: aws.regions,
    periodSec: config.cloudwatch.periodSec,
    delayMs: config.cloudwatch.delayMs,
    lookbackMs: config.cloudwatch.lookbackMs,
    maxCatchUpMs: 3 * 3_600_000,
    maxSeries: config.cloudwatch.maxSeries,
    listMetricsTtlMs: 3_600_000,
    regionsTtlMs: 3_600_000,
  });
  const scheduler = createScheduler({
    db,
    queries: schedulerQueries(db),
    clock,
    owner: config.scheduler.replicaId,
    collectors: { CLOUDWATCH: cloudwatch },
    credentials,
    clients,
    metrics,
    log,
    concurrency: config.scheduler.concurrency,
    leaseMs: config.scheduler.leaseMs,
    pollMs: config.scheduler.pollMs,
  });
  return { scheduler, credentials, close: () => clients.close() };
}
