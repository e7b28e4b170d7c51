import type pg from 'pg';

/** The database server's clock, epoch ms: `clock_timestamp()` (now() would be the transaction's start). */
export async function databaseTimeMs(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ ms: number }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`);
  return Number(res.rows[0].ms);
}
