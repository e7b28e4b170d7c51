import type { STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { integrationQueries } from '../../db/queries/integrations.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AwsSettings } from '../collection/aws/settings.ts';
import type { ExternalIdService } from '../api/externalIds.ts';
import { createSecretBox, type SecretKeySource } from '../secrets/secretBox.ts';
import { createConnectionAws } from './awsAccess.ts';
import { createConnectionService } from './connections.ts';
import { createRateLimiter } from '../collection/aws/rateLimiter.ts';
import { createSyncRunner } from './sync/runner.ts';
import { createSyncService } from './sync/service.ts';
import { createInventoryService } from './inventory.ts';
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

/** The API Gateway side's services, built from the same parts as the rest (database, clock, AWS settings, external IDs). */
export function createApiGatewayServices(deps: { db: Db; config: Config; clock: Clock; aws: AwsSettings; sts: STSClient; externalIds: ExternalIdService }) {
  const { db, config, clock, aws: settings, sts, externalIds } = deps;
  const aws = createConnectionAws({ settings, sts });
  const secrets = createSecretBox(secretKeySource(config));
  const connections = createConnectionService({
    db,
    externalIds,
    integrationQueries: integrationQueries(db),
    secrets,
    aws,
    clock,
    settings: { stsRegion: settings.stsRegion, ambientCustomers: config.apigateway.ambientCustomers, principalArn: config.apigateway.principalArn },
  });
  const owner = config.scheduler.replicaId;
  const runner = createSyncRunner({ db, clock, aws, secrets, limiter: createRateLimiter(), owner });
  const sync = createSyncService({ db, clock, runner, owner });
  return {
    connections,
    sync,
    inventory: createInventoryService({ db }),
    traffic: createTrafficService({ db, clock, retentionMs: config.trafficRetentionMs }),
    close: () => {
      void sync.stop();
      aws.close();
    },
  };
}
