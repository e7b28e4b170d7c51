import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { buildApp } from '../../../src/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { subscriptionQueries } from '../../../src/db/queries/apiGatewaySubscriptions.ts';
import { GUARD_DELAY_MS, keyName } from '../../../src/services/apigateway/subscriptions/service.ts';
import { client, manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { createTestDatabase } from '../../helpers/db.ts';
import { ok } from '../../routes/fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from '../../routes/apigateway/fixtures.ts';

const ACCOUNT = '210987654321';
const REGION = 'us-east-1';
const SUBS = '/api/v2/apigatewaysubscription';

/** One database and simulator; `start()` builds an app on them (again after a "restart"), on one test clock. */
async function world(t: TestContext) {
  const aws = await startTestAws(t);
  const sim = aws.sim;
  sim.createAccount({ id: ACCOUNT, regions: [REGION] });
  const database = await createTestDatabase();
  t.after(() => database.close());
  const config = loadConfig({ SKYPORT_AUTH_CACHE_TTL: '0s', SKYPORT_SECRET_KEY: TEST_SECRET_KEY });
  const clock = manualClock();
  const start = async () => {
    const app = await buildApp({ config, database, clock, aws: aws.settings });
    await app.ready();
    return app;
  };
  const app = await start();
  const token = (await app.services.tokens.create({ name: 'admin', permissions: ['agent_management'] })).token;
  const api = client(app, token);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const shop = sim.apigateway.createRestApi({ accountId: ACCOUNT, region: REGION, name: 'shop', resources: [{ path: '/orders', methods: ['GET'] }], stages: ['prod'] });
  const plan = sim.apigateway.createUsagePlan({ accountId: ACCOUNT, region: REGION, name: 'gold', apiStages: [{ apiId: shop.id, stage: 'prod' }] });
  const conn = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: [REGION], subscriptions: { enabled: true } }, trustedRole(aws, ACCOUNT, externalId))));
  const body = { connectionId: conn.id, region: REGION, usagePlanId: plan.id, name: 'partner' };
  return { sim, database, clock, start, app, token, api, plan, conn, body, keys: () => sim.apigateway.apiKeys(ACCOUNT, REGION) };
}

describe('subscription keys over time', () => {
  test('rotate: two keys during the grace period, one after it (test clock), also across a restart of the app', async (t) => {
    const w = await world(t);
    const created = ok(await w.api('POST', SUBS, w.body));
    const rotated = ok(await w.api('POST', `${SUBS}/${created.id}/rotate`, { graceMins: 30 }));
    assert.notEqual(rotated.awsApiKeyId, created.awsApiKeyId);
    assert.notEqual(rotated.value, created.value);
    assert.equal(rotated.valueLast4, rotated.value.slice(-4));
    assert.equal(w.sim.apigateway.apiKey(rotated.awsApiKeyId).value, rotated.value);
    assert.deepEqual([...w.sim.apigateway.usagePlan(w.plan.id).keyIds].sort(), [created.awsApiKeyId, rotated.awsApiKeyId].sort(), 'both keys work meanwhile');

    w.clock.advance(29 * 60_000);
    assert.equal(await w.app.apigateway.subscriptions.deletions.tick(), 0, 'not due yet');
    assert.equal(w.keys().length, 2);

    // A restart: the deletion is a row in PostgreSQL, not a timer of the process that was asked to rotate.
    await w.app.close();
    w.clock.advance(2 * 60_000);
    const restarted = await w.start();
    t.after(() => restarted.close());
    assert.equal(await restarted.apigateway.subscriptions.deletions.tick(), 1);
    assert.deepEqual(w.keys().map((k) => k.id), [rotated.awsApiKeyId], 'only the new key is left');
    assert.deepEqual([...w.sim.apigateway.usagePlan(w.plan.id).keyIds], [rotated.awsApiKeyId]);
    const read = ok(await client(restarted, w.token)('GET', `${SUBS}/${created.id}`));
    assert.equal(read.status, 'ACTIVE');
    assert.equal(read.awsApiKeyId, rotated.awsApiKeyId);
    assert.equal(await restarted.apigateway.subscriptions.deletions.tick(), 0, 'done once');
  });

  test('revoking during a grace period deletes the old key too', async (t) => {
    const w = await world(t);
    const created = ok(await w.api('POST', SUBS, w.body));
    ok(await w.api('POST', `${SUBS}/${created.id}/rotate`, {}));
    assert.equal(w.keys().length, 2);
    assert.equal(ok(await w.api('DELETE', `${SUBS}/${created.id}`)).status, 'REVOKED');
    assert.equal(await w.app.apigateway.subscriptions.deletions.tick(), 1);
    assert.equal(w.keys().length, 0);
    await w.app.close();
  });

  test('suspending during a grace period ends it: the old key is deleted, the new one disabled', async (t) => {
    const w = await world(t);
    const created = ok(await w.api('POST', SUBS, w.body));
    const rotated = ok(await w.api('POST', `${SUBS}/${created.id}/rotate`, { graceMins: 60 }));
    assert.equal(w.keys().length, 2);
    assert.equal(ok(await w.api('POST', `${SUBS}/${created.id}/suspend`)).status, 'SUSPENDED');
    assert.equal(await w.app.apigateway.subscriptions.deletions.tick(), 1, 'due now, not in 60 minutes');
    assert.deepEqual(w.keys().map((k) => [k.id, k.enabled]), [[rotated.awsApiKeyId, false]]);
    await w.app.close();
  });

  test('a request that stopped between CreateApiKey and its last write: the guard deletes the half-made key and the row ends FAILED', async (t) => {
    const w = await world(t);
    const nowMs = w.clock.now();
    const id = '0192f0c0-0000-7000-8000-000000000001';
    // What a crash after CreateApiKey leaves: the PENDING row with its guard, and a key in AWS no row names.
    await w.database.db.transaction(async (tx) => {
      const sub = await subscriptionQueries.insertUnlessKeyTaken(tx, {
        id,
        customerId: 'default',
        connectionId: w.conn.id,
        region: REGION,
        usagePlanId: w.plan.id,
        name: 'crashed',
        status: 'PENDING',
        creatorId: 'admin',
        updaterId: 'admin',
        createdMs: nowMs,
        updatedMs: nowMs,
      });
      assert.ok(sub);
      await subscriptionQueries.scheduleDeletion(tx, {
        id: '0192f0c0-0000-7000-8000-000000000002',
        customerId: 'default',
        connectionId: w.conn.id,
        subscriptionId: id,
        region: REGION,
        usagePlanId: w.plan.id,
        keyName: keyName(id),
        reason: 'GUARD_CREATE',
        dueMs: nowMs + GUARD_DELAY_MS,
      });
    });
    const orphan = w.sim.apigateway.createApiKey({ accountId: ACCOUNT, region: REGION, name: keyName(id), tags: { 'skyport:subscription': id } });
    w.sim.apigateway.addUsagePlanKey(w.plan.id, orphan.id);
    const other = w.sim.apigateway.createApiKey({ accountId: ACCOUNT, region: REGION, name: `${keyName(id)}-r1` });

    assert.equal(ok(await w.api('POST', `${BASE}/${w.conn.id}/sync?wait=true`)).unknownSubscriptionKeys.length, 0, 'a key being made is not reported as unknown');
    assert.equal(await w.app.apigateway.subscriptions.deletions.tick(), 0);
    w.clock.advance(GUARD_DELAY_MS);
    assert.equal(await w.app.apigateway.subscriptions.deletions.tick(), 1);
    assert.deepEqual(w.keys().map((k) => k.id), [other.id], 'only the exact name is deleted');
    const row = ok(await w.api('GET', `${SUBS}/${id}`));
    assert.equal(row.status, 'FAILED');
    assert.match(row.lastError, /did not finish/);
    await w.app.close();
  });

  test('200 subscriptions from 10 concurrent clients: no throttling error reaches a user (AWS quotas simulated)', async (t) => {
    const w = await world(t);
    const startedAt = Date.now();
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 200) {
          const i = next++;
          const res = await w.api('POST', SUBS, { ...w.body, name: `bulk-${i}` });
          if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
        }
      }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    assert.deepEqual(failures, []);
    assert.equal(w.keys().length, 200);
    assert.equal(w.sim.apigateway.usagePlan(w.plan.id).keyIds.size, 200);
    t.diagnostic(`200 subscriptions in ${seconds.toFixed(1)} s; AWS throttled ${w.sim.callCount({ service: 'apigateway', error: 'TooManyRequestsException' })} calls`);
    await w.app.close();
  });
});
