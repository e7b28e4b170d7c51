import pino from 'pino';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';

/** Opens the configured database for a one-shot command (migrations applied first), runs `run`, closes it. */
export async function withDatabase<T>(config: Config, run: (db: Database) => Promise<T>): Promise<T> {
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPgPort: config.embeddedPgPort, poolSize: 2 },
    log,
  );
  try {
    await runMigrations(database.pool);
    return await run(database);
  } finally {
    await database.close();
  }
}
