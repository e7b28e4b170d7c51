import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { syncRunQueries } from '../../../src/db/queries/apiGatewaySyncRuns.ts';
import { uuidv7 } from '../../../src/lib/uuidv7.ts';
import { ok, tenant } from '../fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';

async function setup(t: Pick<TestContext, 'after'>, extra: Record<string, unknown> = {}) {
  const aws = await startTestAws(t);
  aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1', 'eu-west-1'] });
  const testApp = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  t.after(() => testApp.app.apigateway.sync.idle());
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const create = async () => ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, ...extra }, roleArn)));
  const sync = async (id: string) => {
    const res = await api('POST', `${BASE}/${id}/sync?wait=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.response;
  };
  const apis = async (query = '') => ok(await api('GET', `/api/v2/apigatewayapi?limit=1000${query}`));
  const byName = async (name: string) => (await apis()).items.find((a: { name: string }) => a.name === name);
  return { aws, sim: aws.sim, api, create, sync, apis, byName, roleArn, ...testApp };
}

describe('API Gateway inventory sync', () => {
  test('REST and HTTP APIs in two regions; a quiet second sync exports nothing; a redeploy and a deletion are changes and events', async (t) => {
    const { sim, api, app, create, sync, apis, byName } = await setup(t);
    const shop = sim.apigateway.createRestApi({
      accountId: ACCOUNT,
      region: 'us-east-1',
      name: 'shop',
      resources: [{ path: '/orders', methods: [{ httpMethod: 'GET', apiKeyRequired: true, operationName: 'listOrders' }] }, { path: '/{proxy+}', methods: ['ANY'] }],
      stages: ['prod', 'beta'],
    });
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'eu-west-1', name: 'billing', resources: [{ path: '/invoices', methods: ['GET', 'POST'] }], stages: ['prod'] });
    sim.apigateway.createHttpApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'items', routes: ['GET /items/{id}', '$default'], stages: ['$default'] });
    const conn = await create();

    const first = await sync(conn.id);
    assert.equal(first.status, 'OK', JSON.stringify(first));
    assert.equal(first.awsCalls['apigateway:GetExport'], 3, 'one export per stage');
    assert.equal(first.changes.API_ADDED, 3);

    const listed = await apis();
    assert.deepEqual(listed.items.map((a: { name: string; region: string; protocolType: string }) => `${a.name} ${a.region} ${a.protocolType}`).sort(), [
      'billing eu-west-1 REST',
      'items us-east-1 HTTP',
      'shop us-east-1 REST',
    ]);
    assert.equal((await apis('&region=eu-west-1')).totalItems, 1);
    assert.equal((await apis('&protocolType=HTTP')).items[0].name, 'items');

    const shopApi = await byName('shop');
    const one = ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}`));
    assert.deepEqual(one.stages.map((s: { name: string; specSource: string }) => `${s.name} ${s.specSource}`), ['beta EXPORT', 'prod EXPORT']);
    const endpoints = ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/endpoint?stage=prod`));
    assert.deepEqual(
      endpoints.items.map((e: { method: string; path: string; classification: string; apiKeyRequired: boolean; operationId?: string }) => [e.method, e.path, e.classification, e.apiKeyRequired, e.operationId ?? null]),
      [['GET', '/orders', 'DOCUMENTED', true, 'listOrders'], ['ANY', '/{proxy+}', 'PROXY', false, null]],
    );
    assert.equal(ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/endpoint?classification=PROXY`)).totalItems, 2);

    const doc = await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/openapi?stage=prod`);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.0.1', 'bare JSON, no envelope');
    assert.ok(doc.body.paths['/orders'].get);
    const etag = doc.headers.etag as string;
    assert.match(etag, /^"[0-9a-f]{64}"$/);
    assert.equal((await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/openapi?stage=prod`, undefined, { 'if-none-match': etag })).status, 304);
    assert.equal((await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/openapi?stage=nope`)).status, 404);

    const httpApi = await byName('items');
    const routes = ok(await api('GET', `/api/v2/apigatewayapi/${httpApi.id}/endpoint`));
    assert.deepEqual(routes.items.map((e: { method: string; path: string; classification: string }) => `${e.method} ${e.path} ${e.classification}`), [
      'ANY $default PROXY',
      'GET /items/{id} DOCUMENTED',
    ]);

    sim.resetCounters();
    const quiet = await sync(conn.id);
    assert.equal(quiet.status, 'OK');
    assert.equal(sim.callCount({ service: 'apigateway', api: 'GetExport' }), 0, 'no GetExport when no deployment changed');
    assert.equal(sim.callCount({ service: 'apigatewayv2', api: 'ExportApi' }), 0);
    assert.deepEqual(quiet.changes, {});

    sim.apigateway.addResource({ restApiId: shop.id, path: '/orders/{orderId}', methods: ['GET'] });
    sim.apigateway.deployRestApi({ restApiId: shop.id, stageName: 'prod' });
    sim.resetCounters();
    const redeployed = await sync(conn.id);
    assert.deepEqual(redeployed.changes, { ENDPOINT_ADDED: 1, DEPLOYED: 1 });
    assert.equal(sim.callCount({ service: 'apigateway', api: 'GetExport' }), 1, 'only the redeployed stage is exported');
    const changes = ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/change`));
    assert.deepEqual(changes.items.slice(0, 2).map((c: { kind: string; stage: string }) => `${c.kind} ${c.stage}`).sort(), ['DEPLOYED prod', 'ENDPOINT_ADDED prod']);
    assert.ok(changes.items.some((c: { detail: string }) => c.detail === 'GET /orders/{orderId} added'));
    const events = ok(await api('GET', '/api/v2/event?earliestStartTimeEpochMillis=0&latestStartTimeEpochMillis=9999999999999&limit=1000'));
    const added = events.items.filter((e: { annotations: Record<string, string> }) => e.annotations.type === 'apigateway-change' && e.annotations.kind === 'ENDPOINT_ADDED');
    assert.equal(added.length, 1);
    assert.deepEqual(
      { ...added[0].annotations, details: undefined },
      { type: 'apigateway-change', kind: 'ENDPOINT_ADDED', connectionId: conn.id, apiId: shopApi.id, stage: 'prod', details: undefined },
    );
    assert.deepEqual(added[0].creatorType, ['SYSTEM']);
    assert.equal(added[0].runningState, 'ENDED');

    sim.apigateway.deleteRestApi(shop.id);
    const afterDelete = await sync(conn.id);
    assert.deepEqual(afterDelete.changes, { API_REMOVED: 1 });
    const removed = ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}`));
    assert.equal(removed.status, 'REMOVED');
    assert.ok(removed.removedMs > 0);
    assert.ok(removed.stages.every((s: { status: string }) => s.status === 'REMOVED'));
    const history = ok(await api('GET', `/api/v2/apigatewayapi/${shopApi.id}/change`));
    assert.equal(history.items[0].kind, 'API_REMOVED');
    assert.ok(history.items.some((c: { kind: string }) => c.kind === 'ENDPOINT_ADDED'), 'history kept');
    assert.equal((await apis('&status=ACTIVE')).totalItems, 2);

    const connRead = ok(await api('GET', `${BASE}/${conn.id}`));
    assert.equal(connRead.apiCount, 2);
    assert.equal(connRead.endpointCount, 4, 'billing 2 + items 2');
    assert.ok(connRead.lastSyncMs > 0);
    assert.ok(connRead.lastSyncDurationMs >= 0);

    const runs = ok(await api('GET', `${BASE}/${conn.id}/sync`));
    assert.equal(runs.totalItems, 4);
    assert.equal(runs.items[0].id, afterDelete.id, 'newest first');
    assert.equal(ok(await api('GET', `${BASE}/${conn.id}/sync/${first.id}`)).id, first.id);

    // Another customer sees none of it: every inventory and sync route is a 404 or empty.
    const other = await tenant(app);
    assert.equal(ok(await other.read('GET', '/api/v2/apigatewayapi')).totalItems, 0);
    for (const url of [
      `/api/v2/apigatewayapi/${shopApi.id}`,
      `/api/v2/apigatewayapi/${shopApi.id}/endpoint`,
      `/api/v2/apigatewayapi/${httpApi.id}/openapi?stage=$default`,
      `/api/v2/apigatewayapi/${shopApi.id}/change`,
      `${BASE}/${conn.id}/sync`,
      `${BASE}/${conn.id}/sync/${first.id}`,
    ]) {
      assert.equal((await other.read('GET', url)).status, 404, url);
    }
    assert.equal((await other.call('POST', `${BASE}/${conn.id}/sync`)).status, 404);
  });

  test('a run left RUNNING by a replica that stopped mid-sync is ended as FAILED by the next sync', async (t) => {
    const s = await setup(t, { regions: ['us-east-1'] });
    const conn = await s.create();
    await s.sync(conn.id);
    // What a replica killed during a sync leaves: its run RUNNING (its lease lapses on its own).
    const customerId = (await s.database.pool.query('SELECT customer_id FROM apigateway_connections WHERE id = $1', [conn.id])).rows[0].customer_id;
    const dead = await syncRunQueries.insert(s.database.db, { id: uuidv7(Date.now() - 60_000), customerId, connectionId: conn.id, status: 'RUNNING', queuedMs: Date.now() - 60_000, startedMs: Date.now() - 60_000, regions: {}, awsCalls: {}, changes: {} });
    const runs = async () => ok(await s.api('GET', `${BASE}/${conn.id}/sync`)).items as Array<{ id: string; status: string; error?: string; endedMs?: number }>;
    assert.equal((await runs()).find((r) => r.id === dead.id)?.status, 'RUNNING');

    const next = await s.sync(conn.id);
    assert.equal(next.status, 'OK');
    const ended = (await runs()).find((r) => r.id === dead.id)!;
    assert.equal(ended.status, 'FAILED');
    assert.match(ended.error!, /stopped before it ended/);
    assert.ok(ended.endedMs! >= next.startedMs);
    assert.deepEqual((await runs()).filter((r) => r.status === 'RUNNING'), [], 'nothing left running');
  });
});
