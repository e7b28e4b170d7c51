import closeWithGrace from 'close-with-grace';
import { buildApp, LOG_REDACT, LOG_SERIALIZERS } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { onShutdownSignals, shutdownSignals } from './lib/shutdownSignals.ts';
import { createMaintenance } from './services/api/maintenance.ts';
import type { AwsSettings } from './services/collection/aws/settings.ts';
import { chooseLogFormat, createLogger } from './logger.ts';
import { keepCertificatesCurrent, readKeyPair } from './tls/certificates.ts';

const MAINTENANCE_EVERY_MS = 10 * 60_000;

/**
 * The process entry: database → migrations (under an advisory lock) → tokens → app → listen,
 * with periodic maintenance and a graceful shutdown on SIGINT/SIGTERM.
 */
export async function serve(config: Config, overrides: { aws?: AwsSettings; onShutdown?: () => Promise<void> } = {}) {
  // JSON lines are buffered (see createLogger) and flushed synchronously on exit, including after a fatal error.
  const log = createLogger({
    level: config.logLevel,
    format: chooseLogFormat(config.logFormat, Boolean(process.stdout.isTTY)),
    redact: LOG_REDACT,
    serializers: LOG_SERIALIZERS,
    colorize: Boolean(process.stdout.isTTY),
  });
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPgPort: config.embeddedPgPort, poolSize: config.dbPoolSize, timeouts: config.dbTimeouts },
    log,
  );
  await runMigrations(database.pool);
  log.info('migrations applied');

  const https = config.tls ? readKeyPair(config.tls) : undefined;
  // No clock given: the app runs on the database's time (see lib/databaseClock.ts).
  const app = await buildApp({ config, database, logger: log, aws: overrides.aws, https });
  const { tokens } = app.services;
  let firstToken: string | null = null;
  if (config.bootstrapToken) {
    if (await tokens.ensureBootstrap(config.bootstrapToken)) log.info('bootstrap token stored (SKYPORT_BOOTSTRAP_TOKEN)');
  } else {
    firstToken = await tokens.createFirstToken();
  }

  const runMaintenance = createMaintenance({ services: app.services, apigateway: app.apigateway, clock: app.clock, trashRetentionMs: config.trashRetentionMs });
  const maintain = () => runMaintenance().then((r) => log.debug(r, 'maintenance done'), (err) => log.error({ err }, 'maintenance failed'));
  const timer = setInterval(maintain, MAINTENANCE_EVERY_MS);
  timer.unref();
  void maintain();

  let stopWatchingCertificates = () => {};
  // Leaves room for running collections to finish (SKYPORT_SHUTDOWN_GRACE) before the process is forced down.
  // Signals are handled by onShutdownSignals rather than close-with-grace, which reads the Ctrl-C that tsx
  // relays as a second one and exits at once (see src/lib/shutdownSignals.ts). With TLS, SIGHUP means "reload the
  // certificate" (keepCertificatesCurrent), not "shut down".
  const signals = shutdownSignals({ tls: Boolean(config.tls) });
  let stopSignal: NodeJS.Signals | undefined;
  const closer = closeWithGrace(
    { delay: config.scheduler.shutdownGraceMs + 10_000, logger: log, skip: ['SIGINT', 'SIGTERM', 'SIGHUP'] },
    async ({ err }) => {
      if (err) log.error({ err }, 'shutting down after an error');
      else log.info({ signal: stopSignal }, 'shutting down');
      clearInterval(timer);
      stopWatchingCertificates();
      await app.close();
      await database.close();
      await overrides.onShutdown?.();
      log.info('shut down');
    },
  );
  onShutdownSignals({
    signals,
    log,
    drain: (signal) => {
      stopSignal = signal;
      void closer.close();
    },
    force: () => {
      log.flush();
      process.exit(1);
    },
  });

  await app.listen({ port: config.port, host: config.host });
  if (config.tls) {
    stopWatchingCertificates = keepCertificatesCurrent(app.server as unknown as Parameters<typeof keepCertificatesCurrent>[0], config.tls, log);
  }
  if (config.scheduler.enabled) {
    app.scheduler.start();
    app.apigateway.sync.start();
    app.apigateway.subscriptions.deletions.start();
    log.info({ replica: config.scheduler.replicaId, concurrency: config.scheduler.concurrency }, 'scheduler started');
  }
  log.info(`Swagger UI: ${config.publicUrl}/api-docs`);
  if (firstToken) {
    // Printed once, to the terminal only (it is stored hashed and cannot be shown again), after the start-up lines
    // (flushed first) so that it is the last thing on the screen, not lost among them.
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.stdout.write(
      `\n  First start: created an admin API token (agent_management, customer "default").\n` +
        `  It is shown only this once:\n\n    ${firstToken}\n\n` +
        `  Try:  curl -H "Authorization: Bearer ${firstToken}" ${config.publicUrl}/api/v2/cloudintegration\n\n`,
    );
  }
  return app;
}
