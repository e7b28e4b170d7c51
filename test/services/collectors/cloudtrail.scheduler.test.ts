// CloudTrail through the scheduler and the API: a CLOUDTRAIL integration created over HTTP is collected, its
// "AWS Action" events and counters are stored and readable at /api/v2/event and /api/v2/chart/raw, re-reads store
// nothing twice, a restart carries on, and an AccessDenied on the bucket disables the integration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { trustedRole } from '../../helpers/aws.ts';
import { schedulerSetup, type SchedulerSetup } from '../scheduler/setup.ts';

const ACCOUNT = '222233334444';
const BUCKET = 'e2e-trail';
const MIN = 60_000;

async function createTrailIntegration(s: SchedulerSetup, cloudTrail: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, ACCOUNT, externalId, `Trail-${externalId}`);
  const res = await s.api('POST', '/api/v2/cloudintegration', {
    name: 'trail of 222233334444',
    service: 'cloudTrail',
    serviceRefreshRateInMins: 5,
    cloudTrail: { baseCredentials: { roleArn, externalId }, bucketName: BUCKET, region: 'us-east-1', ...cloudTrail },
    ...extra,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { id: res.body.response.id as string, roleArn };
}

/** Every event of the customer through the API, following cursors, newest first. */
async function allEvents(s: SchedulerSetup, query = '', limit = 7) {
  const items: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await s.api('GET', `/api/v2/event?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.response.items);
    if (!res.body.response.moreItems) return items;
    cursor = res.body.response.cursor;
  }
  throw new Error('too many pages');
}

test('end to end: collected AWS actions are readable at /api/v2/event, counters at /api/v2/chart/raw; re-reads and a restart store nothing twice', async (t) => {
  const s = await schedulerSetup(t);
  const now = s.clock.now();
  const written = [
    s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, deliveryTime: now - 20 * MIN, count: 10 }),
    s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, deliveryTime: now - 10 * MIN, count: 10 }),
  ];
  const { id } = await createTrailIntegration(s);
  await s.app.scheduler.runDue();

  const kept = (ws: typeof written) => ws.flatMap((w) => w.records).filter((r) => r.readOnly === false);
  let expected = kept(written);
  const got = await s.get(id);
  assert.equal(got.disabled, false);
  assert.equal(got.lastError, undefined);
  assert.equal(got.lastMetricCount, expected.length, 'lastMetricCount counts the events ingested');
  assert.equal(got.lastReceivedDataPointMs, Math.max(...expected.map((r) => Date.parse(String(r.eventTime)))));

  let events = (await allEvents(s)).filter((e) => e.name.startsWith('AWS Action: '));
  assert.equal(events.length, expected.length);
  const byId = new Map(events.map((e) => [e.annotations.eventID, e]));
  for (const r of expected) {
    const e = byId.get(r.eventID);
    assert.ok(e, `event ${r.eventID} is readable`);
    assert.equal(e.name, `AWS Action: ${r.eventName}`);
    assert.equal(e.startTime, Date.parse(String(r.eventTime)));
    assert.equal(e.runningState, 'ENDED');
    assert.deepEqual(e.creatorType, ['SYSTEM']);
    assert.equal(e.isUserEvent, false);
    assert.deepEqual(e.tags, ['aws.cloudtrail.ec2', id]);
    assert.equal(e.annotations.userIdentityArn, (r.userIdentity as { arn: string }).arn);
    assert.equal(e.annotations.sourceIPAddress, r.sourceIPAddress);
  }
  const one = await s.api('GET', `/api/v2/event/${events[0].id}`);
  assert.deepEqual(one.body.response, events[0]);

  const total = await s.api('GET', `/api/v2/chart/raw?metric=aws.cloudtrail.event.total-per-minute&startTime=${now - 2 * 3_600_000}&endTime=${now}`);
  assert.equal(total.status, 200, JSON.stringify(total.body));
  const counted = total.body.flatMap((series: any) => series.points).reduce((n: number, p: any) => n + p.value, 0);
  assert.equal(counted, expected.length, 'the per-minute totals add up to the events');
  assert.equal(total.body[0].tags.source, ACCOUNT);
  assert.equal(total.body[0].tags.bucket, BUCKET);

  // Next cycle: a new file and a late one.
  s.clock.advance(5 * MIN);
  written.push(s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, count: 10 }));
  written.push(s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, count: 10, late: true }));
  s.aws.sim.resetCounters();
  await s.app.scheduler.runDue();
  assert.equal(s.aws.sim.callCount({ service: 's3', api: 'GetObject' }), 2, 'only the two new files are downloaded');

  // A restart: a new app on the same database carries on from the stored cursors.
  const restarted = await buildApp({ config: loadConfig({ SKYPORT_REPLICA_ID: 'replica-b' }), database: s.database, clock: s.clock, aws: { ...s.aws.settings, regions: ['us-east-1'] } });
  t.after(() => restarted.close());
  // Past the next slot by more than the scheduler's replica affinity (another replica ran it last).
  s.clock.advance(6 * MIN);
  written.push(s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, count: 10 }));
  s.aws.sim.resetCounters();
  await restarted.scheduler.runDue();
  assert.equal(s.aws.sim.callCount({ service: 's3', api: 'GetObject' }), 1);
  assert.equal((await s.get(id)).lastProcessorId, 'replica-b');

  // Forced re-read: the cursors are lost, everything within the lookback is downloaded again; nothing is stored twice.
  await s.pool.query('DELETE FROM collector_cursors WHERE integration_id = $1', [id]);
  s.clock.advance(5 * MIN);
  s.aws.sim.resetCounters();
  await restarted.scheduler.runDue();
  assert.equal(s.aws.sim.callCount({ service: 's3', api: 'GetObject' }), written.length, 'every file was read again');

  expected = kept(written);
  events = (await allEvents(s, '', 50)).filter((e) => e.name.startsWith('AWS Action: '));
  assert.equal(events.length, expected.length, 'one event per CloudTrail record');
  assert.equal(new Set(events.map((e) => e.annotations.eventID)).size, events.length);
  const rows = await s.pool.query(`SELECT count(*)::int AS n, count(DISTINCT dedupe_key)::int AS d FROM events WHERE integration_id = $1`, [id]);
  assert.deepEqual(rows.rows[0], { n: expected.length, d: expected.length });
  // Newest first.
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1].startTime >= events[i].startTime);
});

test('an AccessDenied on the bucket disables the integration with a credentials event, readable at /api/v2/event', async (t) => {
  const s = await schedulerSetup(t);
  s.aws.sim.createAccount({ id: '121212121212' });
  s.aws.sim.createBucket({ name: BUCKET, accountId: '121212121212', region: 'us-east-1' });
  // The create-time check would refuse this bucket (the role may not list it): as when access is taken away
  // after the create, the collection meets the AccessDenied.
  const { id } = await createTrailIntegration(s, {}, { forceSave: true });
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.disabled, true);
  assert.match(got.lastError, /AccessDenied/);
  assert.equal(got.lastErrorEvent.runningState, 'ONGOING');
  assert.equal(got.lastErrorEvent.annotations.service, 'CLOUDTRAIL');
  const events = await allEvents(s);
  assert.equal(events.length, 1);
  assert.equal(events[0].name, 'Credentials Error: trail of 222233334444');
  assert.equal(events[0].id, got.lastErrorEvent.id);
  assert.equal(events[0].runningState, 'ONGOING');
  assert.equal(events[0].endTime, undefined);

  // Granting read access and enabling again: collected, and the credentials event ends.
  s.aws.sim.createBucket({ name: BUCKET, accountId: '121212121212', region: 'us-east-1', readers: [ACCOUNT] });
  s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, count: 4, eventNames: ['RunInstances'] });
  assert.equal((await s.api('POST', `/api/v2/cloudintegration/${id}/enable`, {})).status, 200);
  await s.app.scheduler.runDue();
  const after = await s.get(id);
  assert.equal(after.disabled, false);
  assert.equal(after.lastErrorEvent.runningState, 'ENDED');
  const ended = (await s.api('GET', `/api/v2/event/${got.lastErrorEvent.id}`)).body.response;
  assert.equal(ended.runningState, 'ENDED');
  assert.equal(ended.endTime, s.clock.now());
  assert.equal((await allEvents(s)).filter((e) => e.name === 'AWS Action: RunInstances').length, 4);
});

test('a transient S3 failure does not disable: lastError is set and the next run catches up', async (t) => {
  const s = await schedulerSetup(t);
  s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, count: 5, eventNames: ['RunInstances'], deliveryTime: s.clock.now() - 3 * MIN });
  const { id } = await createTrailIntegration(s);
  s.aws.sim.addFault({ kind: 'server-error', service: 's3', api: 'ListObjectsV2' });
  await s.app.scheduler.runDue();
  const failed = await s.get(id);
  assert.equal(failed.disabled, false);
  assert.match(failed.lastError, /InternalError|500|ServerError/i);
  s.aws.sim.clearFaults();
  const row = await s.row(id);
  s.clock.set(new Date(row.next_run_at).getTime());
  await s.app.scheduler.runDue();
  assert.equal((await allEvents(s)).length, 5);
});
