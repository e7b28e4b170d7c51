import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertRun } from '../../src/db/queries/runs.ts';
import { schedulerSetup } from '../services/scheduler/setup.ts';

const MINUTE = 60_000;

test('run history records a successful run: times, replica, what was stored and the AWS calls by API', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 6 });
  s.aws.sim.resetCounters();
  const started = s.clock.now();
  await s.app.scheduler.runDue();

  const res = await s.api('GET', `/api/v2/cloudintegration/${id}/run`);
  assert.equal(res.status, 200);
  const page = res.body.response;
  assert.equal(page.totalItems, 1);
  const [run] = page.items;
  assert.equal(run.integrationId, id);
  assert.equal(run.status, 'ok');
  assert.equal(run.replica, 'replica-a');
  assert.equal(run.startTime, started);
  assert.equal(run.endTime, s.clock.now());
  assert.equal(run.series, (await s.get(id)).lastMetricCount);
  assert.ok(run.points > 0);
  assert.equal(run.error, undefined);
  // The calls the run reports are the calls AWS (the simulator) saw.
  assert.equal(run.awsCalls['cloudwatch:GetMetricData'], s.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData' }));
  assert.equal(run.awsCalls['cloudwatch:ListMetrics'], s.aws.sim.callCount({ service: 'cloudwatch', api: 'ListMetrics' }));
  assert.ok(run.awsCalls['cloudwatch:GetMetricData'] >= 1);
});

test('run history records partial runs and credential failures, newest first, and pages', async (t) => {
  const s = await schedulerSetup(t);
  const { id, roleArn } = await s.createIntegration({ series: 4 });
  await s.app.scheduler.runDue();

  s.clock.advance(MINUTE);
  const fault = s.aws.sim.addFault({ kind: 'server-error', service: 'cloudwatch', api: 'GetMetricData' });
  await s.app.scheduler.runDue();
  s.aws.sim.removeFault(fault.id);

  s.clock.advance(5 * MINUTE);
  s.aws.sim.denyRole(roleArn, { service: 'cloudwatch' });
  await s.app.scheduler.runDue();

  const all = (await s.api('GET', `/api/v2/cloudintegration/${id}/run`)).body.response;
  assert.deepEqual(all.items.map((r: { status: string }) => r.status), ['credentials', 'partial', 'ok']);
  const [denied, partial] = all.items;
  assert.match(denied.error, /AccessDenied/);
  assert.equal(denied.points, 0);
  assert.match(partial.error, /cloudwatch:us-east-1:AWS\/EC2/, 'names the scope that failed');
  assert.ok(partial.awsCalls['cloudwatch:GetMetricData'] >= 1);
  assert.ok(Number(all.items[0].id) > Number(all.items[1].id), 'newer runs have larger ids');

  const second = (await s.api('GET', `/api/v2/cloudintegration/${id}/run?offset=1&limit=1`)).body.response;
  assert.deepEqual([second.totalItems, second.moreItems, second.items[0].status], [3, true, 'partial']);
});

test('run history of an unknown or foreign integration is a 404; a read-only token may read it', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 1 });
  assert.equal((await s.api('GET', '/api/v2/cloudintegration/0b6d6a43-7d47-4d5e-9a39-111111111111/run')).status, 404);
  const other = await s.app.services.tokens.create({ name: 'other', permissions: ['agent_management'], customerId: 'acme' });
  const foreign = await s.app.inject({ method: 'GET', url: `/api/v2/cloudintegration/${id}/run`, headers: { authorization: `Bearer ${other.token}` } });
  assert.equal(foreign.statusCode, 404);
  const read = await s.app.inject({ method: 'GET', url: `/api/v2/cloudintegration/${id}/run`, headers: { authorization: `Bearer ${s.reader}` } });
  assert.equal(read.statusCode, 200);
  const collect = await s.app.inject({ method: 'POST', url: `/api/v2/cloudintegration/${id}/collect`, headers: { authorization: `Bearer ${s.reader}` } });
  assert.equal(collect.statusCode, 403, 'collect needs agent_management');
});

test('the history keeps the newest 100 runs of each integration', async (t) => {
  const s = await schedulerSetup(t);
  const a = await s.createIntegration({ accountId: '500000000011', forceSave: true });
  const b = await s.createIntegration({ accountId: '500000000012', forceSave: true });
  const row = (integrationId: string, i: number) => ({
    integrationId, customerId: 'default', startedMs: i, endedMs: i + 1, replica: 'r', status: 'ok', awsCalls: {},
  });
  await s.database.db.transaction(async (tx) => {
    for (let i = 0; i < 105; i++) await insertRun(tx, row(a.id, i));
    await insertRun(tx, row(b.id, 0));
  });
  const pageA = (await s.api('GET', `/api/v2/cloudintegration/${a.id}/run?limit=1000`)).body.response;
  assert.equal(pageA.totalItems, 100);
  assert.equal(pageA.items[0].startTime, 104, 'newest kept');
  assert.equal(pageA.items[99].startTime, 5, 'oldest five pruned');
  assert.equal((await s.api('GET', `/api/v2/cloudintegration/${b.id}/run`)).body.response.totalItems, 1, 'other integrations untouched');
});

test('collect now: queues a run at once; ?wait=true answers with the finished run', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 3 });
  await s.app.scheduler.runDue();
  assert.ok(new Date((await s.row(id)).next_run_at).getTime() > s.clock.now());

  const queued = await s.api('POST', `/api/v2/cloudintegration/${id}/collect`);
  assert.equal(queued.status, 200);
  assert.deepEqual(queued.body.response, { queued: true });
  assert.equal(new Date((await s.row(id)).next_run_at).getTime(), s.clock.now(), 'due now');

  const waiting = s.api('POST', `/api/v2/cloudintegration/${id}/collect?wait=true`);
  await new Promise((r) => setTimeout(r, 300));
  await s.app.scheduler.runDue();
  const done = await waiting;
  assert.equal(done.status, 200);
  assert.equal(done.body.response.queued, true);
  assert.equal(done.body.response.run.status, 'ok');
  assert.equal(done.body.response.run.startTime, s.clock.now());
  const history = (await s.api('GET', `/api/v2/cloudintegration/${id}/run`)).body.response;
  assert.equal(history.totalItems, 2);
  assert.equal(history.items[0].id, done.body.response.run.id);
});

test('collect?wait=true on a disabled integration is a 409 that says why; in the trash too', async (t) => {
  const s = await schedulerSetup(t);
  const { id, roleArn } = await s.createIntegration({ series: 2 });
  s.aws.sim.updateRoleTrust(roleArn, { externalId: 'rotated-elsewhere' });
  await s.app.scheduler.runDue();
  const refused = await s.api('POST', `/api/v2/cloudintegration/${id}/collect?wait=true`);
  assert.equal(refused.status, 409);
  assert.match(refused.body.status.message, /disabled/);
  assert.match(refused.body.status.message, /AccessDenied/, 'names the AWS error');
  assert.match(refused.body.status.message, new RegExp(`/api/v2/cloudintegration/${id}/enable`), 'says what to do');

  const other = await s.createIntegration({ accountId: '500000000021', forceSave: true });
  await s.api('POST', `/api/v2/cloudintegration/${other.id}/disable`);
  const byHand = await s.api('POST', `/api/v2/cloudintegration/${other.id}/collect?wait=true`);
  assert.equal(byHand.status, 409);
  assert.match(byHand.body.status.message, /disabled by admin/);

  await s.api('DELETE', `/api/v2/cloudintegration/${other.id}`);
  const trashed = await s.api('POST', `/api/v2/cloudintegration/${other.id}/collect`);
  assert.equal(trashed.status, 409);
  assert.match(trashed.body.status.message, /trash/);
});
