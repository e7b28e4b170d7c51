import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { integrationQueries } from '../../db/queries/integrations.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AwsAccess } from '../collection/aws/access.ts';
import type { ExternalIdService } from '../api/externalIds.ts';
import { createSecretBox, type SecretKeySource } from '../secrets/secretBox.ts';
import { createConnectionService } from './connections.ts';
import { createSyncRunner } from './sync/runner.ts';
import { createSyncService } from './sync/service.ts';
import { createInventoryService } from './inventory.ts';
import { createSubscriptions } from './subscriptions/index.ts';
import { createTrafficService } from './traffic/service.ts';

/** SKYPORT_SECRET_KEY, else the embedded default's key file, else nothing (an external database needs the variable). */
export function secretKeySource(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'apigateway'>): SecretKeySource {
  if (config.apigateway.secretKey) return { key: config.apigateway.secretKey };
  if (!config.databaseUrl) return { keyFile: join(config.dataDir, 'secret.key') };
  return {
    none:
      'Skyport has no key to encrypt secrets with, so it cannot store an access key: the operator must set SKYPORT_SECRET_KEY ' +
      '(the same value on every replica). Use credentials of type ROLE meanwhile',
  };
}

/**
 * The API Gateway side's services, built from the same parts as the rest (database, clock, external IDs, and
 * collection's AwsAccess: one connection pool, one rate limiter, one credentials cache for the process).
 */
export function createApiGatewayServices(deps: { db: Db; config: Config; clock: Clock; access: AwsAccess; stsRegion: string; externalIds: ExternalIdService; log: Logger }) {
  const { db, config, clock, access, externalIds, log } = deps;
  const secrets = createSecretBox(secretKeySource(config));
  const connections = createConnectionService({
    db,
    externalIds,
    integrationQueries: integrationQueries(db),
    secrets,
    aws: access,
    clock,
    settings: { stsRegion: deps.stsRegion, ambientCustomers: config.apigateway.ambientCustomers, principalArn: config.apigateway.principalArn },
  });
  const owner = config.scheduler.replicaId;
  const runner = createSyncRunner({ db, clock, access, secrets, owner, log });
  const sync = createSyncService({ db, clock, runner, owner, log });
  const subscriptions = createSubscriptions({ db, clock, access, secrets, log });
  return {
    connections,
    sync,
    inventory: createInventoryService({ db }),
    subscriptions,
    traffic: createTrafficService({ db, clock, retentionMs: config.trafficRetentionMs }),
    /** Stops scheduling syncs and key deletions (the AWS access is collection's, closed with it). */
    close: () => {
      void sync.stop();
      void subscriptions.deletions.stop();
    },
  };
}
