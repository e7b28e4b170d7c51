import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
// @ts-expect-error a plain .mjs helper shared with the fault suite's preload
import { skewProcessClock } from '../../faults/skewClock.mjs';

// A replica whose clock runs 7 minutes ahead: windows, cursors and leases go by the database's clock, so it
// never asks for (and moves its cursor past) CloudWatch data that does not exist yet, and says so on /metrics.

const MINUTE = 60_000;
const ACCOUNT = '777766665555';

test('a replica clock 7 minutes ahead never moves a CloudWatch cursor past real data, and /metrics shows the skew', async (t) => {
  const skew = skewProcessClock(7 * MINUTE) as { realNow: () => number; restore(): void };
  t.after(() => skew.restore());
  // AWS and PostgreSQL keep the real time; only this process (the replica) is wrong.
  const aws = await startTestAws(t, { clock: skew.realNow });
  const { app, admin, database } = await buildTestApp(t, {
    aws: { ...aws.settings, regions: ['us-east-1'] },
    env: { SKYPORT_REPLICA_ID: 'skewed' },
  });
  const api = client(app, admin);
  const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  aws.sim.seedSeries({ accountId: ACCOUNT, region: 'us-east-1', count: 5, createInstances: true });
  const res = await api('POST', '/api/v2/cloudintegration', {
    name: 'skewed',
    service: 'CLOUDWATCH',
    serviceRefreshRateInMins: 1,
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'] },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));

  await app.scheduler.runDue();
  const realNow = skew.realNow();
  const cursors = await database.pool.query('SELECT position FROM collector_cursors');
  assert.ok(cursors.rows.length > 0, 'collected');
  for (const { position } of cursors.rows) {
    // Windows end 5 minutes (SKYPORT_CLOUDWATCH_DELAY) behind now: by the real clock, not the replica's.
    assert.ok(Number(position) <= realNow - 5 * MINUTE, `cursor ${new Date(Number(position)).toISOString()} is past real now − 5 min`);
  }
  const newest = await database.pool.query('SELECT max(ts)::float8 AS ts FROM points');
  assert.ok(Number(newest.rows[0].ts) < realNow - 5 * MINUTE);

  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  const m = /^skyport_clock_skew_seconds (\S+)$/m.exec(metrics.body);
  assert.ok(m, 'skyport_clock_skew_seconds is exposed');
  assert.ok(Math.abs(Number(m[1]) - 420) < 2, `measured skew ${m[1]} s`);
});
