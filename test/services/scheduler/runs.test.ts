import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, schedulerSetup } from './setup.ts';

const MINUTE = 60_000;

test('a new integration is collected at once: points stored, status fields set, next run on its slot', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 20 });
  await s.app.scheduler.runDue();

  const got = await s.get(id);
  assert.equal(got.disabled, false);
  assert.equal(got.lastProcessorId, 'replica-a');
  assert.equal(got.lastProcessingTimestamp, s.clock.now());
  assert.equal(got.lastMetricCount > 0, true, 'series ingested');
  assert.ok(got.lastReceivedDataPointMs <= s.clock.now() - 5 * MINUTE, 'newest point is behind the convergence delay');
  assert.equal(got.lastError, undefined);

  const points = await s.pool.query('SELECT count(*)::int AS n FROM points');
  assert.ok(points.rows[0].n > 0);
  const row = await s.row(id);
  assert.equal(row.lease_owner, null, 'lease handed back');
  const next = new Date(row.next_run_at).getTime();
  assert.ok(next > s.clock.now() && next <= s.clock.now() + MINUTE, 'next run within one refresh interval');

  // Nothing else is due until the slot comes.
  s.aws.sim.resetCounters();
  await s.app.scheduler.runDue();
  assert.equal(s.aws.sim.callCount({ service: 'cloudwatch' }), 0);
});

test('many cycles use one AssumeRole, and windows stay contiguous across cycles and a restart', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 5 });
  s.aws.sim.resetCounters();
  for (let cycle = 0; cycle < 6; cycle++) {
    await s.app.scheduler.runDue();
    s.clock.advance(MINUTE);
  }
  assert.equal(s.aws.sim.callCount({ service: 'sts', api: 'AssumeRole' }), 1);

  // Each series has one point per minute over the whole span: no gap, no duplicate.
  const perSeries = await s.pool.query(
    `SELECT s.metric, s.source, count(*)::int AS n, min(p.ts) AS first, max(p.ts) AS last
       FROM points p JOIN series s ON s.id = p.series_id
      WHERE s.metric = 'aws.ec2.cpuutilization.sum' GROUP BY 1, 2`,
  );
  assert.ok(perSeries.rows.length > 0);
  for (const r of perSeries.rows) assert.equal(r.n, (Number(r.last) - Number(r.first)) / MINUTE + 1, 'one point per minute, no gap');
  const lastBefore = Number(perSeries.rows[0].last);

  // A "restart": a new app (new process state, new credential cache) on the same database.
  const { buildApp } = await import('../../../src/app.ts');
  const { loadConfig } = await import('../../../src/config.ts');
  const restarted = await buildApp({
    config: loadConfig({ SKYPORT_REPLICA_ID: 'replica-b' }),
    database: s.database,
    clock: s.clock,
    aws: { ...s.aws.settings, regions: ['us-east-1'] },
  });
  t.after(() => restarted.close());
  s.clock.advance(10 * MINUTE);
  await restarted.scheduler.runDue();
  const after = await s.pool.query(
    `SELECT p.ts FROM points p JOIN series s ON s.id = p.series_id
      WHERE s.metric = 'aws.ec2.cpuutilization.sum' AND s.source = $1 ORDER BY p.ts`,
    [perSeries.rows[0].source],
  );
  const ts = after.rows.map((r) => Number(r.ts));
  for (let i = 1; i < ts.length; i++) assert.equal(ts[i] - ts[i - 1], MINUTE, 'contiguous across the restart');
  assert.ok(ts[ts.length - 1] > lastBefore, 'the restarted replica carried on where the cursor was');
  assert.equal((await s.get(id)).lastProcessorId, 'replica-b');
});

test('disabled and trashed integrations never run', async (t) => {
  const s = await schedulerSetup(t);
  const a = await s.createIntegration({ accountId: '500000000001', series: 5 });
  const b = await s.createIntegration({ accountId: '500000000002', series: 5 });
  await s.api('POST', `/api/v2/cloudintegration/${a.id}/disable`, {});
  await s.api('DELETE', `/api/v2/cloudintegration/${b.id}`);
  s.aws.sim.resetCounters();
  await s.app.scheduler.runDue();
  assert.equal(s.aws.sim.callCount({ service: 'cloudwatch' }), 0);
  assert.equal((await s.get(a.id)).lastProcessingTimestamp, undefined);
  assert.equal((await s.get(b.id)).lastProcessingTimestamp, undefined);
});

async function expectDisabled(s: Awaited<ReturnType<typeof schedulerSetup>>, id: string, code: RegExp) {
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.disabled, true, 'auto-disabled');
  assert.match(got.lastError, code);
  assert.equal(got.lastErrorMs, s.clock.now());
  assert.equal(got.lastErrorEvent.runningState, 'ONGOING');
  assert.equal(got.lastErrorEvent.name, `Credentials Error: ${'account ' + ACCOUNT}`);
  assert.deepEqual(got.lastErrorEvent.creatorType, ['SYSTEM']);
  assert.equal(got.lastErrorEvent.annotations.type, 'credentials-error');
  assert.equal(got.lastErrorEvent.annotations.severity, 'warn');
  assert.equal(got.lastErrorEvent.annotations.credentialsId, id);
  assert.equal(got.lastErrorEvent.annotations.service, 'CLOUDWATCH');
  const stored = await s.pool.query('SELECT name, running_state FROM events WHERE integration_id = $1', [id]);
  assert.deepEqual(stored.rows, [{ name: got.lastErrorEvent.name, running_state: 'ONGOING' }]);
  return got;
}

test('a role that stops trusting Skyport (AccessDenied on AssumeRole) disables the integration with a credentials event', async (t) => {
  const s = await schedulerSetup(t);
  const { id, roleArn } = await s.createIntegration({ series: 5 });
  s.aws.sim.updateRoleTrust(roleArn, { externalId: 'rotated-elsewhere' });
  await expectDisabled(s, id, /AccessDenied/);
});

test('each credential error code disables: InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken, AccessDenied everywhere', async (t) => {
  const cases: Array<[string, (s: Awaited<ReturnType<typeof schedulerSetup>>, role: string) => void]> = [
    ['InvalidClientTokenId', (s) => s.aws.sim.addFault({ kind: 'access-denied', service: 'sts', api: 'AssumeRole', code: 'InvalidClientTokenId', status: 403 })],
    ['SignatureDoesNotMatch', (s) => s.aws.sim.addFault({ kind: 'access-denied', service: 'sts', api: 'AssumeRole', code: 'SignatureDoesNotMatch', status: 403 })],
    ['ExpiredToken', (s) => s.aws.sim.addFault({ kind: 'access-denied', service: 'cloudwatch', code: 'ExpiredToken', status: 403 })],
    ['AccessDenied', (s, role) => s.aws.sim.denyRole(role, { service: 'cloudwatch' })],
  ];
  for (const [code, inject] of cases) {
    await t.test(code, async (st) => {
      const s = await schedulerSetup(st);
      const { id, roleArn } = await s.createIntegration({ series: 5 });
      inject(s, roleArn);
      await expectDisabled(s, id, new RegExp(code));
    });
  }
});

test('throttling and 5xx never disable: lastError is set and the schedule backs off', async (t) => {
  for (const kind of ['throttle', 'server-error'] as const) {
    await t.test(kind, async (st) => {
      const s = await schedulerSetup(st);
      const { id } = await s.createIntegration({ series: 5 });
      s.aws.sim.addFault({ kind, service: 'cloudwatch' });
      await s.app.scheduler.runDue();
      const got = await s.get(id);
      assert.equal(got.disabled, false);
      assert.ok(got.lastError, 'error recorded');
      assert.equal(got.lastErrorEvent, undefined);
      const row = await s.row(id);
      assert.equal(row.consecutive_failures, 1);
      const firstDelay = new Date(row.next_run_at).getTime() - s.clock.now();
      assert.ok(firstDelay >= MINUTE, 'waits at least a minute');
      // Sustained failures stretch the schedule further.
      s.clock.set(new Date(row.next_run_at).getTime());
      await s.app.scheduler.runDue();
      const again = await s.row(id);
      assert.equal(again.consecutive_failures, 2);
      assert.ok(new Date(again.next_run_at).getTime() - s.clock.now() > firstDelay, 'backs off further');
      assert.equal(again.disabled, false);
      // Recovery resets the back-off.
      s.aws.sim.clearFaults();
      s.clock.set(new Date(again.next_run_at).getTime());
      await s.app.scheduler.runDue();
      assert.equal((await s.row(id)).consecutive_failures, 0);
    });
  }
});

test('enable after fixing the role runs at once, and the first success ends the credentials event', async (t) => {
  const s = await schedulerSetup(t);
  const { id, roleArn, externalId } = await s.createIntegration({ series: 5 });
  await s.api('PUT', `/api/v2/cloudintegration/${id}`, {
    name: `account ${ACCOUNT}`,
    service: 'CLOUDWATCH',
    serviceRefreshRateInMins: 1,
    additionalTags: { team: 'sre' },
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'] },
  });
  s.aws.sim.updateRoleTrust(roleArn, { externalId: 'wrong' });
  const disabled = await expectDisabled(s, id, /AccessDenied/);

  s.clock.advance(5 * MINUTE);
  s.aws.sim.updateRoleTrust(roleArn, { externalId });
  await s.api('POST', `/api/v2/cloudintegration/${id}/enable`, {});
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.disabled, false);
  assert.equal(got.lastErrorEvent.runningState, 'ENDED');
  assert.equal(got.lastErrorEvent.endTime, s.clock.now());
  assert.equal(got.lastErrorEvent.id, disabled.lastErrorEvent.id, 'the same event, ended');
  assert.deepEqual(got.additionalTags, { team: 'sre' }, 'nothing the user set is cleared');
  assert.equal(got.lastProcessingTimestamp, s.clock.now());
  const stored = await s.pool.query('SELECT running_state, end_ms FROM events WHERE integration_id = $1', [id]);
  assert.deepEqual(stored.rows, [{ running_state: 'ENDED', end_ms: s.clock.now() }]);
});

test('shutdown hands back unfinished runs: the lease is released and nothing is recorded', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 5 });
  s.aws.sim.addFault({ kind: 'latency', service: 'cloudwatch', latencyMs: 2000 });
  s.app.scheduler.start();
  for (let i = 0; i < 100 && s.app.scheduler.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.app.scheduler.inFlight, 1, 'the run started');
  assert.equal((await s.row(id)).lease_owner, 'replica-a');
  await s.app.scheduler.stop(0);
  const row = await s.row(id);
  assert.equal(row.lease_owner, null);
  assert.equal(row.lease_token, null);
  assert.equal(row.last_processing_timestamp, null, 'the aborted run wrote nothing');
  assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM points')).rows[0].n, 0);
});
