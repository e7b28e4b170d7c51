// SPEC §3 row 15: GET /api/v2/chart/raw, Wavefront's QueryApi.query_raw: a bare list of RawTimeseries.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { writePoints } from '../../src/db/queries/points.ts';
import type { CollectedPoint } from '../../src/services/collection/collectors/types.ts';
import { createMaintenance } from '../../src/services/api/maintenance.ts';
import { buildTestApp, client, manualClock } from '../helpers/app.ts';
import { assertError, raw, startApiAws, suiteApp, tenant } from './fixtures.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CPU = 'aws.ec2.cpuutilization.average';
const url = (params: Record<string, string | number>) => `/api/v2/chart/raw?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

const pt = (source: string, ts: number, value: number, tags: Record<string, string> = { Region: 'us-east-1', accountId: '123456789012' }, metric = CPU): CollectedPoint => ({
  metric,
  source,
  tags,
  ts,
  value,
});

/** Asserts a 200 with a bare JSON list (no envelope) and returns it. */
function list(res: { status: number; body: any }, what = '') {
  assert.equal(res.status, 200, `${what} expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.ok(Array.isArray(res.body), `${what} the answer is a bare list, not an envelope: ${JSON.stringify(res.body)}`);
  return res.body as Array<{ tags: Record<string, string>; points: Array<{ timestamp: number; value: number }> }>;
}

describe('GET /api/v2/chart/raw', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });
  const NOW = clock.now();

  /** A tenant with points already stored for it. */
  async function tenantWith(points: CollectedPoint[]) {
    const t = await tenant(ctx().app);
    if (points.length > 0) await writePoints(ctx().database.db, t.customerId, randomUUID(), points);
    return t;
  }

  test('answers a bare list shaped as the Python client\'s RawTimeseries and Point models', async () => {
    const t = await tenantWith([pt('i-1', NOW - 2 * MIN, 12.5), pt('i-1', NOW - MIN, 13), pt('i-2', NOW - MIN, 0)]);
    const res = await raw(ctx().app, t.readerToken, 'GET', url({ metric: CPU }));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = list(res);
    assert.equal(body.length, 2);
    for (const series of body) {
      // RawTimeseries: exactly tags (str → str) and points (required); Point: exactly value and timestamp (both required).
      assert.deepEqual(Object.keys(series).sort(), ['points', 'tags']);
      for (const v of Object.values(series.tags)) assert.equal(typeof v, 'string');
      assert.ok(series.points.length > 0);
      for (const p of series.points) {
        assert.deepEqual(Object.keys(p).sort(), ['timestamp', 'value']);
        assert.ok(Number.isInteger(p.timestamp));
        assert.equal(typeof p.value, 'number');
      }
    }
    assert.deepEqual(body, [
      { tags: { Region: 'us-east-1', accountId: '123456789012', source: 'i-1' }, points: [{ timestamp: NOW - 2 * MIN, value: 12.5 }, { timestamp: NOW - MIN, value: 13 }] },
      { tags: { Region: 'us-east-1', accountId: '123456789012', source: 'i-2' }, points: [{ timestamp: NOW - MIN, value: 0 }] },
    ]);
    // The raw text has no envelope keys at all.
    assert.doesNotMatch(res.text, /"status"|"response"/);
  });

  test('an unknown metric is an empty list, not an error', async () => {
    const t = await tenantWith([pt('i-1', NOW - MIN, 1)]);
    assert.deepEqual(list(await t.read('GET', url({ metric: 'aws.ec2.nothing.average' }))), []);
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU.slice(0, -1) }))), [], 'the name is matched exactly, not as a prefix');
  });

  test('a re-written point reads back once, with the new value', async () => {
    const t = await tenantWith([pt('i-1', NOW - MIN, 1)]);
    await writePoints(ctx().database.db, t.customerId, randomUUID(), [pt('i-1', NOW - MIN, 2, { accountId: '123456789012', Region: 'us-east-1' })]);
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU })))[0].points, [{ timestamp: NOW - MIN, value: 2 }]);
  });

  test('source and host are the same filter; giving both with different values is a 400', async () => {
    const t = await tenantWith([pt('i-1', NOW - MIN, 1), pt('i-2', NOW - MIN, 2), pt('i-10', NOW - MIN, 3)]);
    const bySource = list(await t.read('GET', url({ metric: CPU, source: 'i-1' })));
    assert.deepEqual(bySource.map((s) => s.tags.source), ['i-1']);
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU, host: 'i-1' }))), bySource);
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU, source: 'i-1', host: 'i-1' }))), bySource);
    assertError(await t.read('GET', url({ metric: CPU, source: 'i-1', host: 'i-2' })), 400, 'source', 'host');
    // An empty source means no filter (curl users leave it blank); no source lists every series.
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU, source: '' }))).map((s) => s.tags.source), ['i-1', 'i-10', 'i-2']);
  });

  test("scoped to the caller's customer: another customer's token sees none of its series", async () => {
    const owner = await tenantWith([pt('i-1', NOW - MIN, 1)]);
    const stranger = await tenant(ctx().app);
    assert.equal(list(await owner.read('GET', url({ metric: CPU }))).length, 1);
    assert.deepEqual(list(await stranger.read('GET', url({ metric: CPU }))), []);
    assert.deepEqual(list(await stranger.call('GET', url({ metric: CPU, source: 'i-1' }))), []);
    // Same metric and source written for both: each sees only its own value.
    await writePoints(ctx().database.db, stranger.customerId, randomUUID(), [pt('i-1', NOW - MIN, 99)]);
    assert.deepEqual(list(await stranger.read('GET', url({ metric: CPU })))[0].points, [{ timestamp: NOW - MIN, value: 99 }]);
    assert.deepEqual(list(await owner.read('GET', url({ metric: CPU })))[0].points, [{ timestamp: NOW - MIN, value: 1 }]);
  });

  test('the default window is the hour before now (inclusive); endTime alone moves it, startTime alone runs to now', async () => {
    const t = await tenantWith([
      pt('i-1', NOW - 2 * HOUR, 1),
      pt('i-1', NOW - HOUR - 1, 2),
      pt('i-1', NOW - HOUR, 3),
      pt('i-1', NOW - MIN, 4),
      pt('i-1', NOW, 5),
      pt('i-1', NOW + MIN, 6),
    ]);
    const values = async (params: Record<string, string | number>) =>
      list(await t.read('GET', url({ metric: CPU, ...params }))).flatMap((s) => s.points.map((p) => p.value));
    assert.deepEqual(await values({}), [3, 4, 5]);
    assert.deepEqual(await values({ endTime: NOW - HOUR }), [1, 2, 3], 'startTime defaults to an hour before endTime');
    assert.deepEqual(await values({ startTime: NOW - 2 * HOUR }), [1, 2, 3, 4, 5], 'endTime defaults to now');
    assert.deepEqual(await values({ startTime: NOW - 3 * HOUR, endTime: NOW + HOUR }), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(await values({ startTime: NOW, endTime: NOW }), [5], 'a zero-length window holds the point at that instant');
    // The window follows the clock.
    clock.advance(HOUR);
    try {
      assert.deepEqual(await values({}), [5, 6]);
    } finally {
      clock.set(NOW);
    }
  });

  test('validation: missing or empty metric, endTime before startTime, a window over 31 days, non-numeric times are 400 envelopes', async () => {
    const t = await tenantWith([]);
    assertError(await t.read('GET', '/api/v2/chart/raw'), 400, 'metric');
    assertError(await t.read('GET', '/api/v2/chart/raw?source=i-1'), 400, 'metric');
    assertError(await t.read('GET', url({ metric: '' })), 400, 'metric');
    assertError(await t.read('GET', url({ metric: CPU, startTime: NOW, endTime: NOW - 1 })), 400, 'endTime', 'startTime');
    // A startTime after now, with endTime left to default to now.
    assertError(await t.read('GET', url({ metric: CPU, startTime: NOW + MIN })), 400, 'endTime', 'startTime');
    assertError(await t.read('GET', url({ metric: CPU, startTime: NOW - 31 * DAY - 1, endTime: NOW })), 400, '31 days');
    assert.equal((await t.read('GET', url({ metric: CPU, startTime: NOW - 31 * DAY, endTime: NOW }))).status, 200, 'exactly 31 days is allowed');
    assertError(await t.read('GET', url({ metric: CPU, startTime: 'yesterday' })), 400, 'startTime');
    assertError(await t.read('GET', url({ metric: CPU, endTime: '1.5' })), 400, 'endTime');
    assertError(await t.read('GET', url({ metric: CPU, startTime: -5 })), 400, 'startTime');
    assertError(await t.read('GET', url({ metric: 'a\u0000b' })), 400, 'metric');
  });

  test('needs a valid token (401 envelope otherwise); any token of the customer may read; X-AUTH-TOKEN and a JSON content type work', async () => {
    const t = await tenantWith([pt('i-1', NOW - MIN, 1)]);
    const noToken = await ctx().app.inject({ method: 'GET', url: url({ metric: CPU }) });
    assertError({ status: noToken.statusCode, body: noToken.json() }, 401, 'token');
    assertError(await raw(ctx().app, 'not-a-token', 'GET', url({ metric: CPU })), 401, 'token');
    // No permission at all is enough to read.
    assert.equal(list(await t.read('GET', url({ metric: CPU }))).length, 1);
    const viaHeader = await ctx().app.inject({
      method: 'GET',
      url: url({ metric: CPU }),
      headers: { 'x-auth-token': t.readerToken, 'content-type': 'application/json' },
    });
    assert.equal(viaHeader.statusCode, 200);
    assert.equal((viaHeader.json() as unknown[]).length, 1);
  });

  test('a query matching more series than allowed is a 400 that says how to narrow it', async () => {
    const points: CollectedPoint[] = [];
    for (let i = 0; i < 1001; i++) points.push(pt(`i-${i}`, NOW - MIN, i));
    const t = await tenantWith(points);
    assertError(await t.read('GET', url({ metric: CPU })), 400, 'more than 1000 series', 'source');
    assert.deepEqual(list(await t.read('GET', url({ metric: CPU, host: 'i-1000' }))), [
      { tags: { Region: 'us-east-1', accountId: '123456789012', source: 'i-1000' }, points: [{ timestamp: NOW - MIN, value: 1000 }] },
    ]);
  });

  test('the OpenAPI document describes the operation: tag Query, a list of RawTimeseries of Point, the query parameters', async () => {
    const doc = ctx().app.swagger() as any;
    const op = doc.paths['/api/v2/chart/raw'].get;
    assert.equal(op.operationId, 'queryRaw');
    assert.deepEqual(op.tags, ['Query']);
    assert.ok(doc.tags.some((tag: { name: string; description?: string }) => tag.name === 'Query' && tag.description));
    const ok = op.responses['200'].content['application/json'].schema;
    assert.equal(ok.type, 'array');
    assert.equal(ok.items.$ref, '#/components/schemas/RawTimeseries');
    assert.ok(op.responses['400'] || op.responses['4XX'], 'errors are documented');
    const params = Object.fromEntries(op.parameters.map((p: { name: string; in: string; required?: boolean }) => [p.name, p]));
    assert.deepEqual(Object.keys(params).sort(), ['endTime', 'host', 'metric', 'source', 'startTime']);
    assert.equal(params.metric.required, true);
    assert.equal(params.startTime.schema.type, 'integer');
    const { RawTimeseries, Point } = doc.components.schemas;
    assert.deepEqual(Object.keys(RawTimeseries.properties).sort(), ['metric', 'points', 'tags']);
    assert.deepEqual([...RawTimeseries.required].sort(), ['points', 'tags'], 'metric is given only for a glob');
    assert.match(params.metric.description, /glob/);
    assert.equal(RawTimeseries.properties.points.items.$ref, '#/components/schemas/Point');
    assert.deepEqual([...Point.required].sort(), ['timestamp', 'value']);
    assert.ok(RawTimeseries.description && Point.description && Point.properties.timestamp.description);
  });
});

describe('points retention', () => {
  test('maintenance deletes points older than SKYPORT_POINTS_RETENTION and series left empty, keeps recent ones', async (t) => {
    const clock = manualClock();
    const now = clock.now();
    const testApp = await buildTestApp(t, { clock, aws: (await startApiAws(t)).settings, env: { SKYPORT_POINTS_RETENTION: '2h' } });
    assert.equal(testApp.config.pointsRetentionMs, 2 * HOUR);
    const read = client(testApp.app, testApp.reader);
    await writePoints(testApp.database.db, 'default', randomUUID(), [
      pt('old', now - 3 * HOUR, 1),
      pt('old', now - 2 * HOUR - 1, 2),
      pt('mixed', now - 5 * HOUR, 3),
      pt('mixed', now - HOUR, 4),
      pt('recent', now - MIN, 5),
    ]);
    const runMaintenance = createMaintenance({ services: testApp.app.services, apigateway: testApp.app.apigateway, clock, trashRetentionMs: testApp.config.trashRetentionMs });
    const result = await runMaintenance();
    assert.deepEqual(result.purgedPoints, { points: 3, series: 1 });

    const all = list(await read('GET', url({ metric: CPU, startTime: now - 6 * HOUR, endTime: now })));
    assert.deepEqual(
      all.map((s) => [s.tags.source, s.points.map((p) => p.value)]),
      [['mixed', [4]], ['recent', [5]]],
    );
    const series = await testApp.database.pool.query('SELECT source FROM series ORDER BY source');
    assert.deepEqual(series.rows.map((r) => r.source), ['mixed', 'recent']);

    // Time passes: the rest ages out too, series and all.
    clock.advance(3 * HOUR);
    assert.deepEqual(await testApp.app.services.points.purge(), { points: 2, series: 2 });
    assert.equal(Number((await testApp.database.pool.query('SELECT count(*) AS n FROM series')).rows[0].n), 0);
  });

  test('the default retention is 7 days', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    assert.equal(loadConfig({}).pointsRetentionMs, 7 * DAY);
    assert.equal(loadConfig({ SKYPORT_POINTS_RETENTION: '36h' }).pointsRetentionMs, 36 * HOUR);
    assert.throws(() => loadConfig({ SKYPORT_POINTS_RETENTION: 'forever' }), /SKYPORT_POINTS_RETENTION/);
  });
});
