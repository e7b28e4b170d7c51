// SPEC §2: tokens, the agent_management permission on every write, and tenants that cannot see each other.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { client } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createCloudWatch,
  integrationCount,
  issueExternalId,
  ok,
  raw,
  rowText,
  suiteApp,
  tenant,
  OTHER_ROLE_ARN,
} from './fixtures.ts';

describe('authentication', () => {
  const ctx = suiteApp();

  test('Authorization: Bearer and X-AUTH-TOKEN both work, on reads and writes', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const viaBearer = await app.inject({ method: 'POST', url: '/api/v2/cloudintegration/awsExternalId', headers: { authorization: `Bearer ${token}` } });
    assert.equal(viaBearer.statusCode, 200);
    const viaLowercaseScheme = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { authorization: `bearer ${token}` } });
    assert.equal(viaLowercaseScheme.statusCode, 200);
    const viaX = await app.inject({ method: 'POST', url: '/api/v2/cloudintegration/awsExternalId', headers: { 'X-AUTH-TOKEN': token } });
    assert.equal(viaX.statusCode, 200);
    const externalId = viaX.json().response;
    const confirmed = await app.inject({ method: 'GET', url: `/api/v2/cloudintegration/awsExternalId/${externalId}`, headers: { 'x-auth-token': token } });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(confirmed.json().response, externalId);
  });

  test('a wrong Bearer token is a 401; X-AUTH-TOKEN is used when Authorization is not a Bearer token', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const bad = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { authorization: 'Bearer skp_wrong' } });
    assert.equal(bad.statusCode, 401);
    const both = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { authorization: 'Basic Zm9vOmJhcg==', 'x-auth-token': token } });
    assert.equal(both.statusCode, 200);
  });

  test('every API route wants a token (401 without one); health, docs and metrics do not', async () => {
    const { app } = ctx();
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const routes: Array<[string, string]> = [
      ['POST', '/api/v2/cloudintegration/awsExternalId'],
      ['GET', '/api/v2/cloudintegration/awsExternalId/abc'],
      ['DELETE', '/api/v2/cloudintegration/awsExternalId/abc'],
      ['POST', '/api/v2/cloudintegration'],
      ['GET', '/api/v2/cloudintegration'],
      ['GET', `/api/v2/cloudintegration/${id}`],
      ['PUT', `/api/v2/cloudintegration/${id}`],
      ['DELETE', `/api/v2/cloudintegration/${id}`],
      ['POST', `/api/v2/cloudintegration/${id}/disable`],
      ['POST', `/api/v2/cloudintegration/${id}/enable`],
      ['POST', `/api/v2/cloudintegration/${id}/undelete`],
      ['POST', '/api/v2/search/cloudintegration'],
      ['POST', '/api/v2/search/cloudintegration/deleted'],
      ['POST', '/api/v2/search/cloudintegration/facets'],
      ['POST', '/api/v2/search/cloudintegration/name'],
      ['POST', '/api/v2/search/cloudintegration/deleted/facets'],
      ['POST', '/api/v2/search/cloudintegration/deleted/service'],
    ];
    for (const [method, url] of routes) {
      const res = await app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json' }, payload: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      assertError({ status: res.statusCode, body: res.json() }, 401, 'token');
    }
    for (const url of ['/healthz', '/readyz', '/api-docs/json', '/metrics']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
    }
  });

  test('tokens are stored only as a SHA-256 hash and are long random strings', async () => {
    const { app, database } = ctx();
    const a = await app.services.tokens.create({ name: 'hash-check', permissions: [] });
    const b = await app.services.tokens.create({ name: 'hash-check-2', permissions: [] });
    assert.notEqual(a.token, b.token);
    // ≥128 bits: at least 22 base64url characters after the prefix.
    assert.ok(a.token.replace(/^skp_/, '').length >= 22);
    const rows = await database.pool.query('SELECT t::text AS row, token_hash FROM tokens t WHERE id = $1', [a.id]);
    assert.equal(rows.rows[0].token_hash, createHash('sha256').update(a.token).digest('hex'));
    assert.ok(!rows.rows[0].row.includes(a.token), 'the plaintext token is not stored');
  });
});

describe('permissions: writes need agent_management', () => {
  const ctx = suiteApp();

  test('a read-only token can read everything of its customer', async () => {
    const { app } = ctx();
    const { call, read } = await tenant(app);
    const created = await createCloudWatch(call);
    const externalId = created.cloudWatch.baseCredentials.externalId;
    assert.equal(ok(await read('GET', `/api/v2/cloudintegration/${created.id}`)).id, created.id);
    assert.equal(ok(await read('GET', '/api/v2/cloudintegration')).totalItems, 1);
    assert.equal(ok(await read('GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`)), externalId);
    assert.equal(ok(await read('POST', '/api/v2/search/cloudintegration', {})).totalItems, 1);
    assert.equal(ok(await read('POST', '/api/v2/search/cloudintegration/deleted', {})).totalItems, 0);
    assert.deepEqual(ok(await read('POST', '/api/v2/search/cloudintegration/service', {})).items, ['CLOUDWATCH']);
    ok(await read('POST', '/api/v2/search/cloudintegration/facets', {}));
  });

  test('a read-only token gets 403 on every write, and nothing changes', async () => {
    const testApp = ctx();
    const { call, read, customerId } = await tenant(testApp.app);
    const created = await createCloudWatch(call);
    const trashed = await createCloudWatch(call, { name: 'in the trash' });
    ok(await call('DELETE', `/api/v2/cloudintegration/${trashed.id}`));
    const externalId = await issueExternalId(call);
    const before = await rowText(testApp, created.id);
    const beforeTrashed = await rowText(testApp, trashed.id);

    const writes: Array<[Parameters<typeof read>[0], string, unknown?]> = [
      ['POST', '/api/v2/cloudintegration/awsExternalId'],
      ['POST', '/api/v2/cloudintegration/awsExternalId', {}],
      ['DELETE', `/api/v2/cloudintegration/awsExternalId/${externalId}`],
      ['POST', '/api/v2/cloudintegration', cloudWatchBody(externalId)],
      ['PUT', `/api/v2/cloudintegration/${created.id}`, { ...cloudWatchBody(undefined), name: 'renamed' }],
      ['DELETE', `/api/v2/cloudintegration/${created.id}`],
      ['DELETE', `/api/v2/cloudintegration/${created.id}?skipTrash=true`],
      ['POST', `/api/v2/cloudintegration/${created.id}/disable`],
      ['POST', `/api/v2/cloudintegration/${created.id}/enable`],
      ['POST', `/api/v2/cloudintegration/${trashed.id}/undelete`],
    ];
    for (const [method, url, body] of writes) {
      assertError(await read(method, url, body), 403, 'agent_management');
    }
    assert.equal(await rowText(testApp, created.id), before, 'the integration is unchanged');
    assert.equal(await rowText(testApp, trashed.id), beforeTrashed, 'the trashed integration is still in the trash');
    assert.equal(await integrationCount(testApp, customerId), 2, 'nothing was created');
    assert.equal(ok(await call('GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`)), externalId, 'the external ID was not deleted');
    const issued = await testApp.database.pool.query('SELECT count(*)::int AS n FROM external_ids WHERE customer_id = $1', [customerId]);
    assert.equal(issued.rows[0].n, 3, 'no external ID was issued by the reader');
  });

  test('403 comes before the body is looked at', async () => {
    const { app } = ctx();
    const { readerToken } = await tenant(app);
    const res = await raw(app, readerToken, 'POST', '/api/v2/cloudintegration', '{not json', { 'content-type': 'application/json' });
    assertError(res, 403);
  });
});

describe('tenants', () => {
  const ctx = suiteApp();

  test("another customer's integration is a 404 on GET, PUT, DELETE and every action, and stays untouched", async () => {
    const testApp = ctx();
    const owner = await tenant(testApp.app);
    const stranger = await tenant(testApp.app, 'acme');
    const theirs = await createCloudWatch(owner.call);
    const before = await rowText(testApp, theirs.id);

    assertError(await stranger.call('GET', `/api/v2/cloudintegration/${theirs.id}`), 404);
    assertError(await stranger.read('GET', `/api/v2/cloudintegration/${theirs.id}`), 404);
    assertError(await stranger.call('PUT', `/api/v2/cloudintegration/${theirs.id}`, { ...cloudWatchBody(undefined), name: 'hijacked' }), 404);
    for (const verb of ['disable', 'enable', 'undelete']) {
      assertError(await stranger.call('POST', `/api/v2/cloudintegration/${theirs.id}/${verb}`), 404);
    }
    assertError(await stranger.call('DELETE', `/api/v2/cloudintegration/${theirs.id}`), 404);
    assertError(await stranger.call('DELETE', `/api/v2/cloudintegration/${theirs.id}?skipTrash=true`), 404);
    assert.equal(await rowText(testApp, theirs.id), before);

    // Also while it is in the trash.
    ok(await owner.call('DELETE', `/api/v2/cloudintegration/${theirs.id}`));
    assertError(await stranger.call('POST', `/api/v2/cloudintegration/${theirs.id}/undelete`), 404);
    assertError(await stranger.call('GET', `/api/v2/cloudintegration/${theirs.id}`), 404);
    assert.equal(ok(await owner.call('GET', `/api/v2/cloudintegration/${theirs.id}`)).inTrash, true);
  });

  test("another customer's integrations never show in lists, searches or facets", async () => {
    const { app } = ctx();
    const owner = await tenant(app);
    const stranger = await tenant(app);
    const theirs = await createCloudWatch(owner.call, { name: 'secret-name' });
    const trashed = await createCloudWatch(owner.call, { name: 'secret-trashed' });
    ok(await owner.call('DELETE', `/api/v2/cloudintegration/${trashed.id}`));
    await createCloudWatch(stranger.call, { name: 'mine' });

    const list = ok(await stranger.call('GET', '/api/v2/cloudintegration'));
    assert.deepEqual(list.items.map((i: any) => i.name), ['mine']);
    assert.equal(list.totalItems, 1);
    const byId = ok(await stranger.call('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'id', value: theirs.id, matchingMethod: 'EXACT' }] }));
    assert.equal(byId.totalItems, 0);
    const byName = ok(await stranger.call('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'name', value: 'secret' }] }));
    assert.equal(byName.totalItems, 0);
    const deleted = ok(await stranger.call('POST', '/api/v2/search/cloudintegration/deleted', {}));
    assert.equal(deleted.totalItems, 0);
    const names = ok(await stranger.call('POST', '/api/v2/search/cloudintegration/name', {}));
    assert.deepEqual(names.items, ['mine']);
    const deletedNames = ok(await stranger.call('POST', '/api/v2/search/cloudintegration/deleted/name', {}));
    assert.deepEqual(deletedNames.items, []);
    const facets = ok(await stranger.call('POST', '/api/v2/search/cloudintegration/facets', { facets: ['name', 'id'] }));
    assert.deepEqual(facets.facets.name, ['mine']);
    assert.ok(!facets.facets.id.includes(theirs.id));
  });

  test("another customer's external ID: 404 on confirm and delete, 400 on create, and the owner keeps it", async () => {
    const testApp = ctx();
    const owner = await tenant(testApp.app);
    const stranger = await tenant(testApp.app);
    const externalId = await issueExternalId(owner.call);

    assertError(await stranger.call('GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`), 404);
    assertError(await stranger.call('DELETE', `/api/v2/cloudintegration/awsExternalId/${externalId}`), 404);
    for (const body of [cloudWatchBody(externalId), cloudTrailBody(externalId)]) {
      assertError(await stranger.call('POST', '/api/v2/cloudintegration', body), 400, externalId, 'not issued');
    }
    assert.equal(await integrationCount(testApp, stranger.customerId), 0);

    // The stranger's failed attempts bound nothing: the owner can still use it with any role.
    const created = ok(await owner.call('POST', '/api/v2/cloudintegration', cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId } })));
    assert.equal(created.cloudWatch.baseCredentials.roleArn, OTHER_ROLE_ARN);
    assert.equal(ok(await owner.call('GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`)), externalId);
  });

  test('a token of customer acme creates integrations that belong to acme', async () => {
    const testApp = ctx();
    const acme = await testApp.app.services.tokens.create({ name: 'acme-admin', permissions: ['agent_management'], customerId: 'acme-corp' });
    const call = client(testApp.app, acme.token);
    const created = await createCloudWatch(call);
    const stored = await testApp.database.pool.query('SELECT customer_id FROM integrations WHERE id = $1', [created.id]);
    assert.equal(stored.rows[0].customer_id, 'acme-corp');
    assertError(await raw(testApp.app, testApp.admin, 'GET', `/api/v2/cloudintegration/${created.id}`), 404, 'does not exist');
  });
});
