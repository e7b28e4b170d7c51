import type { Database } from '../../db/client.ts';
import { integrationQueries } from '../../db/queries/integrations.ts';
import { externalIdQueries } from '../../db/queries/externalIds.ts';
import type { Config } from '../../config.ts';
import type { Clock } from '../../lib/clock.ts';
import { createTokenService } from './tokens.ts';
import { createExternalIdService } from './externalIds.ts';
import { createIntegrationService } from './integrations.ts';
import { createSearchService } from './search.ts';
import { createPointsService } from './points.ts';
import { createEventService } from './events.ts';
import type { CredentialCheck } from './credentialCheck.ts';
import { runQueries } from '../../db/queries/runs.ts';
import { createRunService } from './runs.ts';
import { createMetricService } from './metrics.ts';

/** The composition root of the services: every dependency is passed in here, nowhere else. */
export function createServices(deps: { database: Database; config: Config; clock: Clock; credentialCheck: CredentialCheck }) {
  const { database, config, clock, credentialCheck } = deps;
  const db = database.db;
  const queries = integrationQueries(db);
  const tokens = createTokenService({ db, clock, cacheTtlMs: config.authCacheTtlMs });
  const externalIds = createExternalIdService({ queries: externalIdQueries(db), clock, ttlMs: config.externalIdTtlMs });
  const integrations = createIntegrationService({ db, queries, externalIds, credentialCheck, clock });
  const search = createSearchService({ db, queries });
  const points = createPointsService({ db, clock, retentionMs: config.pointsRetentionMs });
  const events = createEventService({ db, clock, retentionMs: config.eventsRetentionMs });
  const runs = createRunService({ db, integrations: queries, runs: runQueries(db), clock });
  const metrics = createMetricService({ db });
  return { tokens, externalIds, integrations, search, points, events, runs, metrics };
}

export type Services = ReturnType<typeof createServices>;
