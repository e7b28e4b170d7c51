// What every request passes through besides its route: the request log line, the HTTP metrics and the token cache.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { LOG_REDACT, LOG_SERIALIZERS } from '../../src/app.ts';
import { client, manualClock } from '../helpers/app.ts';
import { buildApiTestApp, createCloudWatch, raw } from './fixtures.ts';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
}

function logSink() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  // The logger as the server builds it (src/server.ts): pino with LOG_REDACT and LOG_SERIALIZERS.
  return { lines, logger: pino({ level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS }, sink) };
}

test('each answered request is one info log line with method, URL, status, time and the request id', async (t) => {
  const { lines, logger } = logSink();
  const { app, admin } = await buildApiTestApp(t, { logger });
  const created = await createCloudWatch(client(app, admin));
  lines.length = 0;

  const get = await raw(app, admin, 'GET', `/api/v2/cloudintegration/${created.id}`, undefined, { 'x-request-id': 'trace-get-1' });
  assert.equal(get.status, 200);
  const refused = await raw(app, `${admin}x`, 'GET', '/api/v2/cloudintegration', undefined, { 'x-request-id': 'trace-401' });
  assert.equal(refused.status, 401);
  const missing = await app.inject({ method: 'GET', url: '/api/v2/nothing-here', headers: { 'x-request-id': 'trace-404' } });
  assert.equal(missing.statusCode, 404);

  const requestLines = lines.filter((l) => l.msg === 'request completed');
  assert.deepEqual(
    requestLines.map((l) => [l.reqId, l.req?.method, l.req?.url, l.res?.statusCode, l.level]),
    [
      ['trace-get-1', 'GET', `/api/v2/cloudintegration/${created.id}`, 200, 30],
      ['trace-401', 'GET', '/api/v2/cloudintegration', 401, 30],
      ['trace-404', 'GET', '/api/v2/nothing-here', 404, 30],
    ],
  );
  for (const line of requestLines) assert.ok(typeof line.responseTime === 'number' && line.responseTime >= 0);
  assert.ok(!lines.some((l) => l.msg === 'incoming request'), 'no second line per request');
  for (const line of lines) assert.ok(!JSON.stringify(line).includes(admin), 'no token in the logs');
});

test('HTTP metrics count requests by route pattern and status, and unmatched URLs under one label', async (t) => {
  const { app, admin } = await buildApiTestApp(t);
  const created = await createCloudWatch(client(app, admin));
  for (let i = 0; i < 3; i++) assert.equal((await raw(app, admin, 'GET', `/api/v2/cloudintegration/${created.id}`)).status, 200);
  assert.equal((await raw(app, 'not-a-token', 'GET', `/api/v2/cloudintegration/${created.id}`)).status, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/no/such/route/1' })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: '/no/such/route/2' })).statusCode, 404);
  // Fastify's automatic HEAD twin of a GET route gets the same token check and is counted once.
  assert.equal((await app.inject({ method: 'HEAD', url: `/api/v2/cloudintegration/${created.id}` })).statusCode, 401);
  assert.equal((await app.inject({ method: 'HEAD', url: `/api/v2/cloudintegration/${created.id}`, headers: { authorization: `Bearer ${admin}` } })).statusCode, 200);

  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const count = (labels: string) => {
    const m = new RegExp(`^skyport_http_requests_total\\{${labels.replace(/[/:]/g, '\\$&')}\\} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  assert.equal(count('method="GET",route="/api/v2/cloudintegration/:id",status="200"'), 3);
  assert.equal(count('method="GET",route="/api/v2/cloudintegration/:id",status="401"'), 1);
  assert.equal(count('method="GET",route="unmatched",status="404"'), 2);
  assert.equal(count('method="POST",route="/api/v2/cloudintegration",status="200"'), 1);
  assert.equal(count('method="HEAD",route="/api/v2/cloudintegration/:id",status="401"'), 1);
  assert.equal(count('method="HEAD",route="/api/v2/cloudintegration/:id",status="200"'), 1);
  assert.match(text, /^skyport_http_request_duration_seconds_count\{method="GET",route="\/api\/v2\/cloudintegration\/:id"\} 4$/m);
});

test('the token cache: a revocation through this replica counts at once, one made elsewhere within the cache TTL', async (t) => {
  const clock = manualClock();
  const { app, admin, database } = await buildApiTestApp(t, { clock, env: { SKYPORT_AUTH_CACHE_TTL: '1m' } });
  const here = await app.services.tokens.create({ name: 'revoked-here', permissions: [] });
  const elsewhere = await app.services.tokens.create({ name: 'revoked-elsewhere', permissions: [] });
  for (const { token } of [here, elsewhere]) assert.equal((await raw(app, token, 'GET', '/api/v2/cloudintegration')).status, 200);

  await app.services.tokens.revoke(here.id);
  assert.equal((await raw(app, here.token, 'GET', '/api/v2/cloudintegration')).status, 401, 'revoked through this replica: refused at once');

  // Another replica revokes in the database: this one trusts its cache until the entry is a minute old.
  await database.pool.query('UPDATE tokens SET revoked_at = now() WHERE id = $1', [elsewhere.id]);
  clock.advance(59_000);
  assert.equal((await raw(app, elsewhere.token, 'GET', '/api/v2/cloudintegration')).status, 200, 'still cached');
  clock.advance(2_000);
  assert.equal((await raw(app, elsewhere.token, 'GET', '/api/v2/cloudintegration')).status, 401, 'refused once the entry expired');
  // A cached read-only token still cannot write.
  assert.equal((await raw(app, admin, 'GET', '/api/v2/cloudintegration')).status, 200);
  const reader = await app.services.tokens.create({ name: 'reader-cached', permissions: [] });
  assert.equal((await raw(app, reader.token, 'GET', '/api/v2/cloudintegration')).status, 200);
  assert.equal((await raw(app, reader.token, 'POST', '/api/v2/cloudintegration/awsExternalId')).status, 403);
});

test('the log redacts tokens, request auth headers and AWS secret keys', () => {
  const { lines, logger } = logSink();
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  logger.info({ req: { method: 'GET', url: '/x', headers: { authorization: 'Bearer tok-1', 'x-auth-token': 'tok-2' } } }, 'with headers');
  // Any request object logged under req (Fastify's, a raw one): its method and URL only, query tokens redacted.
  logger.info(
    { req: { method: 'POST', url: '/y?api_key=tok-5&limit=1', headers: { 'x-auth-token': 'tok-6' }, body: { credentials: { secretAccessKey: secret } } } },
    'a whole request',
  );
  logger.info({ credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: secret, sessionToken: 'session-3' } }, 'with credentials');
  logger.info({ token: 'tok-4' }, 'with a token');
  logger.error({ err: Object.assign(new Error('boom'), { credentials: { secretAccessKey: secret } }) }, 'with an error');
  const text = JSON.stringify(lines);
  for (const value of ['tok-1', 'tok-2', secret, 'session-3', 'tok-4', 'tok-5', 'tok-6']) assert.ok(!text.includes(value), `${value} redacted`);
  assert.ok(text.includes('ASIAEXAMPLE'), 'the access key id (not a secret) stays');
  assert.deepEqual(lines[1].req, { method: 'POST', url: '/y?api_key=[Redacted]&limit=1' });
  assert.equal(lines.length, 5);
});
