import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { syncLeaseQueries } from '../../../src/db/queries/apiGatewaySyncLease.ts';
import { createAwsAccess } from '../../../src/services/collection/aws/access.ts';
import { createThrottleRetry } from '../../../src/services/collection/aws/throttleRetry.ts';
import { connectionQueries } from '../../../src/db/queries/apiGatewayConnections.ts';
import { planRegion } from '../../../src/services/apigateway/traffic/plan.ts';
import { commitWindow, readWindow } from '../../../src/services/apigateway/traffic/window.ts';
import { ok } from '../fixtures.ts';
import { ACCOUNT, DAY, logArn, MINUTE, PET_ENDPOINTS, RECOMMENDED_FORMAT, REGION, trafficSetup } from './trafficSetup.ts';

type Row = Record<string, any>;

async function petstore(s: Awaited<ReturnType<typeof trafficSetup>>, extraResources: Array<{ path: string; methods: string[] }> = []) {
  return s.sim.apigateway.createRestApi({
    accountId: ACCOUNT,
    region: REGION,
    name: 'shop',
    resources: [{ path: '/pets', methods: ['GET'] }, { path: '/pets/{petId}', methods: ['GET'] }, ...extraResources],
    stages: [{ name: 'prod', accessLogSettings: { destinationArn: logArn('shop-prod'), format: RECOMMENDED_FORMAT } }],
  });
}

/** Lines of the recommended format in shop/prod's log group. */
function writePetLines(s: Awaited<ReturnType<typeof trafficSetup>>, restApiId: string, lines: { startTime: number; endTime: number; count: number; endpoints?: typeof PET_ENDPOINTS; late?: { fraction: number; delayMs: number } }) {
  return s.sim.logs.writeAccessLogs({ accountId: ACCOUNT, region: REGION, logGroupName: 'shop-prod', apiId: restApiId, stage: 'prod', endpoints: PET_ENDPOINTS, format: 'recommended', streams: 2, ...lines });
}

describe('API Gateway traffic: crashes, replicas, late lines, throttling, UNUSED, retention', () => {
  test('a read that never commits (a crash, or a replica that lost its lease) counts nothing; the next sync counts each line once', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s);
    const written = writePetLines(s, shop.id, { startTime: now - 30 * MINUTE, endTime: now - 3 * MINUTE, count: 5000 });
    const conn = await s.create({ enabled: false });
    await s.sync(conn.id); // the inventory, without traffic
    await s.api('PUT', `/api/v2/apigatewayconnection/${conn.id}`, { ...conn, traffic: { enabled: true }, credentials: { type: 'ROLE', roleArn: conn.credentials.roleArn, externalId: conn.credentials.externalId }, forceSave: true });

    // Replica A claims the connection and reads the window, then stalls before committing.
    const db = s.database.db;
    const claimA = (await syncLeaseQueries.claimOne(db, 'default', conn.id, 'replica-a', s.clock.now(), 2 * MINUTE))!;
    assert.ok(claimA);
    const access = createAwsAccess({ settings: s.aws.settings, clock: s.clock });
    t.after(() => access.close());
    const stored = (await connectionQueries.findById(db, 'default', conn.id))!;
    const signal = AbortSignal.timeout(10_000);
    const account = await access.forConnection({ credentials: { type: 'ROLE', roleArn: stored.roleArn!, externalId: stored.externalId! } }, signal);
    const logs = account.aws.logs(REGION);
    const plan = await planRegion(db, conn.id, REGION, 'auto');
    const read = async () =>
      (await readWindow(
        { db, logs, retry: createThrottleRetry({ signal }), connectionId: conn.id, region: REGION, nowMs: s.clock.now(), initialLookbackMins: 60 },
        'shop-prod',
        plan.trafficStages,
        plan.groups.get('shop-prod')!,
      ))!;
    const windowA = await read();
    assert.equal(windowA.aggregate.counts.counted, written.totals.requests, 'replica A read everything');

    // A crash: A never commits. Its lease runs out and replica B (this app) syncs.
    s.shift.ms += 3 * MINUTE;
    const run = await s.sync(conn.id);
    assert.equal(run.status, 'OK', JSON.stringify(run));
    const apiId = (await s.apiNamed('shop')).id;
    const totals = async () => (await s.traffic(apiId, `startTime=${now - 31 * MINUTE}&endTime=${now}`)).totals;
    assert.equal((await totals()).requests, written.totals.requests);

    // A wakes up and commits what it read: refused, its lease is gone, nothing is counted twice.
    const apis = new Map(plan.trafficStages.map((st) => [st.apiId, st]));
    const commitCtx = { db, claim: claimA, customerId: 'default', accountId: ACCOUNT, additionalTags: null, nowMs: s.clock.now() };
    assert.equal(await commitWindow(commitCtx, windowA, apis), false);
    // Even holding a fresh lease, a window read from a cursor that has moved since is refused.
    const claimC = (await syncLeaseQueries.claimOne(db, 'default', conn.id, 'replica-c', s.clock.now(), 2 * MINUTE))!;
    assert.equal(await commitWindow({ ...commitCtx, claim: claimC }, windowA, apis), false);
    assert.equal((await totals()).requests, written.totals.requests);
    assert.equal((await totals()).bytes, written.totals.bytes);
  });

  test('late lines inside the overlap are counted once; FilterLogEvents throttling backs off without losing or double counting', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s);
    // 25,000 lines: three pages; some lines are ingested 4 minutes after their event time.
    const written = writePetLines(s, shop.id, { startTime: now - 20 * MINUTE, endTime: now - 2 * MINUTE - 1, count: 25_000, late: { fraction: 0.2, delayMs: 4 * MINUTE } });
    assert.ok(written.pending > 0, 'some lines are not visible yet');
    s.sim.logs.setLimits({ filterLogEventsPerSecond: 1 });
    const conn = await s.create();
    const first = await s.sync(conn.id);
    assert.equal(first.status, 'OK', JSON.stringify(first));
    assert.ok(first.throttled > 0, 'AWS throttled some reads');
    const apiId = (await s.apiNamed('shop')).id;
    const totals = async () => (await s.traffic(apiId, `stage=prod&startTime=${now - 21 * MINUTE}&endTime=${now}`)).totals;
    const early = await totals();
    assert.ok(early.requests < written.totals.requests, 'the late lines were not there yet');

    // AWS time moves on: the late lines arrive, inside the next window's overlap.
    s.sim.clock.advance(5 * MINUTE);
    const second = await s.sync(conn.id);
    assert.equal(second.status, 'OK');
    const all = await totals();
    assert.deepEqual(
      [all.requests, all.status4xx, all.status5xx, all.bytes],
      [written.totals.requests, written.totals.status4xx, written.totals.status5xx, written.totals.bytes],
    );
  });

  test('a defined endpoint with no traffic for unusedAfterDays becomes UNUSED; traffic makes it DOCUMENTED again; minutes expire after retention', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s, [{ path: '/owners', methods: ['GET'] }]);
    const write = (startTime: number, endpoints = PET_ENDPOINTS) => writePetLines(s, shop.id, { startTime, endTime: startTime + 10 * MINUTE, count: 100, endpoints });
    // Skyport's clock starts 40 days back: the inventory is first seen then, with traffic on the pets.
    s.shift.ms = -40 * DAY;
    write(now - 40 * DAY - 20 * MINUTE);
    const conn = await s.create({ unusedAfterDays: 30 });
    assert.equal((await s.sync(conn.id)).status, 'OK');
    const apiId = (await s.apiNamed('shop')).id;
    const classes = async () =>
      Object.fromEntries(ok(await s.api('GET', `/api/v2/apigatewayapi/${apiId}/endpoint`)).items.map((e: Row) => [`${e.method} ${e.path}`, e.classification]));
    assert.deepEqual(await classes(), { 'GET /owners': 'DOCUMENTED', 'GET /pets': 'DOCUMENTED', 'GET /pets/{petId}': 'DOCUMENTED' });

    // Now: the pets have traffic again, the owners have had none for 40 days.
    s.shift.ms = 0;
    write(now - 20 * MINUTE);
    assert.equal((await s.sync(conn.id)).status, 'OK');
    assert.deepEqual(await classes(), { 'GET /owners': 'UNUSED', 'GET /pets': 'DOCUMENTED', 'GET /pets/{petId}': 'DOCUMENTED' });
    assert.equal(ok(await s.api('GET', `/api/v2/apigatewayapi/${apiId}/endpoint?classification=UNUSED`)).totalItems, 1);

    // Traffic on the owners brings them back.
    s.shift.ms = 10 * MINUTE;
    write(now - 5 * MINUTE, [{ method: 'GET', path: '/owners' }]);
    s.sim.clock.advance(10 * MINUTE);
    assert.equal((await s.sync(conn.id)).status, 'OK');
    assert.equal((await classes())['GET /owners'], 'DOCUMENTED');

    // Retention: 30 days by default; the minutes of 40 days ago go, the recent ones stay.
    const old = await s.traffic(apiId, `startTime=${now - 41 * DAY}&endTime=${now - 39 * DAY}`);
    assert.equal(old.totals.requests, 100);
    assert.ok((await s.app.apigateway.traffic.purge()) > 0);
    assert.equal((await s.traffic(apiId, `startTime=${now - 41 * DAY}&endTime=${now - 39 * DAY}`)).totals.requests, 0);
    assert.equal((await s.traffic(apiId, `startTime=${now - 30 * MINUTE}&endTime=${now + 20 * MINUTE}`)).totals.requests, 200);
  });

  test('a stage logging to a log group that does not exist: the sync is OK, one event says what to create, its endpoints are not made UNUSED; once the group exists its lines count', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s);
    // Skyport's clock starts 40 days back, so that UNUSED would apply if a missing group were taken for no traffic.
    s.shift.ms = -40 * DAY;
    const conn = await s.create({ unusedAfterDays: 30 });
    const first = await s.sync(conn.id);
    assert.equal(first.status, 'OK', JSON.stringify(first));
    s.shift.ms = 0;
    const again = await s.sync(conn.id);
    assert.equal(again.status, 'OK', JSON.stringify(again));
    assert.equal(again.regions[REGION].error, null);

    const missing = (await s.events()).filter((e) => e.annotations.kind === 'LOG_GROUP_MISSING');
    assert.equal(missing.length, 1, 'one event, not one per sync');
    assert.equal(missing[0].name, 'API Gateway traffic not available: log group shop-prod does not exist');
    assert.match(missing[0].annotations.details, /shop \(prod\) send access logs to shop-prod in us-east-1.*aws logs create-log-group --log-group-name shop-prod --region us-east-1/);
    const apiId = (await s.apiNamed('shop')).id;
    const classes = async () => ok(await s.api('GET', `/api/v2/apigatewayapi/${apiId}/endpoint`)).items.map((e: Row) => e.classification);
    assert.deepEqual(await classes(), ['DOCUMENTED', 'DOCUMENTED'], 'no traffic seen is not no traffic');

    // The group appears (API Gateway writes to it): the next sync reads it.
    const written = writePetLines(s, shop.id, { startTime: now - 20 * MINUTE, endTime: now - 3 * MINUTE, count: 300 });
    assert.equal((await s.sync(conn.id)).status, 'OK');
    assert.equal((await s.traffic(apiId, `startTime=${now - 30 * MINUTE}&endTime=${now}`)).totals.requests, written.totals.requests);
  });

  test('a log group that fails to read (not a missing one): the region is PARTIAL with the group and AWS error named, the other groups are still read', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s);
    const written = writePetLines(s, shop.id, { startTime: now - 20 * MINUTE, endTime: now - 3 * MINUTE, count: 200 });
    s.sim.logs.createGroup({ accountId: ACCOUNT, region: REGION, logGroupName: 'other-group' });
    // The listed groups are read in order: the first FilterLogEvents call is other-group's.
    const conn = await s.create({ logGroups: ['other-group', 'shop-prod'] });
    s.sim.addFault({ kind: 'server-error', service: 'logs', api: 'FilterLogEvents', code: 'InvalidParameterException', status: 400, count: 1 });
    const run = await s.sync(conn.id);
    assert.equal(run.status, 'PARTIAL', JSON.stringify(run));
    assert.equal(run.regions[REGION].status, 'PARTIAL', 'the inventory was written');
    assert.match(run.regions[REGION].error, /^traffic: other-group: InvalidParameterException: /);
    const apiId = (await s.apiNamed('shop')).id;
    assert.equal((await s.traffic(apiId, `startTime=${now - 30 * MINUTE}&endTime=${now}`)).totals.requests, written.totals.requests, 'shop-prod was read');
  });

  test('a failing subscriptions step does not skip traffic: the region is PARTIAL naming the step, the lines are counted', async (t) => {
    const s = await trafficSetup(t);
    const now = s.sim.now();
    const shop = await petstore(s);
    const written = writePetLines(s, shop.id, { startTime: now - 20 * MINUTE, endTime: now - 3 * MINUTE, count: 200 });
    const conn = await s.create({}, { subscriptions: { enabled: true } });
    // The role lacks GetUsagePlans (a policy written before subscriptions were switched on).
    s.sim.addFault({ kind: 'access-denied', service: 'apigateway', api: 'GetUsagePlans' });
    const run = await s.sync(conn.id);
    assert.equal(run.status, 'PARTIAL', JSON.stringify(run));
    assert.equal(run.regions[REGION].status, 'PARTIAL');
    assert.match(run.regions[REGION].error, /^subscriptions: /);
    const apiId = (await s.apiNamed('shop')).id;
    assert.equal((await s.traffic(apiId, `startTime=${now - 30 * MINUTE}&endTime=${now}`)).totals.requests, written.totals.requests);
    assert.equal(ok(await s.api('GET', `/api/v2/apigatewayconnection/${conn.id}`)).disabled, false, 'a missing permission for one feature disables nothing');
  });
});
