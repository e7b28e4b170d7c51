// GET /api/v2/event (Wavefront's EventApi.get_all_events_with_time_range) and GET /api/v2/event/{id}: the paged
// envelope, newest first, keyset paging with an opaque cursor, time range, customer scoping, validation, retention.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { insertEvents, type EventInsert } from '../../src/db/queries/events.ts';
import { createMaintenance } from '../../src/services/api/maintenance.ts';
import { client, manualClock } from '../helpers/app.ts';
import { assertError, buildApiTestApp, cloudTrailBody, createIntegration, issueExternalId, ok, tenant } from './fixtures.ts';

const T = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

function event(customerId: string, startMs: number, extra: Partial<EventInsert> = {}): EventInsert {
  return {
    id: randomUUID(),
    customerId,
    integrationId: null,
    name: `AWS Action: RunInstances`,
    startMs,
    endMs: startMs + 1,
    runningState: 'ENDED',
    annotations: { eventName: 'RunInstances', eventSource: 'ec2.amazonaws.com' },
    tags: ['aws.cloudtrail.ec2'],
    hosts: ['123456789012'],
    dedupeKey: randomUUID(),
    createdMs: T,
    updatedMs: T,
    ...extra,
  };
}

async function setup(t: Parameters<typeof buildApiTestApp>[0], env: Record<string, string> = {}) {
  const clock = manualClock(T);
  const testApp = await buildApiTestApp(t, { clock, env });
  const db = testApp.database.db;
  const a = await tenant(testApp.app, 'alpha');
  const b = await tenant(testApp.app, 'beta');
  return { clock, testApp, db, a, b };
}

/** Follows cursors to the end; returns every page. */
async function pages(call: ReturnType<typeof client>, query: string) {
  const out: any[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = ok(await call('GET', `/api/v2/event?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    out.push(page);
    if (!page.moreItems) return out;
    assert.equal(typeof page.cursor, 'string', 'a page with more items carries a cursor');
    cursor = page.cursor;
    assert.ok(out.length < 100, 'paging ends');
  }
}

test('events come newest first (start time, then id), paged by cursor without gaps or repeats, within the customer', async (t) => {
  const { db, a, b } = await setup(t);
  // 11 events for alpha (three share a start time), 4 for beta.
  const mine = [0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8].map((i) => event('alpha', T - i * MIN));
  await insertEvents(db, mine);
  await insertEvents(db, [0, 1, 2, 3].map((i) => event('beta', T - i * MIN)));
  const expected = [...mine].sort((x, y) => y.startMs - x.startMs || (x.id < y.id ? 1 : -1)).map((e) => e.id);

  const all = await pages(a.read, 'limit=4');
  assert.deepEqual(all.map((p) => p.items.length), [4, 4, 3]);
  assert.deepEqual(all.flatMap((p) => p.items.map((e: any) => e.id)), expected, 'newest first, ties by id, nothing repeated or skipped');
  assert.deepEqual(all.map((p) => p.offset), [0, 4, 8]);
  assert.deepEqual(all.map((p) => p.moreItems), [true, true, false]);
  for (const p of all) {
    assert.equal(p.limit, 4);
    assert.equal(p.totalItems, 11);
  }
  assert.equal(all[2].cursor, undefined, 'the last page has no cursor');

  const theirs = await pages(b.read, 'limit=100');
  assert.equal(theirs.length, 1);
  assert.equal(theirs[0].items.length, 4);
  assert.ok(theirs[0].items.every((e: any) => e.table === 'beta'));

  // The default page size is 100.
  const one = ok(await a.read('GET', '/api/v2/event'));
  assert.equal(one.limit, 100);
  assert.equal(one.items.length, 11);
  assert.equal(one.moreItems, false);
});

test('paging is stable while events arrive: newer events do not shift the next page', async (t) => {
  const { db, a } = await setup(t);
  await insertEvents(db, Array.from({ length: 6 }, (_, i) => event('alpha', T - i * MIN)));
  const first = ok(await a.read('GET', '/api/v2/event?limit=3'));
  await insertEvents(db, [event('alpha', T + MIN), event('alpha', T + 2 * MIN)]);
  const second = ok(await a.read('GET', `/api/v2/event?limit=3&cursor=${first.cursor}`));
  assert.deepEqual(
    [...first.items, ...second.items].map((e: any) => e.startTime),
    [0, 1, 2, 3, 4, 5].map((i) => T - i * MIN),
  );
});

test('the time range bounds start times, both ends inclusive, either end optional', async (t) => {
  const { db, a } = await setup(t);
  await insertEvents(db, Array.from({ length: 10 }, (_, i) => event('alpha', T - i * MIN)));
  const starts = async (q: string) => (await pages(a.read, `limit=3&${q}`)).flatMap((p) => p.items.map((e: any) => (T - e.startTime) / MIN));
  assert.deepEqual(await starts(`earliestStartTimeEpochMillis=${T - 4 * MIN}&latestStartTimeEpochMillis=${T - 2 * MIN}`), [2, 3, 4]);
  assert.deepEqual(await starts(`earliestStartTimeEpochMillis=${T - 2 * MIN}`), [0, 1, 2]);
  assert.deepEqual(await starts(`latestStartTimeEpochMillis=${T - 7 * MIN}`), [7, 8, 9]);
  assert.deepEqual(await starts(`earliestStartTimeEpochMillis=${T - 5 * MIN}&latestStartTimeEpochMillis=${T - 5 * MIN}`), [5]);
  assert.deepEqual(await starts(`earliestStartTimeEpochMillis=${T + MIN}`), []);
  const ranged = ok(await a.read('GET', `/api/v2/event?limit=2&earliestStartTimeEpochMillis=${T - 4 * MIN}`));
  assert.equal(ranged.totalItems, 5, 'totalItems counts the range');
});

test('bad input is a 400 naming the problem: cursor, limit, range', async (t) => {
  const { db, a, b } = await setup(t);
  await insertEvents(db, Array.from({ length: 3 }, (_, i) => event('alpha', T - i * MIN)));
  const good = ok(await a.read('GET', '/api/v2/event?limit=1')).cursor as string;
  const tampered = Buffer.from(Buffer.from(good, 'base64url').toString().replace(/^\d+/, 'x'), 'utf8').toString('base64url');
  for (const cursor of ['garbage!', 'bm90IGEgY3Vyc29y', tampered, 'x'.repeat(600)]) {
    assertError(await a.read('GET', `/api/v2/event?cursor=${encodeURIComponent(cursor)}`), 400, 'cursor');
  }
  for (const limit of ['0', '1001', 'abc', '-5', '2.5']) {
    assertError(await a.read('GET', `/api/v2/event?limit=${limit}`), 400, 'limit');
  }
  assertError(await a.read('GET', `/api/v2/event?earliestStartTimeEpochMillis=${T}&latestStartTimeEpochMillis=${T - 1}`), 400, 'latestStartTimeEpochMillis');
  assertError(await a.read('GET', '/api/v2/event?earliestStartTimeEpochMillis=yesterday'), 400, 'earliestStartTimeEpochMillis');
  // Another customer's cursor is just a position: it reveals nothing of alpha's events.
  const page = ok(await b.read('GET', `/api/v2/event?cursor=${good}`));
  assert.deepEqual(page.items, []);
  // No token: 401.
  const anonymous = await a.read('GET', '/api/v2/event', undefined, { authorization: '' });
  assert.equal(anonymous.status, 401);
});

test('GET /api/v2/event/{id}: the Wavefront Event shape; 404 for unknown, another customer\'s, or a non-UUID id', async (t) => {
  const { db, a, b } = await setup(t);
  const ongoing = event('alpha', T - MIN, {
    name: 'Credentials Error: prod',
    endMs: null,
    runningState: 'ONGOING',
    annotations: { severity: 'warn', type: 'credentials-error', errorMessage: 'AccessDenied: nope', credentialsId: randomUUID(), service: 'CLOUDWATCH' },
    tags: [],
    hosts: [],
    dedupeKey: null,
  });
  const action = event('alpha', T - 2 * MIN, { annotations: {} });
  await insertEvents(db, [ongoing, action]);

  const got = ok(await a.read('GET', `/api/v2/event/${ongoing.id}`));
  assert.deepEqual(got, {
    id: ongoing.id,
    name: 'Credentials Error: prod',
    startTime: T - MIN,
    runningState: 'ONGOING',
    annotations: ongoing.annotations,
    tags: [],
    hosts: [],
    creatorType: ['SYSTEM'],
    isUserEvent: false,
    table: 'alpha',
    createdEpochMillis: T,
    updatedEpochMillis: T,
  });
  const ended = ok(await a.read('GET', `/api/v2/event/${action.id}`));
  assert.equal(ended.endTime, T - 2 * MIN + 1);
  assert.deepEqual(ended.annotations, {}, 'annotations are always present (the Python client requires them)');
  for (const field of ['name', 'startTime', 'annotations']) assert.ok(field in ended);

  assertError(await b.read('GET', `/api/v2/event/${ongoing.id}`), 404);
  assertError(await a.read('GET', `/api/v2/event/${randomUUID()}`), 404);
  assertError(await a.read('GET', '/api/v2/event/not-a-uuid'), 404);
  assertError(await a.read('GET', `/api/v2/event/${ongoing.id.toUpperCase()}`), 404);
});

test('retention: maintenance deletes events older than SKYPORT_EVENTS_RETENTION, except ongoing ones, for every customer', async (t) => {
  const { clock, testApp, db, a, b } = await setup(t, { SKYPORT_EVENTS_RETENTION: '2d' });
  const old = event('alpha', T - 3 * DAY);
  const oldOngoing = event('alpha', T - 3 * DAY, { endMs: null, runningState: 'ONGOING', dedupeKey: null });
  const recent = event('alpha', T - DAY);
  const theirsOld = event('beta', T - 3 * DAY);
  await insertEvents(db, [old, oldOngoing, recent, theirsOld]);
  // CloudTrail day cursors not written for a week go too; other cursors stay.
  const integration = await createIntegration(a.call, cloudTrailBody(await issueExternalId(a.call)));
  await testApp.database.pool.query(
    `INSERT INTO collector_cursors (integration_id, scope, position, updated_ms) VALUES
       ($1, 'cloudtrail:us-east-1:2026/11/10', '{}', $2), ($1, 'cloudtrail:us-east-1:2026/11/21', '{}', $3),
       ($1, 'cloudtrail-counts:us-east-1', '{}', $3), ($1, 'cloudwatch:us-east-1:AWS/EC2', '1', $2)`,
    [integration.id, T - 8 * DAY, T - 10 * MIN],
  );
  const run = createMaintenance({ services: testApp.app.services, apigateway: testApp.app.apigateway, clock, trashRetentionMs: testApp.config.trashRetentionMs });
  const result = await run();
  assert.equal(result.purgedEvents.events, 2);
  assert.equal(result.purgedEvents.cursors, 1);
  const scopes = await testApp.database.pool.query('SELECT scope FROM collector_cursors ORDER BY scope');
  assert.deepEqual(scopes.rows.map((r) => r.scope), ['cloudtrail-counts:us-east-1', 'cloudtrail:us-east-1:2026/11/21', 'cloudwatch:us-east-1:AWS/EC2']);
  const ids = (await pages(a.read, 'limit=10')).flatMap((p) => p.items.map((e: any) => e.id));
  assert.deepEqual(ids.sort(), [oldOngoing.id, recent.id].sort());
  assert.deepEqual(ok(await b.read('GET', '/api/v2/event')).items, []);
  clock.advance(DAY);
  assert.equal((await run()).purgedEvents.events, 0, 'exactly at the retention it stays');
  clock.advance(1);
  assert.equal((await run()).purgedEvents.events, 1, 'the recent one goes once it is past the retention');
});
