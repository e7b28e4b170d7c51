// SPEC §1: what the generated Wavefront clients put on the wire must work unchanged (Python client v2.223,
// Go client, Terraform provider, curl): JSON content types on body-less requests, {} and null bodies,
// skipTrash=True, trailing slashes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertError, cloudWatchBody, createIntegration, issueExternalId, ok, raw, suiteApp, tenant } from './fixtures.ts';

const URL = '/api/v2/cloudintegration';
const JSON_TYPE = { 'content-type': 'application/json' };
// The Python client's default headers.
const PYTHON = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Swagger-Codegen/2.223.1/python' };

describe('client wire habits', () => {
  const ctx = suiteApp();

  async function setup() {
    const { app } = ctx();
    const t = await tenant(app);
    const created = await createIntegration(t.call, cloudWatchBody(await issueExternalId(t.call)));
    return { app, ...t, created };
  }

  test('GET with Content-Type: application/json and no body (list, one, external ID)', async () => {
    const { app, token, created } = await setup();
    const externalId = created.cloudWatch.baseCredentials.externalId;
    for (const url of [URL, `${URL}/${created.id}`, `${URL}/awsExternalId/${externalId}`, `${URL}?offset=0&limit=100`]) {
      const res = await raw(app, token, 'GET', url, undefined, PYTHON);
      assert.equal(res.status, 200, `${url}: ${res.text}`);
    }
    const empty = await raw(app, token, 'GET', `${URL}/${created.id}`, '', PYTHON);
    assert.equal(empty.status, 200);
  });

  for (const [label, payload] of [['no body', undefined], ['an empty body', ''], ['{}', '{}'], ['null', 'null']] as const) {
    test(`DELETE and the action POSTs with Content-Type: application/json and ${label}`, async () => {
      const { app, token, call, created } = await setup();
      const send = (method: 'POST' | 'DELETE', url: string) => raw(app, token, method, url, payload, PYTHON);
      const disabled = await send('POST', `${URL}/${created.id}/disable`);
      assert.equal(disabled.status, 200, disabled.text);
      assert.equal(disabled.body.response.disabled, true);
      const enabled = await send('POST', `${URL}/${created.id}/enable`);
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal(enabled.body.response.disabled, false);
      const trashed = await send('DELETE', `${URL}/${created.id}`);
      assert.equal(trashed.status, 200, trashed.text);
      assert.equal(trashed.body.response.inTrash, true);
      const restored = await send('POST', `${URL}/${created.id}/undelete`);
      assert.equal(restored.status, 200, restored.text);
      assert.equal(restored.body.response.inTrash, false);
      const issued = await send('POST', `${URL}/awsExternalId`);
      assert.equal(issued.status, 200, issued.text);
      const removedId = await send('DELETE', `${URL}/awsExternalId/${issued.body.response}`);
      assert.equal(removedId.status, 200, removedId.text);
      const gone = await raw(app, token, 'DELETE', `${URL}/${created.id}?skipTrash=True`, payload, PYTHON);
      assert.equal(gone.status, 200, gone.text);
      assertError(await call('GET', `${URL}/${created.id}`), 404);
    });
  }

  test('the action POSTs and DELETE without any Content-Type (curl -X POST)', async () => {
    const { app, token, created } = await setup();
    for (const [method, url] of [['POST', `${URL}/${created.id}/disable`], ['POST', `${URL}/${created.id}/enable`], ['DELETE', `${URL}/${created.id}`], ['POST', `${URL}/${created.id}/undelete`]] as const) {
      const res = await app.inject({ method, url, headers: { 'x-auth-token': token } });
      assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
    }
  });

  test('skipTrash=True (Python) deletes for good', async () => {
    const { call, created } = await setup();
    ok(await call('DELETE', `${URL}/${created.id}?skipTrash=True`));
    assertError(await call('GET', `${URL}/${created.id}`), 404);
  });

  test('a trailing slash is accepted', async () => {
    const { call, created } = await setup();
    assert.equal(ok(await call('GET', `${URL}/`)).totalItems, 1);
    assert.equal(ok(await call('GET', `${URL}/${created.id}/`)).id, created.id);
  });

  test('POST and PUT bodies as the Python client serialises them (no nulls, camelCase, forceSave false)', async () => {
    const { app, token, call } = await setup();
    const externalId = await issueExternalId(call);
    const body = JSON.stringify({
      name: 'python',
      service: 'CLOUDWATCH',
      forceSave: false,
      serviceRefreshRateInMins: 5,
      cloudWatch: { baseCredentials: { roleArn: 'arn:aws:iam::123456789012:role/python', externalId }, namespaces: ['AWS/EC2'] },
    });
    const created = await raw(app, token, 'POST', URL, body, PYTHON);
    assert.equal(created.status, 200, created.text);
    const updated = await raw(app, token, 'PUT', `${URL}/${created.body.response.id}`, JSON.stringify({ ...created.body.response, name: 'python 2' }), PYTHON);
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.response.name, 'python 2');
  });

  test('search with the Python client body and headers', async () => {
    const { app, token, created } = await setup();
    const res = await raw(
      app,
      token,
      'POST',
      '/api/v2/search/cloudintegration',
      JSON.stringify({ limit: 100, offset: 0, query: [{ key: 'id', value: created.id, matchingMethod: 'EXACT', negated: false }], sort: { field: 'name', ascending: true } }),
      PYTHON,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.response.items[0].id, created.id);
  });

  test('responses are JSON with the envelope the Go client decodes', async () => {
    const { app, token, created } = await setup();
    const res = await raw(app, token, 'GET', `${URL}/${created.id}`, undefined, JSON_TYPE);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.body.status, { result: 'OK', message: '', code: 200 });
    assert.equal(res.body.response.id, created.id);
  });
});
