import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Registry } from 'prom-client';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { countMigrations, migrationsApplied } from './db/migrate.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { sharedSchemas } from './schemas/registry.ts';
import { unavailable } from './errors.ts';
import { createServices } from './services/api/index.ts';
import { awsSettingsFromConfig, createStsClient, type AwsSettings } from './services/collection/aws/settings.ts';
import { awsCredentialCheck } from './services/collection/aws/roleCheck.ts';
import { createCollection } from './services/collection/collection.ts';
import { installValidators } from './plugins/validation.ts';
import { installJsonParser } from './plugins/jsonBody.ts';
import { frameworkErrors, installErrorHandler } from './plugins/errorHandler.ts';
import { installAuth } from './plugins/auth.ts';
import { installSwagger } from './plugins/swagger.ts';
import { installMetrics } from './plugins/metrics.ts';
import { RequestLogController } from './plugins/requestLog.ts';
import { healthRoutes } from './routes/health.ts';
import { externalIdRoutes } from './routes/externalIds.ts';
import { cloudIntegrationRoutes } from './routes/cloudIntegrations.ts';
import { searchRoutes } from './routes/search.ts';
import { chartRoutes } from './routes/chart.ts';
import { eventRoutes } from './routes/events.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  /** Where AWS is: from the config (the SDK's own resolution) unless given (the simulator). */
  aws?: AwsSettings;
  /** The process's pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * Tokens and secret keys never reach the logs. Explicit paths for the shapes that can carry them (request
 * headers, an AWS credentials object, a token, an error that holds credentials): a wildcard path such as
 * `*.token` makes pino look into every logged object and costs about 2.5 times as much per line, on every
 * request's log line.
 */
export const LOG_REDACT = [
  'req.headers.authorization',
  'req.headers["x-auth-token"]',
  'credentials.secretAccessKey',
  'credentials.sessionToken',
  'token',
  'err.credentials',
];

/** Builds the whole HTTP application without listening (tests inject; the server listens). */
export async function buildApp(deps: AppDeps) {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const aws = deps.aws ?? awsSettingsFromConfig(config);
  const sts = createStsClient(aws);
  // The create/update-time check assumes the role with STS, wherever `aws` points (the simulator in tests).
  const credentialCheck = awsCredentialCheck(sts);
  const services = createServices({ database, config, clock, credentialCheck });
  const expectedMigrations = countMigrations();

  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger, logController: new RequestLogController() } : { logger: false }),
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    // While shutting down, requests still arriving on open connections get our own 503s (below and in
    // /readyz) instead of Fastify's bare `{"error":"Service Unavailable"}`.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const registry = new Registry();
  // Built in every process so tests can drive it; only server.ts starts it (unless SKYPORT_SCHEDULER=off).
  const collection = createCollection({ config, db: database.db, clock, aws, sts, registry, log: app.log });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    await collection.scheduler.stop(config.scheduler.shutdownGraceMs);
  });
  // Hooks that run on every request take a callback rather than being async: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    // Set here rather than in onSend: the header stays on every answer, errors included, without an onSend hook.
    reply.header('x-request-id', request.id);
    if (closing && request.routeOptions.config.access) return done(unavailable('the server is shutting down; retry on another replica', 1));
    done();
  });

  for (const schema of sharedSchemas) app.addSchema(schema);
  installValidators(app, sharedSchemas);
  installJsonParser(app);
  installErrorHandler(app);
  installAuth(app, services.tokens);
  if (config.metricsEnabled) installMetrics(app, registry);
  await installSwagger(app);

  await app.register(healthRoutes, {
    ready: async () => {
      if (closing) return 'shutting down';
      try {
        if (!(await migrationsApplied(database.pool, expectedMigrations))) return 'migrations not applied';
      } catch {
        return 'database unreachable';
      }
      return null;
    },
  });
  await app.register(externalIdRoutes, { externalIds: services.externalIds });
  await app.register(cloudIntegrationRoutes, { integrations: services.integrations });
  await app.register(searchRoutes, { search: services.search });
  await app.register(chartRoutes, { points: services.points });
  await app.register(eventRoutes, { events: services.events });

  app.addHook('onClose', async () => {
    collection.close();
    sts.destroy();
  });
  return Object.assign(app, { services, aws, scheduler: collection.scheduler });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
