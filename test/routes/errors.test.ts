// SPEC §1: every failure is the matching HTTP status with the Wavefront error envelope.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { buildApp, LOG_REDACT, LOG_SERIALIZERS } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openPool } from '../../src/db/client.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { client } from '../helpers/app.ts';
import { assertError, cloudWatchBody, createCloudWatch, issueExternalId, ok, raw, startApiAws, suiteApp, tenant } from './fixtures.ts';

const MISSING_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('error statuses and their envelope', () => {
  const ctx = suiteApp({ env: { SKYPORT_BODY_LIMIT: '4096' } });

  test('the success envelope is {status:{result:OK,message:"",code:200},response}', async () => {
    const { call } = await tenant(ctx().app);
    const res = await call('GET', '/api/v2/cloudintegration');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['response', 'status']);
    assert.deepEqual(res.body.status, { result: 'OK', message: '', code: 200 });
    assert.match(String(res.headers['content-type']), /^application\/json/);
  });

  test('400: malformed JSON', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    for (const payload of ['{"name":', '{name: "x"}', "{'a':1}", 'nonsense', '{"a":1}}', '[1,2']) {
      const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', payload, { 'content-type': 'application/json' });
      assertError(res, 400, 'JSON');
    }
  });

  test('400: a body of the wrong JSON type', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    for (const payload of ['[]', '"text"', '42', 'true', 'null']) {
      const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', payload, { 'content-type': 'application/json' });
      assertError(res, 400, 'body');
    }
  });

  test('400 names the field that is wrong', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', '/api/v2/cloudintegration', cloudWatchBody(externalId, { serviceRefreshRateInMins: 'often' })), 400, 'serviceRefreshRateInMins');
    assertError(await call('POST', '/api/v2/cloudintegration', { service: 'EC2', ec2: { baseCredentials: { externalId } } }), 400, 'name');
    assertError(await call('POST', '/api/v2/cloudintegration', cloudWatchBody(externalId, {}, { metricFilterRegex: '(' })), 400, 'metricFilterRegex');
  });

  test('401: no token, an unknown token, a malformed Authorization header, a revoked token', async () => {
    const { app } = ctx();
    const anonymous = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration' });
    assertError({ status: anonymous.statusCode, body: anonymous.json() }, 401, 'token');

    const unknown = await raw(app, 'skp_not-a-real-token', 'GET', '/api/v2/cloudintegration');
    assertError(unknown, 401, 'token');

    const basic = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assertError({ status: basic.statusCode, body: basic.json() }, 401);

    const emptyX = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { 'x-auth-token': '' } });
    assertError({ status: emptyX.statusCode, body: emptyX.json() }, 401);

    const created = await app.services.tokens.create({ name: 'soon-revoked', permissions: ['agent_management'] });
    ok(await raw(app, created.token, 'GET', '/api/v2/cloudintegration'));
    await app.services.tokens.revoke(created.id);
    assertError(await raw(app, created.token, 'GET', '/api/v2/cloudintegration'), 401, 'token');
  });

  test('403: a token without agent_management on a write', async () => {
    const { read } = await tenant(ctx().app);
    assertError(await read('POST', '/api/v2/cloudintegration/awsExternalId'), 403, 'agent_management');
  });

  test('404: an unknown integration id, well-formed or not', async () => {
    const { call } = await tenant(ctx().app);
    for (const id of [MISSING_ID, 'not-a-uuid', MISSING_ID.toUpperCase(), '1', 'x'.repeat(64)]) {
      assertError(await call('GET', `/api/v2/cloudintegration/${id}`), 404, 'does not exist');
      assertError(await call('PUT', `/api/v2/cloudintegration/${id}`, { name: 'n', service: 'EC2', ec2: { baseCredentials: { roleArn: 'arn:aws:iam::123456789012:role/x' } } }), 404);
      assertError(await call('DELETE', `/api/v2/cloudintegration/${id}`), 404);
      assertError(await call('DELETE', `/api/v2/cloudintegration/${id}?skipTrash=true`), 404);
      for (const verb of ['enable', 'disable', 'undelete']) assertError(await call('POST', `/api/v2/cloudintegration/${id}/${verb}`), 404);
    }
  });

  test('404: an id far longer than any id is an unknown id, in the envelope', async () => {
    const { call } = await tenant(ctx().app);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await call(method, `/api/v2/cloudintegration/${'a'.repeat(300)}`);
      assertError(res, 404);
      assert.ok(res.headers['x-request-id'], 'carries x-request-id');
    }
    assertError(await call('POST', `/api/v2/cloudintegration/${'b'.repeat(300)}/enable`), 404);
  });

  test('400: a URL that is not valid percent-encoding, in the envelope', async () => {
    const { call } = await tenant(ctx().app);
    const res = await call('GET', '/api/v2/cloudintegration/%zz');
    assertError(res, 400);
    assert.ok(res.headers['x-request-id'], 'carries x-request-id');
  });

  test('404: an unknown route, with or without a token', async () => {
    const { app } = ctx();
    const { call } = await tenant(app);
    assertError(await call('GET', '/api/v2/nothing-here'), 404, '/api/v2/nothing-here');
    assertError(await call('POST', '/api/v2/cloudintegration/0f8fad5b-d9cb-469f-a165-70867728950e/explode'), 404);
    assertError(await call('PATCH' as 'GET', '/api/v2/cloudintegration'), 404);
    const anonymous = await app.inject({ method: 'GET', url: '/no/such/path?x=1' });
    assertError({ status: anonymous.statusCode, body: anonymous.json() }, 404, '/no/such/path');
    assert.doesNotMatch(anonymous.json().status.message, /x=1/, 'the query string is not echoed');
  });

  test('413: a body larger than SKYPORT_BODY_LIMIT', async () => {
    const { app } = ctx();
    const { token, call } = await tenant(app);
    const externalId = await issueExternalId(call);
    const huge = JSON.stringify(cloudWatchBody(externalId, { padding: 'x'.repeat(5000) }));
    const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', huge, { 'content-type': 'application/json' });
    assertError(res, 413, '4096');
    ok(await call('GET', '/api/v2/cloudintegration'), 'the app still answers');
    const search = await raw(app, token, 'POST', '/api/v2/search/cloudintegration', JSON.stringify({ query: [{ key: 'name', value: 'y'.repeat(8000) }] }), {
      'content-type': 'application/json',
    });
    assertError(search, 413);
  });

  test('415: a body in a content type other than JSON', async () => {
    const { app } = ctx();
    const { token, call } = await tenant(app);
    const externalId = await issueExternalId(call);
    const body = JSON.stringify(cloudWatchBody(externalId));
    for (const type of ['application/xml', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
      const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', body, { 'content-type': type });
      assertError(res, 415, 'content type');
      const search = await raw(app, token, 'POST', '/api/v2/search/cloudintegration', '{}', { 'content-type': type });
      assertError(search, 415);
    }
    const list = ok(await call('GET', '/api/v2/cloudintegration'));
    assert.equal(list.totalItems, 0, 'nothing was stored');
  });

  test('JSON with a charset parameter is accepted', async () => {
    const { app } = ctx();
    const { token, call } = await tenant(app);
    const externalId = await issueExternalId(call);
    const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', JSON.stringify(cloudWatchBody(externalId)), {
      'content-type': 'application/json; charset=utf-8',
    });
    assert.equal(res.status, 200);
  });

  test('never 406: an Accept header the server cannot satisfy still gets JSON', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    for (const accept of ['application/xml', 'text/html', 'image/png']) {
      const res = await raw(app, token, 'GET', '/api/v2/cloudintegration', undefined, { accept });
      assert.equal(res.status, 200, `Accept: ${accept}`);
      const missing = await raw(app, token, 'GET', `/api/v2/cloudintegration/${MISSING_ID}`, undefined, { accept });
      assertError(missing, 404);
    }
  });

  test('every response carries x-request-id; a sane one sent by the client is kept', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const given = await raw(app, token, 'GET', '/api/v2/cloudintegration', undefined, { 'x-request-id': 'trace-abc.123' });
    assert.equal(given.headers['x-request-id'], 'trace-abc.123');
    const made = await raw(app, token, 'GET', `/api/v2/cloudintegration/${MISSING_ID}`);
    assert.ok(typeof made.headers['x-request-id'] === 'string' && made.headers['x-request-id'].length > 0);
    const hostile = await raw(app, token, 'GET', '/api/v2/cloudintegration', undefined, { 'x-request-id': 'bad id\twith "quotes"' });
    assert.notEqual(hostile.headers['x-request-id'], 'bad id\twith "quotes"', 'an unsafe request id is replaced');
  });

  test('4xx bodies never carry a stack trace', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const res = await raw(app, token, 'POST', '/api/v2/cloudintegration', '{"name": tru', { 'content-type': 'application/json' });
    assertError(res, 400);
    assert.doesNotMatch(res.text, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  });
});

describe('5xx: the database goes away', () => {
  test('503 with the envelope and a request id that matches x-request-id; no stack, no SQL', async (t) => {
    const aws = await startApiAws(t);
    const database = await createTestDatabase();
    t.after(() => database.close());
    // The app gets a pool of its own, so the test can take the database away from it.
    const appPool = openPool(database.url, 2);
    const app = await buildApp({ config: loadConfig({ SKYPORT_AUTH_CACHE_TTL: '1h' }), database: appPool, aws: aws.settings });
    await app.ready();
    t.after(() => app.close());
    const { token } = await app.services.tokens.create({ name: 'admin', permissions: ['agent_management'] });
    const call = client(app, token);
    const created = await createCloudWatch(call);

    await appPool.pool.end();

    const requests: Array<[Parameters<typeof call>[0], string, unknown?]> = [
      ['GET', `/api/v2/cloudintegration/${created.id}`],
      ['GET', '/api/v2/cloudintegration'],
      ['POST', '/api/v2/cloudintegration/awsExternalId'],
      ['POST', '/api/v2/search/cloudintegration', { query: [{ key: 'id', value: created.id, matchingMethod: 'EXACT' }] }],
      ['PUT', `/api/v2/cloudintegration/${created.id}`, { name: 'x', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: created.cloudWatch.baseCredentials.roleArn } } }],
      ['DELETE', `/api/v2/cloudintegration/${created.id}`],
    ];
    for (const [method, url, body] of requests) {
      const res = await call(method, url, body);
      const message = assertError(res, 503, 'database');
      const requestId = res.headers['x-request-id'];
      assert.ok(typeof requestId === 'string' && requestId.length > 0);
      assert.ok(message.includes(requestId), `"${message}" carries the request id ${requestId}`);
      assert.doesNotMatch(message, /select|insert|update|delete from|"integrations"|pool|\bat \w|\.ts:\d+/i, `no SQL or stack in "${message}"`);
    }
    const traced = await call('GET', '/api/v2/cloudintegration', undefined, { 'x-request-id': 'req-503-check' });
    assert.equal(traced.headers['x-request-id'], 'req-503-check');
    assert.ok(traced.body.status.message.includes('req-503-check'));
  });

  test('the log line of a 5xx carries the same request id; no log line carries a token', async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    // The logger as the server builds it (src/server.ts): pino with LOG_REDACT and LOG_SERIALIZERS.
    const logger = pino({ level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS }, sink);
    const aws = await startApiAws(t);
    const database = await createTestDatabase();
    t.after(() => database.close());
    const appPool = openPool(database.url, 2);
    const app = await buildApp({ config: loadConfig({ SKYPORT_AUTH_CACHE_TTL: '1h' }), database: appPool, aws: aws.settings, logger });
    await app.ready();
    t.after(() => app.close());
    const { token } = await app.services.tokens.create({ name: 'admin', permissions: ['agent_management'] });
    ok(await raw(app, token, 'GET', '/api/v2/cloudintegration'));
    assert.equal((await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { 'x-auth-token': token } })).statusCode, 200);
    await raw(app, `${token}x`, 'GET', '/api/v2/cloudintegration');

    await appPool.pool.end();
    const failed = await raw(app, token, 'GET', '/api/v2/cloudintegration', undefined, { 'x-request-id': 'trace-the-outage' });
    assertError(failed, 503);
    const errorLines = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    assert.ok(errorLines.some((l) => l.reqId === 'trace-the-outage'), `an error line carries reqId trace-the-outage: ${JSON.stringify(errorLines)}`);
    assert.ok(lines.length > 0);
    for (const line of lines) assert.ok(!line.includes(token), `no token in: ${line}`);
  });
});
