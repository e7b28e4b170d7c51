import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, ok, tenant } from '../fixtures.ts';
import { ACCOUNT, DAY, logArn, MINUTE, PET_ENDPOINTS, RECOMMENDED_FORMAT, REGION, trafficSetup } from './trafficSetup.ts';

const SUBS = '/api/v2/apigatewaysubscription';

/** A window of access-log lines that ends a few minutes ago and stays inside one UTC day. */
function oneDayWindow(now: number, minutes: number) {
  const end = now - 3 * MINUTE;
  const dayStart = end - (end % DAY);
  const startTime = Math.max(end - minutes * MINUTE, dayStart);
  return { startTime, endTime: Math.max(end, startTime + MINUTE) };
}

/** A REST API `shop` whose prod stage logs access to `shop-prod` in the recommended format, and a usage plan over it. */
function shopWithPlan(s: Awaited<ReturnType<typeof trafficSetup>>, resources: Parameters<typeof s.sim.apigateway.createRestApi>[0]['resources']) {
  const shop = s.sim.apigateway.createRestApi({
    accountId: ACCOUNT,
    region: REGION,
    name: 'shop',
    resources,
    stages: [{ name: 'prod', accessLogSettings: { destinationArn: logArn('shop-prod'), format: RECOMMENDED_FORMAT } }],
  });
  const plan = s.sim.apigateway.createUsagePlan({ accountId: ACCOUNT, region: REGION, name: 'gold', apiStages: [{ apiId: shop.id, stage: 'prod' }] });
  return { shop, plan };
}

test("a subscription's usage: requests per UTC day with its keys, rotated keys included, other keys not; scoped, validated", async (t) => {
  const s = await trafficSetup(t);
  const { shop, plan } = shopWithPlan(s, [{ path: '/pets', methods: ['GET', 'POST'] }, { path: '/pets/{petId}', methods: ['GET'] }]);
  const conn = await s.create({}, { subscriptions: { enabled: true } });
  const r0 = await s.sync(conn.id);
  assert.equal(r0.status, 'OK', JSON.stringify(r0));
  const sub = ok(await s.api('POST', SUBS, { connectionId: conn.id, region: REGION, usagePlanId: plan.id, name: 'mobile app' }));
  const firstKey = sub.awsApiKeyId as string;
  const none = ok(await s.api('GET', `${SUBS}/${sub.id}/usage`));
  assert.equal(none.subscriptionId, sub.id);
  assert.deepEqual(none.awsApiKeyIds, [firstKey]);
  assert.equal(none.totalRequests, 0);
  assert.equal(none.days.length, 7, 'a week of days by default');
  assert.ok(none.days.every((d: { requests: number }) => d.requests === 0));

  // Rotated: the old key keeps working through its grace period, and its traffic stays the subscription's.
  const rotated = ok(await s.api('POST', `${SUBS}/${sub.id}/rotate`, { graceMins: 60 }));
  const secondKey = rotated.awsApiKeyId as string;
  assert.notEqual(secondKey, firstKey);

  // Lines with both keys and with someone else's, inside the window the next sync reads.
  const now = s.clock.now();
  const w = oneDayWindow(now, 3);
  const lines = s.sim.logs.writeAccessLogs({ accountId: ACCOUNT, region: REGION, logGroupName: 'shop-prod', apiId: shop.id, stage: 'prod', endpoints: PET_ENDPOINTS, format: 'recommended', ...w, count: 600, seed: 7, apiKeyIds: [firstKey, secondKey, 'someone-else'] });
  const mine = lines.totals.byApiKey[firstKey] + lines.totals.byApiKey[secondKey];
  assert.ok(mine > 0 && lines.totals.byApiKey['someone-else'] > 0);
  assert.equal((await s.sync(conn.id)).status, 'OK');

  const usage = ok(await s.api('GET', `${SUBS}/${sub.id}/usage`));
  assert.deepEqual(usage.awsApiKeyIds, [secondKey, firstKey], 'the current key first, then those rotated out');
  assert.equal(usage.totalRequests, mine);
  const busy = usage.days.filter((d: { requests: number }) => d.requests > 0);
  assert.equal(busy.length, 1, JSON.stringify(usage.days));
  assert.equal(busy[0].startEpochMillis, w.startTime - (w.startTime % DAY));
  assert.equal(busy[0].day, new Date(busy[0].startEpochMillis).toISOString().slice(0, 10));
  assert.ok(usage.days.every((d: { startEpochMillis: number }, i: number) => i === 0 || d.startEpochMillis - usage.days[i - 1].startEpochMillis === DAY), 'consecutive days');

  // A window: only the minutes inside it count; days are listed for the whole window.
  const narrow = ok(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=${w.startTime}&endTime=${w.endTime}`));
  assert.equal(narrow.days.length, 1);
  assert.equal(narrow.totalRequests, mine);
  const before = ok(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=${w.startTime - DAY}&endTime=${w.startTime - MINUTE}`));
  assert.equal(before.totalRequests, 0, 'nothing before the lines');
  const empty = ok(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=${now - 40 * DAY}&endTime=${now - 30 * DAY}`));
  assert.deepEqual([empty.totalRequests, empty.days.length], [0, 11]);

  // Bad windows are 400s naming the problem; another customer sees nothing; a read-only token may read.
  assertError(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=${now}&endTime=${now - 1}`), 400, 'before startTime');
  assertError(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=0&endTime=${100 * DAY}`), 400, '92');
  assertError(await s.api('GET', `${SUBS}/${sub.id}/usage?startTime=-1`), 400);
  const other = await tenant(s.app);
  assertError(await other.read('GET', `${SUBS}/${sub.id}/usage`), 404);
  const reader = await s.api('GET', `${SUBS}/${sub.id}/usage`, undefined, { authorization: `Bearer ${s.reader}` });
  assert.equal(reader.status, 200);
  assert.equal(reader.body.response.totalRequests, mine);
});

test("requests made with the subscription's key through API Gateway (the simulator's data plane) are its usage after the next sync", async (t) => {
  const s = await trafficSetup(t);
  const { shop, plan } = shopWithPlan(s, [{ path: '/pets', methods: [{ httpMethod: 'GET', apiKeyRequired: true }] }]);
  s.sim.logs.createGroup({ accountId: ACCOUNT, region: REGION, logGroupName: 'shop-prod' });
  const conn = await s.create({}, { subscriptions: { enabled: true } });
  const sub = ok(await s.api('POST', SUBS, { connectionId: conn.id, region: REGION, usagePlanId: plan.id, name: 'mobile app' }));

  const call = (apiKey: string) => s.sim.apigateway.invoke({ restApiId: shop.id, stage: 'prod', apiKey, method: 'GET', path: '/pets' }).status;
  for (let i = 0; i < 5; i++) assert.equal(call(sub.value), 200);
  assert.equal(call('not-a-key-of-this-plan-0000000000000000'), 403);
  s.shift.ms += 3 * MINUTE; // the sync reads lines two minutes old and older
  assert.equal((await s.sync(conn.id)).status, 'OK');

  assert.equal(ok(await s.api('GET', `${SUBS}/${sub.id}/usage`)).totalRequests, 5, 'the refused request is nobody’s usage');
  const traffic = await s.traffic((await s.apiNamed('shop')).id, `stage=prod&startTime=${s.sim.now() - 10 * MINUTE}&groupBy=endpoint`);
  assert.deepEqual([traffic.totals.requests, traffic.totals.status4xx, traffic.rows[0].endpoint], [6, 1, 'GET /pets']);
});
