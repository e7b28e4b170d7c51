import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, schedulerSetup } from './setup.ts';

// Every wait on AWS has an end: the request timeout fails a slow call, the STS client has one too, and a whole
// run that outlives its deadline is abandoned and retried. Latency comes from the simulator's faults.

test('a GetMetricData slower than SKYPORT_AWS_REQUEST_TIMEOUT fails the call as transient, never disabling', async (t) => {
  const s = await schedulerSetup(t, { SKYPORT_AWS_REQUEST_TIMEOUT: '300ms' });
  const { id } = await s.createIntegration({ series: 5 });
  s.aws.sim.addFault({ kind: 'latency', service: 'cloudwatch', api: 'GetMetricData', latencyMs: 2_500 });
  const started = performance.now();
  await s.app.scheduler.runDue();
  const ms = performance.now() - started;

  const got = await s.get(id);
  assert.equal(got.disabled, false);
  assert.match(got.lastError, /TimeoutError|ETIMEDOUT/, 'the slow call failed instead of ending ok');
  assert.ok(ms < 2_000, `the run ended at the request timeout, not when AWS answered (${Math.round(ms)} ms)`);
  const points = await s.pool.query('SELECT count(*)::int AS n FROM points');
  assert.equal(points.rows[0].n, 0, 'nothing from the timed-out window was stored');
  const cursor = await s.pool.query('SELECT count(*)::int AS n FROM collector_cursors WHERE integration_id = $1', [id]);
  assert.equal(cursor.rows[0].n, 0, 'the cursor did not move past the window that failed');
});

test('an AssumeRole slower than the request timeout makes a create a quick 503, nothing stored', async (t) => {
  const s = await schedulerSetup(t, { SKYPORT_AWS_REQUEST_TIMEOUT: '300ms' });
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = s.aws.sim.createRole({ accountId: ACCOUNT, name: 'Slow', trustedPrincipals: [s.aws.skyportArn], externalId }).arn;
  s.aws.sim.addFault({ kind: 'latency', service: 'sts', api: 'AssumeRole', latencyMs: 2_500 });
  const started = performance.now();
  const res = await s.api('POST', '/api/v2/cloudintegration', {
    name: 'slow sts',
    service: 'CLOUDWATCH',
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'] },
  });
  const ms = performance.now() - started;
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.match(res.body.status.message, /STS.*ETIMEDOUT.*requestTimeout/);
  assert.ok(ms < 2_000, `answered at the STS timeout (${Math.round(ms)} ms)`);
  const rows = await s.pool.query('SELECT count(*)::int AS n FROM integrations');
  assert.equal(rows.rows[0].n, 0);
});

test('a run past SKYPORT_RUN_DEADLINE is abandoned: nothing written, a transient failure, retried later', async (t) => {
  const s = await schedulerSetup(t, { SKYPORT_RUN_DEADLINE: '400ms' });
  const { id } = await s.createIntegration({ series: 5 });
  const slow = s.aws.sim.addFault({ kind: 'latency', service: 'cloudwatch', api: 'GetMetricData', latencyMs: 2_500 });
  const started = performance.now();
  await s.app.scheduler.runDue();
  const ms = performance.now() - started;

  assert.ok(ms < 2_000, `the run ended at its deadline (${Math.round(ms)} ms)`);
  const row = await s.row(id);
  assert.equal(row.disabled, false);
  assert.match(row.last_error, /RunDeadlineExceeded/);
  assert.equal(row.consecutive_failures, 1);
  assert.equal(row.lease_owner, null, 'the lease is handed back');
  assert.ok(new Date(row.next_run_at).getTime() > s.clock.now(), 'retried later, with back-off');
  const points = await s.pool.query('SELECT count(*)::int AS n FROM points');
  assert.equal(points.rows[0].n, 0, 'an abandoned run writes no points');

  // Once AWS is fast again the retry collects and clears the error.
  s.aws.sim.removeFault(slow.id);
  s.clock.set(new Date(row.next_run_at).getTime());
  await s.app.scheduler.runDue();
  const after = await s.row(id);
  assert.equal(after.consecutive_failures, 0);
  assert.ok((await s.pool.query('SELECT count(*)::int AS n FROM points')).rows[0].n > 0);
});
