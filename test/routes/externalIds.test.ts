// SPEC §3 rows 1-3 and §5 "External IDs": issue, confirm, delete, expiry, and the one-role binding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  ec2Body,
  integrationCount,
  issueExternalId,
  ok,
  raw,
  suiteApp,
  tenant,
  OTHER_ROLE_ARN,
  ROLE_ARN,
} from './fixtures.ts';

const HOUR = 3_600_000;
const base = '/api/v2/cloudintegration/awsExternalId';

describe('external IDs', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock, env: { SKYPORT_EXTERNAL_ID_TTL: '1h' } });

  test('POST issues 16 characters of [A-Za-z0-9], different every time', async () => {
    const { call } = await tenant(ctx().app);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const id = await issueExternalId(call);
      assert.match(id, /^[A-Za-z0-9]{16}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 50);
  });

  test('POST answers the envelope with the ID as a string; the issued ID is owned by the caller', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const res = await call('POST', base);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.status, { result: 'OK', message: '', code: 200 });
    assert.equal(typeof res.body.response, 'string');
    const stored = await testApp.database.pool.query('SELECT customer_id FROM external_ids WHERE value = $1', [res.body.response]);
    assert.equal(stored.rows[0].customer_id, customerId);
  });

  test('GET confirms an issued ID; an unknown one is a 404', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    assert.equal(ok(await call('GET', `${base}/${id}`)), id);
    assertError(await call('GET', `${base}/AAAAAAAAAAAAAAAA`), 404, 'AAAAAAAAAAAAAAAA');
    assertError(await call('GET', `${base}/${id.toLowerCase() === id ? id.toUpperCase() : id.toLowerCase()}`), 404);
    assertError(await call('GET', `${base}/${'z'.repeat(64)}`), 404);
  });

  test('DELETE answers the ID; afterwards confirm is a 404, a second delete is a 404, and create is a 400 saying it was deleted', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const id = await issueExternalId(call);
    assert.equal(ok(await call('DELETE', `${base}/${id}`)), id);
    assertError(await call('GET', `${base}/${id}`), 404);
    assertError(await call('DELETE', `${base}/${id}`), 404);
    assertError(await call('POST', '/api/v2/cloudintegration', cloudWatchBody(id)), 400, id, 'deleted');
    assertError(await call('DELETE', `${base}/NeverIssued12345`), 404);
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('an unused ID expires after SKYPORT_EXTERNAL_ID_TTL: confirm 404, create 400 saying it expired', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const id = await issueExternalId(call);
    clock.advance(HOUR - 1);
    assert.equal(ok(await call('GET', `${base}/${id}`)), id, 'still valid just before the TTL');
    clock.advance(1);
    assertError(await call('GET', `${base}/${id}`), 404);
    assertError(await call('POST', '/api/v2/cloudintegration', ec2Body(id)), 400, id, 'expired');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('an ID used by an integration stays confirmable past the TTL, and more integrations of the same role can use it', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    const first = await createIntegration(call, cloudWatchBody(id));
    clock.advance(48 * HOUR);
    assert.equal(ok(await call('GET', `${base}/${id}`)), id);
    const second = await createIntegration(call, cloudTrailBody(id));
    assert.equal(second.cloudTrail.baseCredentials.externalId, id);
    assert.equal(ok(await call('GET', `/api/v2/cloudintegration/${first.id}`)).cloudWatch.baseCredentials.externalId, id);
  });

  test('an ID used by an integration stays confirmable while that integration is in the trash', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(id));
    ok(await call('DELETE', `/api/v2/cloudintegration/${created.id}`));
    clock.advance(48 * HOUR);
    assert.equal(ok(await call('GET', `${base}/${id}`)), id);
  });

  test('an external ID from somewhere else (not issued by this server) is a 400 that says so', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    for (const body of [cloudWatchBody('MadeUpByTheUser1'), cloudTrailBody('abc'), ec2Body('x'.repeat(64))]) {
      assertError(await call('POST', '/api/v2/cloudintegration', body), 400, 'not issued');
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('one ID backs integrations of one role only: another roleArn is a 400, the same roleArn is fine', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const id = await issueExternalId(call);
    await createIntegration(call, cloudWatchBody(id));
    const other = cloudTrailBody(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: id } });
    assertError(await call('POST', '/api/v2/cloudintegration', other), 400, id, ROLE_ARN);
    assert.equal(await integrationCount(testApp, customerId), 1);
    await createIntegration(call, ec2Body(id));
    await createIntegration(call, cloudWatchBody(id, { name: 'second cloudwatch of the same role' }));
    assert.equal(await integrationCount(testApp, customerId), 3);
  });

  test('concurrent creates with one fresh ID: the first role wins, every create of that role succeeds, the other role gets 400s', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const id = await issueExternalId(call);
    const bodies = [0, 1, 2, 3, 4, 5].map((i) =>
      cloudWatchBody(id, { name: `parallel ${i}` }, { baseCredentials: { roleArn: i % 2 ? OTHER_ROLE_ARN : ROLE_ARN, externalId: id } }),
    );
    const results = await Promise.all(bodies.map((b) => call('POST', '/api/v2/cloudintegration', b)));
    const won = results.filter((r) => r.status === 200).map((r) => r.body.response.cloudWatch.baseCredentials.roleArn);
    const lost = results.filter((r) => r.status !== 200);
    assert.equal(won.length, 3, JSON.stringify(results.map((r) => r.status)));
    assert.equal(new Set(won).size, 1, 'every stored integration has the same role');
    for (const r of lost) assertError(r, 400, id);
    assert.equal(await integrationCount(testApp, customerId), 3);
  });

  test('the binding follows the role of integrations updated to a new roleArn', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(id));
    const moved = ok(await call('PUT', `/api/v2/cloudintegration/${created.id}`, cloudWatchBody(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN } })));
    assert.equal(moved.cloudWatch.baseCredentials.roleArn, OTHER_ROLE_ARN);
    assertError(await call('POST', '/api/v2/cloudintegration', ec2Body(id)), 400, OTHER_ROLE_ARN);
    await createIntegration(call, ec2Body(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: id } }));
  });

  test('a PUT cannot move one of two integrations sharing an ID to another role', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    const a = await createIntegration(call, cloudWatchBody(id));
    await createIntegration(call, ec2Body(id));
    const res = await call('PUT', `/api/v2/cloudintegration/${a.id}`, cloudWatchBody(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: id } }));
    assertError(res, 400, id);
    assert.equal(ok(await call('GET', `/api/v2/cloudintegration/${a.id}`)).cloudWatch.baseCredentials.roleArn, ROLE_ARN);
  });

  test('deleting an ID that integrations use is allowed; they keep working (GET, PUT, list, search)', async () => {
    const { call } = await tenant(ctx().app);
    const id = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(id));
    assert.equal(ok(await call('DELETE', `${base}/${id}`)), id);
    assertError(await call('GET', `${base}/${id}`), 404);

    const read = ok(await call('GET', `/api/v2/cloudintegration/${created.id}`));
    assert.equal(read.cloudWatch.baseCredentials.externalId, id);
    const renamed = ok(await call('PUT', `/api/v2/cloudintegration/${created.id}`, { ...read, name: 'renamed after the ID was deleted' }));
    assert.equal(renamed.name, 'renamed after the ID was deleted');
    assert.equal(renamed.cloudWatch.baseCredentials.externalId, id);
    const withoutId = ok(await call('PUT', `/api/v2/cloudintegration/${created.id}`, cloudWatchBody(undefined, { name: 'no externalId sent' })));
    assert.equal(withoutId.cloudWatch.baseCredentials.externalId, id);
    const newRole = ok(await call('PUT', `/api/v2/cloudintegration/${created.id}`, cloudWatchBody(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: id } })));
    assert.equal(newRole.cloudWatch.baseCredentials.roleArn, OTHER_ROLE_ARN);
    assert.equal(ok(await call('GET', '/api/v2/cloudintegration')).totalItems, 1);
    const found = ok(await call('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'id', value: created.id, matchingMethod: 'EXACT' }] }));
    assert.equal(found.items[0].cloudWatch.baseCredentials.externalId, id);

    // But no new integration can use it.
    assertError(await call('POST', '/api/v2/cloudintegration', ec2Body(id, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: id } })), 400, 'deleted');
  });

  test('POST awsExternalId accepts no body, {}, null and an empty JSON body', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const variants: Array<[string | undefined, Record<string, string>]> = [
      [undefined, {}],
      ['{}', { 'content-type': 'application/json' }],
      ['null', { 'content-type': 'application/json' }],
      ['', { 'content-type': 'application/json' }],
      ['  \n', { 'content-type': 'application/json; charset=utf-8' }],
    ];
    for (const [payload, headers] of variants) {
      const res = await raw(app, token, 'POST', base, payload, headers);
      assert.equal(res.status, 200, `payload ${JSON.stringify(payload)}: ${res.text}`);
      assert.match(res.body.response, /^[A-Za-z0-9]{16}$/);
    }
  });

  test('GET and DELETE with Content-Type: application/json and no body work', async () => {
    const { app } = ctx();
    const { token, call } = await tenant(app);
    const id = await issueExternalId(call);
    const confirmed = await raw(app, token, 'GET', `${base}/${id}`, undefined, { 'content-type': 'application/json' });
    assert.equal(confirmed.status, 200);
    const deleted = await raw(app, token, 'DELETE', `${base}/${id}`, '{}', { 'content-type': 'application/json' });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.response, id);
  });
});
