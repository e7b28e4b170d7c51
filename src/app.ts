import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Registry } from 'prom-client';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { countMigrations, migrationsApplied } from './db/migrate.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createDatabaseClock } from './lib/databaseClock.ts';
import { databaseTimeMs } from './db/queries/clock.ts';
import { withDeadline } from './lib/deadline.ts';
import { errorForLog } from './lib/logErrors.ts';
import { sharedSchemas } from './schemas/registry.ts';
import { unavailable } from './errors.ts';
import { createServices } from './services/api/index.ts';
import { awsSettingsFromConfig, createStsClient, type AwsSettings } from './services/collection/aws/settings.ts';
import { awsCredentialCheck } from './services/collection/aws/roleCheck.ts';
import { createCollection } from './services/collection/collection.ts';
import { installValidators } from './plugins/validation.ts';
import { installJsonParser } from './plugins/jsonBody.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './plugins/errorHandler.ts';
import { installAuth } from './plugins/auth.ts';
import { installIgnoredFieldWarnings } from './plugins/ignoredFieldWarnings.ts';
import { installSwagger } from './plugins/swagger.ts';
import type { KeyPair } from './tls/certificates.ts';
import { installMetrics } from './plugins/metrics.ts';
import { RequestLogController, requestForLog } from './plugins/requestLog.ts';
import { healthRoutes } from './routes/health.ts';
import { externalIdRoutes } from './routes/externalIds.ts';
import { cloudIntegrationRoutes } from './routes/cloudIntegrations.ts';
import { searchRoutes } from './routes/search.ts';
import { chartRoutes } from './routes/chart.ts';
import { eventRoutes } from './routes/events.ts';
import { runRoutes } from './routes/runs.ts';
import { metricRoutes } from './routes/metrics.ts';
import { estimateRoutes } from './routes/estimate.ts';
import { runQueries } from './db/queries/runs.ts';
import { integrationQueries } from './db/queries/integrations.ts';
import { createDiscovery } from './services/estimate/discovery.ts';
import { createEstimateService } from './services/estimate/index.ts';
import { docsRoutes } from './routes/docs.ts';
import { apiGatewayConnectionRoutes } from './routes/apiGatewayConnections.ts';
import { apiGatewaySyncRoutes } from './routes/apiGatewaySync.ts';
import { apiGatewayInventoryRoutes } from './routes/apiGatewayInventory.ts';
import { apiGatewayTrafficRoutes } from './routes/apiGatewayTraffic.ts';
import { createApiGatewayServices } from './services/apigateway/index.ts';
import { apiGatewaySubscriptionRoutes } from './routes/apigatewaySubscriptions.ts';
import { apiGatewayUsagePlanRoutes } from './routes/apigatewayUsagePlans.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  clock?: Clock;
  /** Where AWS is: from the config (the SDK's own resolution) unless given (the simulator). */
  aws?: AwsSettings;
  /** The process's pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  /** A certificate and key: serve HTTPS, HTTP/2 and HTTP/1.1 on one port (ALPN picks). */
  https?: KeyPair;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

// A load balancer's health check must get an answer quickly: a database that cannot answer within this time
// (down, or every pooled connection stuck behind a lock) is "not ready", whatever it answers later.
const READY_DEADLINE_MS = 1000;

/**
 * Tokens and secret keys never reach the logs. Explicit paths for the shapes that can carry them (an AWS
 * credentials object, a token, an error that holds credentials, a request body): a wildcard path such as
 * `*.token` makes pino look into every logged object and costs about 2.5 times as much per line, on every
 * request's log line. A logged request (`req`) needs no path: its serializer (LOG_SERIALIZERS) keeps only the
 * method and the URL, so its headers and body never reach a line. Paths under `req` would make pino clone
 * every request line's `req` to look for fields that cannot be there.
 */
export const LOG_REDACT = [
  'credentials.secretAccessKey',
  'credentials.sessionToken',
  'token',
  'err.credentials',
  // An API Gateway connection's access key secret, wherever a request body or credentials object is logged.
  'body.credentials.secretAccessKey',
];

/**
 * pino serializers of every Skyport logger: a logged error is bounded in size (no SQL parameter lists); a logged
 * request is its method and URL, with token-like query parameters redacted (never its headers or body).
 */
export const LOG_SERIALIZERS = { err: errorForLog, req: requestForLog };

/** Builds the whole HTTP application without listening (tests inject; the server listens). */
export async function buildApp(deps: AppDeps) {
  const { config, database } = deps;
  // Without an injected clock Skyport runs on the database's time (a replica's own clock may be wrong).
  const databaseClock = deps.clock
    ? undefined
    : createDatabaseClock({ local: systemClock, read: () => databaseTimeMs(database.pool), log: deps.logger });
  // Measured before anything runs; a database that does not answer (OpenAPI generation, a start during an outage)
  // leaves the local clock in use until the next measurement succeeds.
  await databaseClock?.syncWithin(2_000).catch((err: unknown) => deps.logger?.warn({ err }, 'could not measure the database clock yet'));
  const clock = deps.clock ?? databaseClock!;
  // Given settings (the simulator) keep the configured AWS time limits unless they bring their own.
  const aws = deps.aws ? { timeouts: config.aws.timeouts, ...deps.aws } : awsSettingsFromConfig(config);
  const sts = createStsClient(aws);
  // The create/update-time check assumes the role with STS, wherever `aws` points (the simulator in tests).
  const credentialCheck = awsCredentialCheck(sts, aws);
  const services = createServices({ database, config, clock, credentialCheck });
  const expectedMigrations = countMigrations();

  // With a key pair, one HTTP/2 server that also speaks HTTP/1.1 (curl, Go's and Node's clients by default).
  // The cast keeps one app type: routes see the same request/reply API either way.
  const transport = (deps.https ? { http2: true, https: { allowHTTP1: true, ...deps.https } } : {}) as object;
  const app = Fastify({
    ...transport,
    ...(deps.logger ? { loggerInstance: deps.logger, logController: new RequestLogController() } : { logger: false }),
    bodyLimit: config.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
    // While shutting down, requests still arriving on open connections get our own 503s (below and in
    // /readyz) instead of Fastify's bare `{"error":"Service Unavailable"}`.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const registry = new Registry();
  // Built in every process so tests can drive it; only server.ts starts it (unless SKYPORT_SCHEDULER=off).
  const collection = createCollection({ config, db: database.db, clock, aws, sts, registry, log: app.log });
  const apigateway = createApiGatewayServices({
    db: database.db,
    config,
    clock,
    access: collection.access,
    stsRegion: aws.stsRegion,
    externalIds: services.externalIds,
    log: app.log,
  });
  if (databaseClock) {
    databaseClock.register(registry);
    databaseClock.start();
  }

  let closing = false;
  let idleReaper: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    // Closing reaps the connections that are idle at that moment; one whose request is still in flight turns
    // idle only once answered, and would then be kept alive (holding the close, and the process, for the
    // keep-alive timeout) unless it is reaped too.
    idleReaper = setInterval(() => app.server.closeIdleConnections(), 100);
    idleReaper.unref();
    await collection.scheduler.stop(config.scheduler.shutdownGraceMs);
  });
  // Hooks that run on every request take a callback rather than being async: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    // Set here rather than in onSend: the header stays on every answer, errors included, without an onSend hook.
    reply.header('x-request-id', request.id);
    // No answer is ever sniffed into something else (helmet adds the rest of a web page's headers to Swagger UI).
    reply.header('x-content-type-options', 'nosniff');
    // `closing` first: reading routeOptions builds an object per call, which only a closing server pays for.
    if (closing && request.routeOptions.config.access) return done(unavailable('the server is shutting down; retry on another replica', 1));
    done();
  });

  for (const schema of sharedSchemas) app.addSchema(schema);
  installValidators(app, sharedSchemas);
  installJsonParser(app);
  installErrorHandler(app);
  installAuth(app, services.tokens);
  installIgnoredFieldWarnings(app, sharedSchemas);
  if (config.metricsEnabled) installMetrics(app, registry);
  await installSwagger(app);

  const checkDatabase = async (): Promise<string | null> => {
    try {
      return (await migrationsApplied(database.pool, expectedMigrations)) ? null : 'migrations not applied';
    } catch {
      return 'database unreachable';
    }
  };
  // Checks that overlap share one query, so a starved pool is not asked again by every probe.
  let checking: Promise<string | null> | undefined;
  await app.register(healthRoutes, {
    ready: async () => {
      if (closing) return 'shutting down';
      checking ??= checkDatabase().finally(() => (checking = undefined));
      return withDeadline(checking, READY_DEADLINE_MS, `database not answering within ${READY_DEADLINE_MS} ms`);
    },
  });
  await app.register(externalIdRoutes, { externalIds: services.externalIds });
  await app.register(cloudIntegrationRoutes, { integrations: services.integrations });
  await app.register(searchRoutes, { search: services.search });
  await app.register(chartRoutes, { points: services.points });
  await app.register(eventRoutes, { events: services.events });
  await app.register(runRoutes, { runs: services.runs });
  await app.register(metricRoutes, { metrics: services.metrics });
  const discovery = createDiscovery({ sts, aws, clock, maxSeries: config.cloudwatch.maxSeries });
  const estimate = createEstimateService({
    integrations: integrationQueries(database.db),
    runs: runQueries(database.db),
    discovery,
    clock,
    costPer1000MetricsUsd: config.cloudwatch.costPer1000MetricsUsd,
  });
  await app.register(estimateRoutes, { estimate });
  await app.register(docsRoutes);
  await app.register(apiGatewayConnectionRoutes, { connections: apigateway.connections });
  await app.register(apiGatewaySyncRoutes, { sync: apigateway.sync });
  await app.register(apiGatewayInventoryRoutes, { inventory: apigateway.inventory, observed: apigateway.traffic });
  await app.register(apiGatewayTrafficRoutes, { traffic: apigateway.traffic });
  await app.register(apiGatewaySubscriptionRoutes, { subscriptions: apigateway.subscriptions.service });
  await app.register(apiGatewayUsagePlanRoutes, { subscriptions: apigateway.subscriptions.service });

  app.addHook('onClose', async () => {
    databaseClock?.stop();
    clearInterval(idleReaper);
    apigateway.close();
    collection.close();
    discovery.close();
    sts.destroy();
  });
  return Object.assign(app, { services, apigateway, aws, scheduler: collection.scheduler, clock });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
