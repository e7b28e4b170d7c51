import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { assertError, ok, tenant } from '../fixtures.ts';
import { ACCOUNT, AKTO_FORMAT, assertNear, CLF_FORMAT, DAY, logArn, MINUTE, PET_ENDPOINTS, RECOMMENDED_FORMAT, REGION, rowOf, trafficSetup } from './trafficSetup.ts';

type Row = Record<string, any>;

describe('API Gateway traffic from access logs', () => {
  test("Akto's, the recommended and CLF lines over two streams are counted exactly, grouped, charted and turned into OpenAPI", async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = s.sim.apigateway.createRestApi({
      accountId: ACCOUNT,
      region: REGION,
      name: 'shop',
      resources: [{ path: '/pets', methods: ['GET', 'POST'] }, { path: '/pets/{petId}', methods: ['GET'] }],
      stages: [
        { name: 'prod', accessLogSettings: { destinationArn: logArn('shop-prod'), format: RECOMMENDED_FORMAT } },
        { name: 'beta', accessLogSettings: { destinationArn: logArn('shop-beta'), format: AKTO_FORMAT } },
        { name: 'clf', accessLogSettings: { destinationArn: logArn('shop-clf'), format: CLF_FORMAT } },
      ],
    });
    const window = { startTime: now - 30 * MINUTE, endTime: now - 3 * MINUTE };
    const write = (logGroupName: string, stage: string, format: 'recommended' | 'akto' | 'clf', seed: number) =>
      s.sim.logs.writeAccessLogs({ accountId: ACCOUNT, region: REGION, logGroupName, apiId: shop.id, stage, endpoints: PET_ENDPOINTS, format, ...window, count: 3000, streams: 2, seed, apiKeyIds: ['key-gold', 'key-free'] });
    const prod = write('shop-prod', 'prod', 'recommended', 1);
    const beta = write('shop-beta', 'beta', 'akto', 2);
    const clf = write('shop-clf', 'clf', 'clf', 3);
    // Lines no reader can parse are counted and skipped, never fatal.
    s.sim.logs.putEvents({ accountId: ACCOUNT, region: REGION, logGroupName: 'shop-prod', logStreamName: 'garbage', events: [{ timestamp: now - 10 * MINUTE, message: 'not an access log line' }] });

    const conn = await s.create();
    const run = await s.sync(conn.id);
    assert.equal(run.status, 'OK', JSON.stringify(run));
    assert.ok(run.awsCalls['logs:FilterLogEvents'] >= 3, JSON.stringify(run.awsCalls));

    const shopApi = await s.apiNamed('shop');
    const q = (stage: string, groupBy: string) => `stage=${stage}&startTime=${now - 31 * MINUTE}&endTime=${now}&groupBy=${groupBy}`;
    for (const [stage, written, hasLatency] of [['prod', prod, true], ['beta', beta, false], ['clf', clf, false]] as const) {
      const res = await s.traffic(shopApi.id, q(stage, 'endpoint'));
      const exact = written.totals;
      assert.deepEqual(
        { requests: res.totals.requests, status2xx: res.totals.status2xx, status4xx: res.totals.status4xx, status5xx: res.totals.status5xx, bytes: res.totals.bytes },
        { requests: exact.requests, status2xx: exact.status2xx, status4xx: exact.status4xx, status5xx: exact.status5xx, bytes: exact.bytes },
        `${stage} totals`,
      );
      for (const [endpoint, c] of Object.entries(exact.byEndpoint)) {
        const row = rowOf(res.rows, 'endpoint', endpoint);
        assert.deepEqual([row?.requests, row?.bytes, row?.status5xx], [c.requests, c.bytes, c.status5xx], `${stage} ${endpoint}`);
      }
      if (hasLatency) {
        assertNear(res.totals.latencyP99Ms, exact.latencyP99Ms, `${stage} p99`);
        assertNear(res.totals.latencyP90Ms, exact.latencyP90Ms, `${stage} p90`);
        assertNear(res.totals.latencyP50Ms, exact.latencyP50Ms, `${stage} p50`);
      } else {
        assert.equal(res.totals.latencyP99Ms, null, `${stage}: the format has no latency`);
      }
    }

    const byStatus = await s.traffic(shopApi.id, q('prod', 'status'));
    assert.deepEqual(Object.fromEntries(byStatus.rows.map((r: Row) => [String(r.status), r.requests])), prod.totals.byStatus);
    const byKey = await s.traffic(shopApi.id, q('prod', 'apiKey'));
    assert.deepEqual(Object.fromEntries(byKey.rows.map((r: Row) => [r.apiKeyId, r.requests])), prod.totals.byApiKey);
    const akto = await s.traffic(shopApi.id, q('beta', 'apiKey'));
    assert.deepEqual(akto.rows.map((r: Row) => [r.apiKeyId, r.requests]), [[null, beta.totals.requests]], "Akto's format has no API key");

    // The same minutes as points.
    const raw = async (metric: string) => {
      const res = await s.api('GET', `/api/v2/chart/raw?metric=${metric}&startTime=${now - 31 * MINUTE}&endTime=${now}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Array<{ tags: Record<string, string>; points: Array<{ timestamp: number; value: number }> }>;
    };
    const sum = (series: Awaited<ReturnType<typeof raw>>, stage: string) =>
      series.filter((x) => x.tags.stage === stage).reduce((n, x) => n + x.points.reduce((m, p) => m + p.value, 0), 0);
    const requests = await raw('aws.apigateway.access.requests');
    assert.equal(sum(requests, 'prod'), prod.totals.requests);
    assert.equal(sum(requests, 'clf'), clf.totals.requests);
    assert.equal(sum(await raw('aws.apigateway.access.status5xx'), 'beta'), beta.totals.status5xx);
    assert.equal(sum(await raw('aws.apigateway.access.bytes'), 'prod'), prod.totals.bytes);
    const one = requests.find((x) => x.tags.stage === 'prod' && x.tags.path === '/pets/{petId}')!;
    assert.deepEqual(
      { ...one.tags },
      { source: 'shop', accountId: ACCOUNT, Region: REGION, apiId: shop.id, apiName: 'shop', stage: 'prod', method: 'GET', path: '/pets/{petId}', connectionId: conn.id },
    );
    assert.ok(one.points.every((p) => p.timestamp % MINUTE === 0), 'one point per minute');
    const p99 = await raw('aws.apigateway.access.latency.p99');
    assert.ok(p99.some((x) => x.tags.stage === 'prod') && !p99.some((x) => x.tags.stage === 'beta'), 'latency points only where the format has latency');

    // A quiet second sync re-reads the overlap and counts nothing twice.
    s.shift.ms += MINUTE;
    const again = await s.sync(conn.id);
    assert.equal(again.status, 'OK');
    assert.equal((await s.traffic(shopApi.id, q('prod', 'endpoint'))).totals.requests, prod.totals.requests);
    assert.equal(sum(await raw('aws.apigateway.access.requests'), 'prod'), prod.totals.requests);

    // The unparseable line is counted where the log group's reading is kept.
    const cursor = await s.database.pool.query('SELECT lines, unparseable, unattributed FROM apigateway_traffic_cursors WHERE log_group = $1', ['shop-prod']);
    assert.deepEqual(cursor.rows.map((r) => [Number(r.lines), Number(r.unparseable), Number(r.unattributed)]), [[prod.totals.requests + 1, 1, 0]]);

    // The observed OpenAPI document validates as OpenAPI 3 and lists what traffic showed.
    const doc = await s.api('GET', `/api/v2/apigatewayapi/${shopApi.id}/openapi?stage=prod&source=observed`);
    assert.equal(doc.status, 200);
    assert.match(doc.headers.etag as string, /^"[0-9a-f]{64}"$/);
    const validation = await new Validator().validate(structuredClone(doc.body));
    assert.ok(validation.valid, JSON.stringify(validation.errors));
    assert.deepEqual(Object.keys(doc.body.paths).sort(), ['/pets', '/pets/{petId}']);
    assert.deepEqual(Object.keys(doc.body.paths['/pets/{petId}'].get.responses).sort(), Object.keys(prod.totals.byStatus).sort());
    assert.equal(doc.body.paths['/pets'].post, undefined, 'POST /pets had no traffic');
    assert.equal((await s.api('GET', `/api/v2/apigatewayapi/${shopApi.id}/openapi?stage=nope&source=observed`)).status, 404);
  });

  test('readiness per stage with one event; an ambiguous log group is reported, not guessed; undefined paths are SHADOW', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const noStatus = JSON.stringify({ requestId: '$context.requestId', httpMethod: '$context.httpMethod', resourcePath: '$context.resourcePath' });
    const a = s.sim.apigateway.createRestApi({
      accountId: ACCOUNT,
      region: REGION,
      name: 'orders',
      resources: [{ path: '/orders', methods: ['GET'] }],
      stages: [
        { name: 'prod', accessLogSettings: { destinationArn: logArn('shared'), format: AKTO_FORMAT } },
        { name: 'beta', accessLogSettings: { destinationArn: logArn('shared'), format: AKTO_FORMAT } },
        { name: 'dev', accessLogSettings: { destinationArn: logArn('dev'), format: noStatus } },
        'off',
      ],
    });
    const b = s.sim.apigateway.createRestApi({
      accountId: ACCOUNT,
      region: REGION,
      name: 'admin',
      resources: [{ path: '/users', methods: ['GET'] }],
      stages: [{ name: 'prod', accessLogSettings: { destinationArn: logArn('admin'), format: RECOMMENDED_FORMAT } }],
    });
    const window = { startTime: now - 20 * MINUTE, endTime: now - 3 * MINUTE, count: 200 };
    s.sim.logs.writeAccessLogs({ accountId: ACCOUNT, region: REGION, logGroupName: 'shared', apiId: a.id, stage: 'prod', endpoints: [{ method: 'GET', path: '/orders' }], format: 'akto', ...window });
    const shadow = s.sim.logs.writeAccessLogs({
      accountId: ACCOUNT,
      region: REGION,
      logGroupName: 'admin',
      apiId: b.id,
      stage: 'prod',
      endpoints: [{ method: 'GET', path: '/users' }, { method: 'DELETE', path: '/internal/cache' }],
      format: 'recommended',
      ...window,
    });

    const conn = await s.create();
    assert.equal((await s.sync(conn.id)).status, 'OK', 'stages that are not ready fail nothing');
    await s.sync(conn.id);

    const orders = ok(await s.api('GET', `/api/v2/apigatewayapi/${(await s.apiNamed('orders')).id}`));
    const access = Object.fromEntries(orders.stages.map((st: Row) => [st.name, st.accessLog]));
    assert.deepEqual(access.prod, { destinationArn: logArn('shared'), format: AKTO_FORMAT, ready: true, missingFields: [] });
    assert.deepEqual(access.dev, { destinationArn: logArn('dev'), format: noStatus, ready: false, missingFields: ['status'] });
    assert.deepEqual(access.off, { destinationArn: null, format: null, ready: false, missingFields: ['destinationArn'] });

    const events = await s.events();
    const notReady = events.filter((e) => e.annotations.kind === 'ACCESS_LOG_NOT_READY');
    assert.deepEqual(notReady.map((e) => `${e.annotations.stage} ${e.annotations.missingFields}`).sort(), ['dev status', 'off destinationArn'], 'one event per stage over two syncs');
    assert.match(notReady[0].annotations.details, /"responseLatency":"\$context.responseLatency"/, 'the event shows the recommended format');

    const ambiguous = events.filter((e) => e.annotations.kind === 'LOG_GROUP_AMBIGUOUS');
    assert.equal(ambiguous.length, 1);
    assert.equal(ambiguous[0].annotations.logGroup, 'shared');
    assert.match(ambiguous[0].annotations.details, /orders\/beta/);
    const ordersTraffic = await s.traffic(orders.id, `startTime=${now - 30 * MINUTE}&endTime=${now}`);
    assert.equal(ordersTraffic.totals.requests, 0, 'lines of an ambiguous group are not guessed onto a stage');

    const adminApi = await s.apiNamed('admin');
    const endpoints = ok(await s.api('GET', `/api/v2/apigatewayapi/${adminApi.id}/endpoint`)).items;
    assert.deepEqual(
      endpoints.map((e: Row) => `${e.method} ${e.path} ${e.classification}`).sort(),
      ['DELETE /internal/cache SHADOW', 'GET /users DOCUMENTED'],
    );
    assert.ok(endpoints.every((e: Row) => e.lastTrafficMs > 0));
    const adminTraffic = await s.traffic(adminApi.id, `stage=prod&startTime=${now - 30 * MINUTE}&endTime=${now}`);
    assert.equal(rowOf(adminTraffic.rows, 'endpoint', 'DELETE /internal/cache')?.requests, shadow.totals.byEndpoint['DELETE /internal/cache'].requests);
  });

  test('traffic is customer-scoped, readable with a read-only token, and its window is checked', async (t) => {
    const s = await trafficSetup(t);
    s.sim.apigateway.createRestApi({ accountId: ACCOUNT, region: REGION, name: 'shop', resources: [{ path: '/pets', methods: ['GET'] }], stages: ['prod'] });
    const conn = await s.create();
    await s.sync(conn.id);
    const id = (await s.apiNamed('shop')).id;
    const other = await tenant(s.app);
    assertError(await other.call('GET', `/api/v2/apigatewayapi/${id}/traffic`), 404);
    assertError(await other.call('GET', `/api/v2/apigatewayapi/${id}/openapi?stage=prod&source=observed`), 404);
    const reader = await s.api('GET', `/api/v2/apigatewayapi/${id}/traffic`, undefined, { authorization: `Bearer ${s.reader}` });
    assert.equal(reader.status, 200);
    assert.deepEqual(reader.body.response.rows, []);
    assert.equal(reader.body.response.totals.latencyP50Ms, null);
    assertError(await s.api('GET', `/api/v2/apigatewayapi/${id}/traffic?startTime=2000&endTime=1000`), 400, 'before');
    assertError(await s.api('GET', `/api/v2/apigatewayapi/${id}/traffic?startTime=0&endTime=${40 * DAY}`), 400, 'days');
    assertError(await s.api('GET', `/api/v2/apigatewayapi/${id}/traffic?groupBy=region`), 400);
  });
});
