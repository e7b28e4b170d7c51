// Issue 9, item 11: a CloudTrail bucket that disappears after the integration was created is a visible
// lastError with an event, like any lasting failure; the integration stays enabled and recovers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trustedRole } from '../../helpers/aws.ts';
import { schedulerSetup } from '../scheduler/setup.ts';

const ACCOUNT = '222233334444';
const BUCKET = 'vanishing-trail';
const MIN = 60_000;

test('a trail bucket deleted later: lastError names it, a system event opens (once), and it ends when the bucket is back', async (t) => {
  const s = await schedulerSetup(t);
  s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, deliveryTime: s.clock.now() - 10 * MIN, count: 3 });
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, ACCOUNT, externalId, `Trail-${externalId}`);
  const created = await s.api('POST', '/api/v2/cloudintegration', {
    name: 'trail',
    service: 'CLOUDTRAIL',
    serviceRefreshRateInMins: 5,
    cloudTrail: { baseCredentials: { roleArn, externalId }, bucketName: BUCKET, region: 'us-east-1' },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.response.id as string;
  await s.app.scheduler.runDue();
  assert.equal((await s.get(id)).lastError, undefined);

  const bucket = s.aws.sim.state.objects.buckets.get(BUCKET)!;
  s.aws.sim.state.objects.buckets.delete(BUCKET);
  for (let cycle = 0; cycle < 2; cycle++) {
    s.clock.advance(6 * MIN);
    await s.app.scheduler.runDue();
  }
  const failing = await s.get(id);
  assert.equal(failing.disabled, false, 'a missing bucket does not disable (it may come back)');
  assert.match(String(failing.lastError), /NoSuchBucket/);
  assert.equal(failing.lastErrorEvent?.runningState, 'ONGOING', JSON.stringify(failing.lastErrorEvent));
  const systemEvents = async () =>
    (await s.api('GET', '/api/v2/event?limit=100')).body.response.items.filter((e: { name: string }) => !e.name.startsWith('AWS Action: '));
  const open = await systemEvents();
  assert.equal(open.length, 1, `one event for the lasting failure, not one per run: ${JSON.stringify(open)}`);
  assert.match(JSON.stringify(open[0].annotations), /NoSuchBucket/);

  s.aws.sim.state.objects.buckets.set(BUCKET, bucket);
  s.clock.advance(6 * MIN);
  await s.app.scheduler.runDue();
  const recovered = await s.get(id);
  assert.equal(recovered.lastErrorEvent?.runningState, 'ENDED');
  assert.equal((await systemEvents())[0].runningState, 'ENDED');
});
