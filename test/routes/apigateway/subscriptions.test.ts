import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LOG_REDACT } from '../../../src/app.ts';
import { buildTestApp, client, manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { ok, tenant } from '../fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';
const REGION = 'us-east-1';
const SUBS = '/api/v2/apigatewaysubscription';

/** A connection with subscriptions on, a REST API with a usage plan over its prod stage, and the app. */
async function setup(t: Pick<TestContext, 'after'>, opts: { logLines?: string[]; clock?: ReturnType<typeof manualClock> } = {}) {
  const aws = await startTestAws(t);
  const sim = aws.sim;
  sim.createAccount({ id: ACCOUNT, regions: [REGION] });
  const logger = opts.logLines
    ? pino({ level: 'trace', redact: LOG_REDACT }, new Writable({ write: (chunk, _enc, done) => (opts.logLines!.push(String(chunk)), done()) }))
    : undefined;
  const testApp = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY }, logger, clock: opts.clock });
  t.after(() => testApp.app.apigateway.sync.idle());
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const shop = sim.apigateway.createRestApi({ accountId: ACCOUNT, region: REGION, name: 'shop', resources: [{ path: '/orders', methods: [{ httpMethod: 'GET', apiKeyRequired: true }] }], stages: ['prod'] });
  const plan = sim.apigateway.createUsagePlan({ accountId: ACCOUNT, region: REGION, name: 'gold', apiStages: [{ apiId: shop.id, stage: 'prod' }], throttle: { rateLimit: 10, burstLimit: 20 } });
  const conn = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: [REGION], subscriptions: { enabled: true } }, roleArn)));
  const body = (extra: Record<string, unknown> = {}) => ({ connectionId: conn.id, region: REGION, usagePlanId: plan.id, name: 'mobile app', ...extra });
  const keysInAws = () => sim.apigateway.apiKeys(ACCOUNT, REGION);
  const sync = async () => {
    const res = await api('POST', `${BASE}/${conn.id}/sync?wait=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.response;
  };
  return { ...testApp, sim, api, conn, plan, shop, body, keysInAws, sync };
}

describe('API Gateway subscriptions', () => {
  test('a connection whose subscriptions still have keys in AWS is not deleted (409, trash or for good) until they are revoked', async (t) => {
    const { api, conn, body, keysInAws } = await setup(t);
    const sub = ok(await api('POST', SUBS, body()));
    for (const url of [`${BASE}/${conn.id}`, `${BASE}/${conn.id}?skipTrash=true`]) {
      const refused = await api('DELETE', url);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.match(refused.body.status.message, /1 subscription whose API keys are still in AWS; revoke them first/);
    }
    assert.equal(ok(await api('GET', `${BASE}/${conn.id}`)).inTrash, false, 'nothing changed');
    assert.equal(ok(await api('GET', `${SUBS}/${sub.id}`)).status, 'ACTIVE');
    assert.equal(keysInAws().length, 1);

    ok(await api('DELETE', `${SUBS}/${sub.id}`));
    assert.equal(ok(await api('DELETE', `${BASE}/${conn.id}?skipTrash=true`)).id, conn.id);
    assert.equal((await api('GET', `${BASE}/${conn.id}`)).status, 404);
  });

  test('create → the key is in the plan, enabled and tagged; the value is in exactly one response; list, read, search; revoke leaves nothing in AWS', async (t) => {
    const logLines: string[] = [];
    const { api, app, sim, plan, body, keysInAws, database, reader } = await setup(t, { logLines });
    const created = ok(await api('POST', SUBS, body({ description: 'for the iOS app' })));
    assert.equal(created.status, 'ACTIVE');
    assert.match(created.value, /^[A-Za-z0-9]{40}$/);
    assert.equal(created.valueLast4, created.value.slice(-4));
    const key = sim.apigateway.apiKey(created.awsApiKeyId);
    assert.equal(key.value, created.value);
    assert.equal(key.enabled, true);
    assert.deepEqual(key.tags, { 'skyport:subscription': created.id, 'skyport:connection': created.connectionId });
    assert.ok(sim.apigateway.usagePlan(plan.id).keyIds.has(created.awsApiKeyId));

    const read = ok(await api('GET', `${SUBS}/${created.id}`));
    assert.equal(read.value, undefined, 'never again');
    assert.equal(read.valueLast4, created.valueLast4);
    const listed = ok(await api('GET', SUBS));
    assert.equal(listed.totalItems, 1);
    assert.equal(listed.items[0].value, undefined);
    const found = ok(await api('POST', `/api/v2/search${SUBS.slice(7)}`, { query: [{ key: 'status', value: 'active', matchingMethod: 'EXACT' }, { key: 'freetext', value: 'mobile' }] }));
    assert.equal(found.totalItems, 1);
    assert.equal((await api('POST', `/api/v2/search${SUBS.slice(7)}`, { query: [{ key: 'nope', value: 'x' }] })).status, 400);

    // The value: in the create answer only; no log line, no database column holds it.
    assert.ok(logLines.length > 0);
    assert.ok(!logLines.some((l) => l.includes(created.value)), 'no log line holds the key value');
    const tables = await database.pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    for (const { table_name } of tables.rows) {
      const rows = await database.pool.query(`SELECT t::text AS row FROM "${table_name}" t`);
      assert.ok(!rows.rows.some((r: { row: string }) => r.row.includes(created.value)), `table ${table_name} holds the key value`);
    }

    // A read-only token may read, never write.
    const ro = client(app, reader);
    assert.equal((await ro('GET', `${SUBS}/${created.id}`)).status, 200);
    for (const [method, url, b] of [
      ['POST', SUBS, body()],
      ['DELETE', `${SUBS}/${created.id}`, undefined],
      ['POST', `${SUBS}/${created.id}/rotate`, {}],
      ['POST', `${SUBS}/${created.id}/suspend`, undefined],
      ['POST', `${SUBS}/${created.id}/resume`, undefined],
    ] as const) {
      assert.equal((await ro(method, url, b)).status, 403, `${method} ${url}`);
    }
    // Another customer: 404 on every route of the subscription, nothing in lists.
    const other = await tenant(app);
    assert.equal(ok(await other.read('GET', SUBS)).totalItems, 0);
    for (const [method, url] of [['GET', `${SUBS}/${created.id}`], ['DELETE', `${SUBS}/${created.id}`], ['POST', `${SUBS}/${created.id}/rotate`], ['POST', `${SUBS}/${created.id}/suspend`]] as const) {
      assert.equal((await other.call(method, url, method === 'POST' ? {} : undefined)).status, 404, `${method} ${url}`);
    }
    assert.equal((await other.call('POST', SUBS, body())).status, 404, "another customer's connection");

    const revoked = ok(await api('DELETE', `${SUBS}/${created.id}`));
    assert.equal(revoked.status, 'REVOKED');
    assert.equal(keysInAws().length, 0, 'no key left');
    assert.equal(sim.apigateway.usagePlan(plan.id).keyIds.size, 0, 'no plan key left');
    assert.equal(ok(await api('DELETE', `${SUBS}/${created.id}`)).status, 'REVOKED', 'revoking again is harmless');
  });

  test('Idempotency-Key: the same key and body (also racing) make one AWS key; another body is a 409; an unknown plan is a 404', async (t) => {
    const { api, body, keysInAws } = await setup(t);
    const headers = { 'idempotency-key': 'order-42' };
    const [a, b] = await Promise.all([api('POST', SUBS, body(), headers), api('POST', SUBS, body(), headers)]);
    const first = ok(a);
    const second = ok(b);
    assert.equal(first.id, second.id);
    assert.equal([first.value, second.value].filter(Boolean).length, 1, 'the value is in one answer only');
    const again = ok(await api('POST', SUBS, body(), headers));
    assert.equal(again.id, first.id);
    assert.equal(keysInAws().length, 1, 'one AWS key');
    const clash = await api('POST', SUBS, body({ name: 'other' }), headers);
    assert.equal(clash.status, 409);
    assert.match(clash.body.status.message, /Idempotency-Key/);
    const unknown = await api('POST', SUBS, body({ usagePlanId: 'nope12' }));
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.status.message, /usage plan nope12/);
    assert.equal(keysInAws().length, 1);
  });

  test('a failing CreateUsagePlanKey leaves no key in AWS, answers 502/503 naming the AWS error, and no ACTIVE row', async (t) => {
    const { api, sim, body, keysInAws } = await setup(t);
    sim.addFault({ kind: 'server-error', service: 'apigateway', api: 'CreateUsagePlanKey' });
    const res = await api('POST', SUBS, body(), { 'idempotency-key': 'k1' });
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.match(res.body.status.message, /InternalFailure/);
    assert.equal(keysInAws().length, 0, 'the key was deleted again');
    const rows = ok(await api('GET', SUBS));
    assert.deepEqual(rows.items.map((s: { status: string }) => s.status), ['FAILED']);
    sim.clearFaults();
    sim.addFault({ kind: 'access-denied', service: 'apigateway', api: 'CreateUsagePlanKey' });
    const denied = await api('POST', SUBS, body());
    assert.equal(denied.status, 502);
    assert.match(denied.body.status.message, /AccessDeniedException/);
    assert.equal(keysInAws().length, 0);
    sim.clearFaults();
    // The failed request may be retried with the same key.
    assert.equal(ok(await api('POST', SUBS, body(), { 'idempotency-key': 'k1' })).status, 'ACTIVE');
    assert.equal(keysInAws().length, 1);
  });

  test('suspend disables the key in AWS, resume enables it; a key changed outside Skyport is DRIFTED after the next sync, with an event; unknown tagged keys are reported', async (t) => {
    const { api, sim, body, sync, conn, plan, shop } = await setup(t);
    const a = ok(await api('POST', SUBS, body({ name: 'a' })));
    const b = ok(await api('POST', SUBS, body({ name: 'b' })));
    const c = ok(await api('POST', SUBS, body({ name: 'c' })));
    assert.equal(ok(await api('POST', `${SUBS}/${a.id}/suspend`)).status, 'SUSPENDED');
    assert.equal(sim.apigateway.apiKey(a.awsApiKeyId).enabled, false);
    assert.equal(ok(await api('POST', `${SUBS}/${a.id}/resume`)).status, 'ACTIVE');
    assert.equal(sim.apigateway.apiKey(a.awsApiKeyId).enabled, true);

    const policy = ok(await api('GET', `${BASE}/${conn.id}/policy`));
    const reads = policy.permissionsPolicy.Statement.find((s: { Sid: string }) => s.Sid === 'SkyportApiKeysRead');
    assert.deepEqual(reads.Resource, ['arn:aws:apigateway:us-east-1::/apikeys', 'arn:aws:apigateway:us-east-1::/apikeys/*'], 'reconciliation reads keys');
    const quiet = await sync();
    assert.deepEqual(quiet.unknownSubscriptionKeys, []);
    assert.equal(ok(await api('GET', SUBS)).items.filter((s: { status: string }) => s.status === 'DRIFTED').length, 0);
    const plans = ok(await api('GET', `/api/v2/apigatewayusageplan?connectionId=${conn.id}`));
    assert.deepEqual(plans.items.map((p: { awsUsagePlanId: string; name: string }) => `${p.awsUsagePlanId} ${p.name}`), [`${plan.id} gold`]);
    assert.deepEqual(plans.items[0].apiStages, [{ apiId: shop.id, stage: 'prod' }]);
    const apis = ok(await api('GET', '/api/v2/apigatewayapi'));
    const shopView = ok(await api('GET', `/api/v2/apigatewayapi/${apis.items[0].id}`));
    assert.deepEqual(shopView.stages[0].usagePlanIds, [plan.id]);

    sim.apigateway.deleteApiKey(a.awsApiKeyId);
    sim.apigateway.removeUsagePlanKey(plan.id, b.awsApiKeyId);
    sim.apigateway.setApiKeyEnabled(c.awsApiKeyId, false);
    const stray = sim.apigateway.createApiKey({ accountId: ACCOUNT, region: REGION, name: 'stray', tags: { 'skyport:subscription': 'something-else' } });
    const run = await sync();
    assert.deepEqual(run.unknownSubscriptionKeys, [stray.id]);
    assert.ok(sim.apigateway.apiKey(stray.id), 'never deleted');
    const byId = async (id: string) => ok(await api('GET', `${SUBS}/${id}`));
    assert.equal((await byId(a.id)).status, 'DRIFTED');
    assert.match((await byId(a.id)).lastError, /deleted outside Skyport/);
    assert.match((await byId(b.id)).lastError, /removed from usage plan/);
    assert.match((await byId(c.id)).lastError, /disabled outside Skyport/);
    const events = ok(await api('GET', '/api/v2/event?earliestStartTimeEpochMillis=0&latestStartTimeEpochMillis=9999999999999&limit=1000'));
    const drift = events.items.filter((e: { annotations: Record<string, string> }) => e.annotations.type === 'apigateway-subscription');
    assert.deepEqual(drift.map((e: { annotations: Record<string, string> }) => e.annotations.subscriptionId).sort(), [a.id, b.id, c.id].sort());
    // A drifted subscription can still be revoked (AWS NotFound counts as done).
    assert.equal(ok(await api('DELETE', `${SUBS}/${a.id}`)).status, 'REVOKED');
  });
});
