import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPool, type Database } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';

/** The PostgreSQL server tests use: TEST_DATABASE_URL, which scripts/test.mjs sets to an embedded one when absent. */
export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set; run the tests with `npm test`');
  return url;
}

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh, migrated database of its own on the test server, dropped when the test ends. Each test file (or
 * test) gets one, so files may run in parallel and nothing leaks between them.
 */
export async function createTestDatabase(poolSize = 5): Promise<Database & { url: string }> {
  const server = testServerUrl();
  const name = `skyport_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(server, name);
  const database = openPool(url, poolSize);
  await runMigrations(database.pool);
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      const drop = new pg.Client({ connectionString: server });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}
