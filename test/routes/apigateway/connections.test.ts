import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock } from '../../helpers/app.ts';
import { assertError, buildApiTestApp, issueExternalId, ok, raw, suiteApp, tenant, OTHER_ROLE_ARN, UUID_LOWER } from '../fixtures.ts';
import { createMaintenance } from '../../../src/services/api/maintenance.ts';
import { BASE, createRoleConnection, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

describe('apigatewayconnection: create, read, replace, trash, enable/disable', () => {
  const suite = suiteApp({ env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });

  test('a create answers 200 with the stored connection, every setting with its default, forceSave false', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    const created = ok(await call('POST', BASE, roleBody(externalId, { forceSave: true })));
    assert.match(created.id, UUID_LOWER);
    assert.deepEqual(created.credentials, { type: 'ROLE', roleArn: 'arn:aws:iam::123456789012:role/skyport-reader', externalId });
    assert.deepEqual(created.regions, ['us-east-1', 'eu-west-1']);
    assert.deepEqual(created.apiTypes, ['REST', 'HTTP', 'WEBSOCKET']);
    assert.deepEqual(created.stages, { include: ['*'], exclude: [] });
    assert.deepEqual(created.apiFilter, {});
    assert.deepEqual(created.export, { enabled: true, format: 'oas30', extensions: 'none' });
    assert.deepEqual(created.subscriptions, { enabled: false });
    assert.deepEqual(created.traffic, { enabled: false, logGroups: 'auto', unusedAfterDays: 30, initialLookbackMins: 60 });
    assert.equal(created.syncIntervalMins, 15);
    assert.equal(created.forceSave, false);
    assert.equal(created.disabled, false);
    assert.equal(created.inTrash, false);
    assert.equal(created.apiCount, 0);
    assert.equal(created.endpointCount, 0);
    assert.deepEqual(ok(await call('GET', `${BASE}/${created.id}`)), created, 'a read returns what the create returned');
  });

  test('every writable setting is stored as sent; unknown and read-only keys are ignored', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    const settings = {
      apiTypes: ['HTTP', 'REST'],
      stages: { include: ['prod', 'v*'], exclude: ['v0-?'] },
      apiFilter: { nameRegex: '^orders-', tags: { team: 'payments' } },
      export: { enabled: false, format: 'swagger', extensions: 'apigateway' },
      subscriptions: { enabled: true },
      traffic: { enabled: true, logGroups: ['/aws/apigateway/orders'], unusedAfterDays: 7, initialLookbackMins: 120 },
      syncIntervalMins: 60,
      additionalTags: { env: 'prod' },
    };
    const created = ok(
      await call('POST', BASE, { ...roleBody(externalId, { forceSave: true, ...settings }), id: 'mine', apiCount: 99, disabled: true, color: 'blue' }),
    );
    assert.notEqual(created.id, 'mine');
    assert.equal(created.apiCount, 0);
    assert.equal(created.disabled, false);
    assert.equal(created.color, undefined);
    assert.deepEqual(created.apiTypes, ['REST', 'HTTP'], 'in the canonical order');
    for (const key of ['stages', 'apiFilter', 'export', 'subscriptions', 'traffic', 'syncIntervalMins', 'additionalTags'] as const) {
      assert.deepEqual(created[key], settings[key], key);
    }
  });

  test('the list shows live connections only, paged in creation order; another customer sees none of them', async () => {
    const app = suite().app;
    const { call } = await tenant(app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createRoleConnection(call, { name: `c${i}` })).id);
    ok(await call('DELETE', `${BASE}/${ids[1]}`));
    const page1 = ok(await call('GET', `${BASE}?limit=1`));
    assert.deepEqual(page1.items.map((c: any) => c.id), [ids[0]]);
    assert.equal(page1.totalItems, 2);
    assert.equal(page1.moreItems, true);
    const page2 = ok(await call('GET', `${BASE}?offset=1&limit=1`));
    assert.deepEqual(page2.items.map((c: any) => c.id), [ids[2]]);
    assert.equal(page2.moreItems, false);
    assertError(await call('GET', `${BASE}?limit=1001`), 400, 'limit');

    const other = await tenant(app);
    assert.equal(ok(await other.call('GET', BASE)).totalItems, 0);
  });

  test("another customer's connection is a 404 on every route", async () => {
    const app = suite().app;
    const owner = await tenant(app);
    const id = (await createRoleConnection(owner.call)).id;
    const stranger = await tenant(app);
    const externalId = await issueExternalId(stranger.call);
    const attempts: Array<[any, string, unknown?]> = [
      ['GET', `${BASE}/${id}`],
      ['PUT', `${BASE}/${id}`, roleBody(externalId, { forceSave: true })],
      ['DELETE', `${BASE}/${id}`],
      ['DELETE', `${BASE}/${id}?skipTrash=true`],
      ['POST', `${BASE}/${id}/disable`],
      ['POST', `${BASE}/${id}/enable`],
      ['POST', `${BASE}/${id}/undelete`],
      ['GET', `${BASE}/${id}/policy`],
      ['POST', `${BASE}/${id}/check`],
    ];
    for (const [method, url, body] of attempts) assertError(await stranger.call(method, url, body), 404, 'does not exist');
    const search = ok(await stranger.call('POST', '/api/v2/search/apigatewayconnection', { query: [{ key: 'id', value: id, matchingMethod: 'EXACT' }] }));
    assert.equal(search.totalItems, 0);
    // Still there, unchanged, for its owner.
    assert.equal(ok(await owner.call('GET', `${BASE}/${id}`)).disabled, false);
    assertError(await owner.call('GET', `${BASE}/not-a-uuid`), 404);
  });

  test('a read-only token reads but every write is a 403 and changes nothing', async () => {
    const { call, read } = await tenant(suite().app);
    const connection = await createRoleConnection(call);
    const id = connection.id;
    assert.equal(ok(await read('GET', `${BASE}/${id}`)).id, id);
    assert.equal(ok(await read('GET', BASE)).totalItems, 1);
    assert.equal(ok(await read('GET', `${BASE}/${id}/policy`)).trustPolicy.Statement[0].Condition.StringEquals['sts:ExternalId'], connection.credentials.externalId);
    assert.equal(ok(await read('POST', '/api/v2/search/apigatewayconnection', {})).totalItems, 1);
    const writes: Array<[any, string, unknown?]> = [
      ['POST', BASE, roleBody(connection.credentials.externalId, { forceSave: true })],
      ['PUT', `${BASE}/${id}`, { ...roleBody(undefined, { forceSave: true }), name: 'renamed' }],
      ['DELETE', `${BASE}/${id}`],
      ['POST', `${BASE}/${id}/disable`],
      ['POST', `${BASE}/${id}/enable`],
      ['POST', `${BASE}/${id}/undelete`],
      ['POST', `${BASE}/${id}/check`],
    ];
    for (const [method, url, body] of writes) assertError(await read(method, url, body), 403, 'agent_management');
    assert.deepEqual(ok(await call('GET', `${BASE}/${id}`)), connection);
  });

  test('PUT replaces the writable fields, keeps the stored external ID when left out, and the path id wins', async () => {
    const { call } = await tenant(suite().app);
    const created = await createRoleConnection(call, { syncIntervalMins: 5, stages: { include: ['prod'] } });
    const replaced = ok(await call('PUT', `${BASE}/${created.id}`, { ...roleBody(undefined), id: 'other', name: 'renamed', regions: ['*'] }));
    assert.equal(replaced.id, created.id);
    assert.equal(replaced.name, 'renamed');
    assert.deepEqual(replaced.regions, ['*']);
    assert.equal(replaced.syncIntervalMins, 15, 'left out: back to the default');
    assert.deepEqual(replaced.stages, { include: ['*'], exclude: [] });
    assert.equal(replaced.credentials.externalId, created.credentials.externalId, 'the stored external ID is kept');
    assert.equal(replaced.createdEpochMillis, created.createdEpochMillis);
  });

  test('trash, undelete, delete for good (skipTrash=True from Python), enable and disable', async () => {
    const { call } = await tenant(suite().app);
    const { id } = await createRoleConnection(call);
    const search = async (trashed: boolean) =>
      ok(await call('POST', `/api/v2/search/apigatewayconnection${trashed ? '/deleted' : ''}`, { query: [{ key: 'id', value: id, matchingMethod: 'EXACT' }] })).totalItems;

    const trashed = ok(await call('DELETE', `${BASE}/${id}`));
    assert.equal(trashed.inTrash, true);
    assert.equal(trashed.deleted, true);
    assert.equal(ok(await call('GET', `${BASE}/${id}`)).inTrash, true, 'still readable in the trash');
    assert.equal(ok(await call('GET', BASE)).totalItems, 0);
    assert.deepEqual([await search(false), await search(true)], [0, 1]);

    assert.equal(ok(await call('POST', `${BASE}/${id}/undelete`, {})).inTrash, false);
    assert.deepEqual([await search(false), await search(true)], [1, 0]);

    assert.equal(ok(await call('POST', `${BASE}/${id}/disable`, null)).disabled, true);
    assert.equal(ok(await call('POST', `${BASE}/${id}/disable`)).disabled, true, 'idempotent');
    assert.equal(ok(await call('POST', `${BASE}/${id}/enable`)).disabled, false);

    const gone = ok(await call('DELETE', `${BASE}/${id}?skipTrash=True`));
    assert.equal(gone.id, id);
    assertError(await call('GET', `${BASE}/${id}`), 404);
    assertError(await call('POST', `${BASE}/${id}/undelete`), 404);
  });

  test('search by name, disabled and regions (any region of the list), sorted; unknown keys and sort fields are 400s', async () => {
    const { call } = await tenant(suite().app);
    const a = await createRoleConnection(call, { name: 'orders eu', regions: ['eu-west-1', 'eu-central-1'] });
    const b = await createRoleConnection(call, { name: 'orders us', regions: ['us-east-1'] });
    const c = await createRoleConnection(call, { name: 'billing', regions: ['*'] });
    ok(await call('POST', `${BASE}/${b.id}/disable`));
    const find = async (body: unknown) => ok(await call('POST', '/api/v2/search/apigatewayconnection', body)).items.map((x: any) => x.id);

    assert.deepEqual(await find({ query: [{ key: 'name', value: 'ORDERS' }] }), [a.id, b.id]);
    assert.deepEqual(await find({ query: [{ key: 'name', value: 'orders', matchingMethod: 'STARTSWITH' }], sort: { field: 'name', ascending: false } }), [b.id, a.id]);
    assert.deepEqual(await find({ query: [{ key: 'disabled', value: 'true', matchingMethod: 'EXACT' }] }), [b.id]);
    assert.deepEqual(await find({ query: [{ key: 'regions', value: 'eu-central-1', matchingMethod: 'EXACT' }] }), [a.id]);
    assert.deepEqual(await find({ query: [{ key: 'regions', value: 'us-' }] }), [b.id]);
    assert.deepEqual(await find({ query: [{ key: 'regions', value: '*', matchingMethod: 'EXACT' }] }), [c.id]);
    assert.deepEqual(await find({ query: [{ key: 'regions', values: ['eu-west-1', 'us-east-1'], matchingMethod: 'EXACT', negated: true }] }), [c.id]);
    assert.deepEqual(await find({ query: [{ key: 'id', value: c.id.toUpperCase(), matchingMethod: 'EXACT' }] }), [c.id]);
    assertError(await call('POST', '/api/v2/search/apigatewayconnection', { query: [{ key: 'service', value: 'x' }] }), 400, 'service', 'not searchable');
    assertError(await call('POST', '/api/v2/search/apigatewayconnection', { sort: { field: 'secretAccessKey' } }), 400, 'not sortable');
    assertError(await call('POST', '/api/v2/search/apigatewayconnection', { query: [{ key: 'name' }] }), 400, 'value');
  });

  test('a bare body, null and {} are accepted on the action POSTs and DELETE (Wavefront clients send them)', async () => {
    const app = suite().app;
    const t = await tenant(app);
    const { id } = await createRoleConnection(t.call);
    for (const payload of ['{}', 'null']) {
      const res = await raw(app, t.token, 'POST', `${BASE}/${id}/disable`, payload, { 'content-type': 'application/json' });
      assert.equal(res.status, 200, res.text);
    }
    const del = await raw(app, t.token, 'DELETE', `${BASE}/${id}`, '{}', { 'content-type': 'application/json' });
    assert.equal(del.status, 200, del.text);
  });
});

describe('apigatewayconnection: validation', () => {
  const suite = suiteApp({ env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });

  test('an unknown region is a 400 naming it; "*" stands alone', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['us-east-1', 'us-east1'] })), 400, 'regions[1]', '"us-east1"', 'not an AWS region');
    assertError(await call('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['*', 'us-east-1'] })), 400, 'regions', 'cannot be combined');
    assertError(await call('POST', BASE, roleBody(externalId, { forceSave: true, regions: [] })), 400, 'regions');
    assert.deepEqual(ok(await call('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['eu-west-1', 'eu-west-1'] }))).regions, ['eu-west-1']);
  });

  test('a regex the linear-time engine refuses is a 400 naming apiFilter.nameRegex', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    for (const bad of ['(unclosed', '(a)\\1', '(?=lookahead)x']) {
      assertError(await call('POST', BASE, roleBody(externalId, { forceSave: true, apiFilter: { nameRegex: bad } })), 400, 'apiFilter.nameRegex', 'regular expression');
    }
    // A pattern that would backtrack catastrophically elsewhere is fine on a linear-time engine.
    assert.equal(ok(await call('POST', BASE, roleBody(externalId, { forceSave: true, apiFilter: { nameRegex: '(a+)+$' } }))).apiFilter.nameRegex, '(a+)+$');
  });

  test('stage globs, API types, export, traffic and intervals are checked, naming the field', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ stages: { include: ['prod stage'] } }, 'stages.include[0]'],
      [{ stages: { exclude: [''] } }, 'exclude'],
      [{ stages: { include: Array.from({ length: 51 }, (_, i) => `s${i}`) } }, 'include'],
      [{ apiTypes: ['SOAP'] }, 'apiTypes'],
      [{ apiTypes: [] }, 'apiTypes'],
      [{ export: { format: 'yaml' } }, 'format'],
      [{ export: { extensions: 'integrations' } }, 'extensions'],
      [{ traffic: { logGroups: 'all' } }, 'logGroups'],
      [{ traffic: { logGroups: ['bad group name'] } }, 'logGroups'],
      [{ traffic: { unusedAfterDays: 0 } }, 'unusedAfterDays'],
      [{ syncIntervalMins: 0 }, 'syncIntervalMins'],
      [{ syncIntervalMins: 1441 }, 'syncIntervalMins'],
      [{ syncIntervalMins: '15' }, 'syncIntervalMins'],
      [{ name: '   ' }, 'name'],
      [{ additionalTags: { k: 5 } }, 'additionalTags'],
    ];
    for (const [extra, field] of bad) assertError(await call('POST', BASE, roleBody(externalId, { forceSave: true, ...extra })), 400, field);
    assertError(await call('POST', BASE, { name: 'x', regions: ['us-east-1'] }), 400, 'credentials');
  });

  test('credentials are checked per type, naming the field', async () => {
    const { call } = await tenant(suite().app);
    const externalId = await issueExternalId(call);
    const body = (credentials: Record<string, unknown>) => ({ name: 'x', regions: ['us-east-1'], forceSave: true, credentials });
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ type: 'ROLE', externalId }, ['credentials.roleArn', 'required']],
      [{ type: 'ROLE', roleArn: 'arn:aws:iam::123:role/x', externalId }, ['credentials.roleArn', 'not an IAM role ARN']],
      [{ type: 'ROLE', roleArn: 'arn:aws:iam::123456789012:role/x' }, ['credentials.externalId', 'awsExternalId']],
      [{ type: 'ACCESS_KEY', secretAccessKey: 's' }, ['credentials.accessKeyId', 'required']],
      [{ type: 'ACCESS_KEY', accessKeyId: 'not a key', secretAccessKey: 's' }, ['credentials.accessKeyId']],
      [{ type: 'ACCESS_KEY', accessKeyId: 'AKIAEXAMPLE000000001' }, ['credentials.secretAccessKey', 'required']],
      [{ type: 'ACCESS_KEY', accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 's', externalId }, ['externalId', 'roleArn']],
      [{ type: 'ROLE', roleArn: 'arn:aws:iam::123456789012:role/x', externalId, accessKeyId: 'AKIAEXAMPLE000000001' }, ['only for type ACCESS_KEY']],
      [{ type: 'KEYS' }, ['type']],
    ];
    for (const [credentials, fragments] of cases) assertError(await call('POST', BASE, body(credentials)), 400, ...fragments);
  });

  test('external IDs: not issued, deleted, or bound to another role are 400s; one ID backs one role', async () => {
    const app = suite().app;
    const { call } = await tenant(app);
    assertError(await call('POST', BASE, roleBody('NotIssuedHere123', { forceSave: true })), 400, 'not issued by this server');
    const other = await tenant(app);
    const theirs = await issueExternalId(other.call);
    // Another customer's ID is unknown here.
    assertError(await call('POST', BASE, roleBody(theirs, { forceSave: true })), 400, 'not issued');

    const deleted = await issueExternalId(call);
    ok(await call('DELETE', `/api/v2/cloudintegration/awsExternalId/${deleted}`));
    assertError(await call('POST', BASE, roleBody(deleted, { forceSave: true })), 400, 'was deleted');

    const shared = await issueExternalId(call);
    ok(await call('POST', BASE, roleBody(shared, { forceSave: true })));
    ok(await call('POST', BASE, roleBody(shared, { forceSave: true, name: 'same role, second connection' })));
    assertError(await call('POST', BASE, roleBody(shared, { forceSave: true }, OTHER_ROLE_ARN)), 400, 'already used with role');
    // The same ID is bound for integrations too: a CloudWatch integration with another role is refused.
    const integration = await call('POST', '/api/v2/cloudintegration', {
      name: 'x', service: 'CLOUDWATCH', forceSave: true, cloudWatch: { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId: shared } },
    });
    assertError(integration, 400, 'already used with role');
  });
});

test('a PUT may move a connection to another role with its external ID only while nothing else uses that ID', async (t) => {
  const { app } = await buildApiTestApp(t, { env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  const { call } = await tenant(app);
  const externalId = await issueExternalId(call);
  const first = ok(await call('POST', BASE, roleBody(externalId, { forceSave: true })));
  const alone = ok(await call('PUT', `${BASE}/${first.id}`, roleBody(undefined, { forceSave: true }, OTHER_ROLE_ARN)));
  assert.equal(alone.credentials.roleArn, OTHER_ROLE_ARN);
  assert.equal(alone.credentials.externalId, externalId);
  // The ID now backs the new role: a second connection with it uses that role, and then the first cannot move back alone.
  const second = ok(await call('POST', BASE, roleBody(externalId, { forceSave: true }, OTHER_ROLE_ARN)));
  assertError(await call('PUT', `${BASE}/${first.id}`, roleBody(undefined, { forceSave: true })), 400, `also used by ${second.id}`);
  assert.equal(ok(await call('GET', `${BASE}/${first.id}`)).credentials.roleArn, OTHER_ROLE_ARN, 'unchanged');
});

test('an external ID that expired unused is a 400; one in use stays good after the TTL', async (t) => {
  const clock = manualClock();
  const { app } = await buildApiTestApp(t, { clock, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY, SKYPORT_EXTERNAL_ID_TTL: '1h' } });
  const { call } = await tenant(app);
  const unused = await issueExternalId(call);
  const used = await issueExternalId(call);
  ok(await call('POST', BASE, roleBody(used, { forceSave: true })));
  clock.advance(2 * 3600_000);
  assertError(await call('POST', BASE, roleBody(unused, { forceSave: true })), 400, 'expired unused');
  ok(await call('POST', BASE, roleBody(used, { forceSave: true, name: 'second' })));
});

test('connections in the trash longer than SKYPORT_TRASH_RETENTION are purged by maintenance; live and younger ones stay', async (t) => {
  const clock = manualClock();
  const testApp = await buildApiTestApp(t, { clock, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY, SKYPORT_TRASH_RETENTION: '2d' } });
  const run = createMaintenance({ services: testApp.app.services, apigateway: testApp.app.apigateway, clock, trashRetentionMs: testApp.config.trashRetentionMs });
  const { call } = await tenant(testApp.app);
  const old = await createRoleConnection(call, { name: 'old trash' });
  const young = await createRoleConnection(call, { name: 'young trash' });
  const live = await createRoleConnection(call, { name: 'live' });
  ok(await call('DELETE', `${BASE}/${old.id}`));
  clock.advance(86_400_000);
  ok(await call('DELETE', `${BASE}/${young.id}`));
  clock.advance(86_400_000 + 1);
  assert.equal((await run()).purgedConnections, 1);
  assertError(await call('GET', `${BASE}/${old.id}`), 404);
  assert.equal(ok(await call('GET', `${BASE}/${young.id}`)).inTrash, true);
  assert.equal(ok(await call('GET', `${BASE}/${live.id}`)).inTrash, false);
});
