import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp, LOG_REDACT } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { systemClock } from './lib/clock.ts';
import { createMaintenance } from './services/api/maintenance.ts';
import type { AwsSettings } from './services/collection/aws/settings.ts';

const MAINTENANCE_EVERY_MS = 10 * 60_000;

/**
 * The process entry: database → migrations (under an advisory lock) → tokens → app → listen,
 * with periodic maintenance and a graceful shutdown on SIGINT/SIGTERM.
 */
export async function serve(config: Config, overrides: { aws?: AwsSettings; onShutdown?: () => Promise<void> } = {}) {
  // Log lines are buffered and written in batches of at least 4 KiB, and at least every second: one write(2)
  // per log line (two per request at info) cost more CPU than anything else Skyport adds to a request (see
  // docs/PERFORMANCE.md). Pending lines are flushed synchronously on exit, including after a fatal error.
  const log = pino(
    { level: config.logLevel, redact: LOG_REDACT },
    pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }),
  );
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPgPort: config.embeddedPgPort, poolSize: config.dbPoolSize },
    log,
  );
  await runMigrations(database.pool);
  log.info('migrations applied');

  const app = await buildApp({ config, database, logger: log, clock: systemClock, aws: overrides.aws });
  const { tokens } = app.services;
  if (config.bootstrapToken) {
    if (await tokens.ensureBootstrap(config.bootstrapToken)) log.info('bootstrap token stored (SKYPORT_BOOTSTRAP_TOKEN)');
  } else {
    const token = await tokens.createFirstToken();
    // Printed once, to the terminal only: it is stored hashed and cannot be shown again.
    if (token) process.stdout.write(
      `\n  First start: created an admin API token (agent_management, customer "default").\n` +
        `  It is shown only this once:\n\n    ${token}\n\n` +
        `  Try:  curl -H "Authorization: Bearer ${token}" http://${config.host}:${config.port}/api/v2/cloudintegration\n\n`,
    );
  }

  const runMaintenance = createMaintenance({ services: app.services, clock: systemClock, trashRetentionMs: config.trashRetentionMs });
  const maintain = () => runMaintenance().then((r) => log.debug(r, 'maintenance done'), (err) => log.error({ err }, 'maintenance failed'));
  const timer = setInterval(maintain, MAINTENANCE_EVERY_MS);
  timer.unref();
  void maintain();

  // Leaves room for running collections to finish (SKYPORT_SHUTDOWN_GRACE) before the process is forced down.
  closeWithGrace({ delay: config.scheduler.shutdownGraceMs + 10_000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    clearInterval(timer);
    await app.close();
    await database.close();
    await overrides.onShutdown?.();
  });

  await app.listen({ port: config.port, host: config.host });
  if (config.scheduler.enabled) {
    app.scheduler.start();
    log.info({ replica: config.scheduler.replicaId, concurrency: config.scheduler.concurrency }, 'scheduler started');
  }
  log.info(`Swagger UI: http://${config.host}:${config.port}/api-docs`);
  return app;
}
