import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerSetup } from './setup.ts';

// An expired or skewed session is not a rejected role: the cached credentials are dropped, the role assumed
// again and the run retried once. Only a failing AssumeRole, or a credential error on fresh credentials, disables.

const MINUTE = 60_000;

test('AWS clock 65 minutes ahead: the cached session expires, the role is assumed again, nothing is disabled', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 5 });
  await s.app.scheduler.runDue();
  s.aws.sim.resetCounters();

  s.aws.sim.clock.advance(65 * MINUTE);
  s.clock.advance(MINUTE);
  await s.app.scheduler.runDue();

  const got = await s.get(id);
  assert.equal(got.disabled, false, `disabled: ${got.lastError}`);
  assert.equal(s.aws.sim.callCount({ service: 'sts', api: 'AssumeRole' }), 1, 'the role was assumed again once');
  assert.ok(s.aws.sim.callCount({ error: 'ExpiredToken' }) + s.aws.sim.callCount({ error: 'RequestExpired' }) >= 1, 'the stale session was refused first');
  assert.equal(s.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData', error: false }) >= 1, true, 'then collected');
  assert.equal((await s.row(id)).consecutive_failures, 0);
});

test('one ExpiredToken answer is retried with fresh credentials; the same error on fresh credentials disables', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ series: 5 });
  await s.app.scheduler.runDue();

  s.aws.sim.addFault({ kind: 'expired-token', service: 'cloudwatch', count: 1 });
  s.clock.advance(MINUTE);
  await s.app.scheduler.runDue();
  assert.equal((await s.get(id)).disabled, false, 'a single expired answer never disables');

  // Every session is refused, fresh ones included: that is a role that does not work.
  s.aws.sim.addFault({ kind: 'expired-token', service: 'cloudwatch' });
  s.clock.advance(MINUTE);
  s.aws.sim.resetCounters();
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.disabled, true);
  assert.match(got.lastError, /ExpiredToken/);
  assert.equal(s.aws.sim.callCount({ service: 'sts', api: 'AssumeRole' }), 1, 'retried exactly once, with a fresh session');
});

test('a Skyport clock far from AWS\'s: the SDK corrects the skew from AWS\'s Date, create and collection succeed', async (t) => {
  const s = await schedulerSetup(t);
  // The simulated AWS runs on the test clock (weeks away from the real time the SDK signs with) and now refuses
  // signatures more than 15 minutes off, as AWS does.
  s.aws.sim.checkClockSkew = true;
  const { id } = await s.createIntegration({ series: 5 });
  await s.app.scheduler.runDue();

  const got = await s.get(id);
  assert.equal(got.disabled, false, `disabled: ${got.lastError}`);
  assert.ok(got.lastMetricCount > 0, 'collected');
  assert.ok(s.aws.sim.callCount({ error: 'SignatureDoesNotMatch' }) >= 1, 'the first signature was refused for skew');
});
