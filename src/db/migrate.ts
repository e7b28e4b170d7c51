import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant works; it only has to be the same in every replica.
const MIGRATION_LOCK = 7_253_110_042;

/**
 * Applies pending migrations while holding a session advisory lock, so replicas that start together run
 * them one at a time (drizzle's migrator takes no lock of its own). The later ones find nothing to do.
 */
export async function runMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Waiting for another replica's migrations, or one long migration, is not a stuck statement.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
    await client.query('RESET statement_timeout');
  } finally {
    client.release();
  }
}

/** True when every migration in migrations/ has been applied (used by /readyz). */
export async function migrationsApplied(pool: pg.Pool, expected: number): Promise<boolean> {
  // A database no migration ever touched has no journal table: that is "not applied", not "unreachable".
  const exists = await pool.query(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return false;
  const res = await pool.query(
    `SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
  );
  return res.rows[0].n >= expected;
}

/** How many migrations this build ships (from drizzle-kit's journal). */
export function countMigrations(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}
