// Issue 9, item 2 (scheduler side): a run whose database write fails is retried, and nothing it collected is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerSetup } from './setup.ts';

test('a run whose result cannot be written ends as an error, keeps the lease until it lapses, and is retried without a gap', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 5 });

  // PostgreSQL refuses every point for a while (as a full disk or a dropped session would).
  await s.pool.query(`CREATE FUNCTION refuse_points() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
  await s.pool.query(`CREATE TRIGGER refuse_points BEFORE INSERT ON points FOR EACH STATEMENT EXECUTE FUNCTION refuse_points()`);
  await s.app.scheduler.runDue();
  assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM points')).rows[0].n, 0);
  const afterFailure = await s.row(id);
  assert.equal(afterFailure.last_processing_timestamp, null, 'nothing of the failed run was recorded');
  assert.ok(new Date(afterFailure.next_run_at).getTime() <= s.clock.now(), 'still due');
  assert.equal(s.app.scheduler.inFlight, 0, 'the run ended');

  // The database accepts writes again; once the lease of the failed run lapses, the run is retried.
  await s.pool.query('DROP TRIGGER refuse_points ON points');
  s.clock.advance(61_000);
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.lastError, undefined);
  assert.ok(got.lastMetricCount > 0, 'the retry collected');
  // The retried window starts where the failed one did: each series has every minute, no gap.
  const perSeries = await s.pool.query(
    `SELECT count(*)::int AS n, min(p.ts) AS first, max(p.ts) AS last FROM points p JOIN series s ON s.id = p.series_id
      WHERE s.metric = 'aws.ec2.cpuutilization.sum' GROUP BY s.id`,
  );
  assert.ok(perSeries.rows.length > 0);
  for (const r of perSeries.rows) assert.equal(r.n, (Number(r.last) - Number(r.first)) / 60_000 + 1, 'one point per minute, no gap');
});
