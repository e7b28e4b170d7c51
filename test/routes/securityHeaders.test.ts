// Issue 9, item 9: security headers from @fastify/helmet, no-store on answers carrying secrets, tokens in a
// query string kept out of the logs.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { LOG_REDACT, LOG_SERIALIZERS } from '../../src/app.ts';
import { buildTestApp } from '../helpers/app.ts';
import { createCloudWatch, suiteApp, tenant } from './fixtures.ts';

/** The CSP directives of a header, as a map from directive to its sources. */
function csp(header: string | undefined): Map<string, string[]> {
  assert.ok(header, 'a content-security-policy header');
  return new Map(header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources] as [string, string[]];
  }));
}

describe('security headers', () => {
  const ctx = suiteApp();

  test('X-Content-Type-Options: nosniff on every kind of answer', async () => {
    const { app } = ctx();
    const { token } = await tenant(app);
    const auth = { authorization: `Bearer ${token}` };
    const answers = [
      await app.inject({ url: '/api/v2/cloudintegration', headers: auth }), // 200
      await app.inject({ url: '/api/v2/cloudintegration' }), // 401
      await app.inject({ url: '/api/v2/cloudintegration/not-a-uuid', headers: auth }), // 4xx
      await app.inject({ url: '/no/such/route' }), // 404
      await app.inject({ url: '/healthz' }),
      await app.inject({ url: '/readyz' }),
      await app.inject({ url: '/api-docs/json' }),
      await app.inject({ url: '/api-docs/static/index.html' }),
    ];
    for (const res of answers) {
      assert.equal(res.headers['x-content-type-options'], 'nosniff', `${res.statusCode} ${res.body.slice(0, 80)}`);
    }
  });

  test('Swagger UI may not be framed, and its content-security policy allows exactly what it loads', async (t) => {
    const { app } = ctx();
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.server.close());
    const page = await fetch(`${address}/api-docs`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const policy = csp(page.headers.get('content-security-policy') ?? undefined);
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(policy.get('script-src'), ["'self'"]);
    assert.deepEqual(policy.get('object-src'), ["'none'"]);
    assert.equal(policy.has('upgrade-insecure-requests'), false, 'plain-HTTP Swagger UI must not be upgraded to https');
    const html = await page.text();

    // Every script and stylesheet the page loads is same-origin (allowed by 'self') and is served.
    const assets = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')), `the page loads the bundle: ${assets.join(', ')}`);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>\s*\S/, 'no inline script (script-src self would block it)');
    for (const asset of assets) {
      const url = new URL(asset, page.url);
      assert.equal(url.origin, new URL(address).origin, `${asset} is same-origin`);
      const res = await fetch(url);
      assert.equal(res.status, 200, `${url.pathname} is served`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      await res.arrayBuffer();
    }
    // The initializer fetches the document from the same origin (connect-src falls back to default-src 'self').
    assert.deepEqual(policy.get('default-src'), ["'self'"]);
    const initializerPath = assets.find((a) => a.endsWith('swagger-initializer.js'));
    assert.ok(initializerPath, 'the page loads swagger-initializer.js');
    const initializer = await (await fetch(new URL(initializerPath, page.url))).text();
    assert.match(initializer, /resolveUrl\('\.\/json'\)/);
    assert.equal((await fetch(`${address}/api-docs/json`)).status, 200);
  });

  test('answers carrying external IDs, integrations or tokens are Cache-Control: no-store, errors included', async () => {
    const { app } = ctx();
    const { call } = await tenant(app);
    const issued = await call('POST', '/api/v2/cloudintegration/awsExternalId');
    assert.equal(issued.headers['cache-control'], 'no-store');
    const created = await createCloudWatch(call);
    for (const res of [
      await call('GET', `/api/v2/cloudintegration/${created.id}`),
      await call('GET', '/api/v2/cloudintegration'),
      await call('POST', '/api/v2/search/cloudintegration', {}),
      await call('GET', `/api/v2/cloudintegration/awsExternalId/${created.cloudWatch.baseCredentials.externalId}`),
      await call('GET', '/api/v2/cloudintegration/0f8fad5b-d9cb-469f-a165-70867728950e'),
    ]) {
      assert.equal(res.headers['cache-control'], 'no-store', `${res.status} ${JSON.stringify(res.body).slice(0, 80)}`);
    }
    assert.equal((await app.inject({ url: '/api/v2/cloudintegration' })).headers['cache-control'], 'no-store', 'a 401 too');
  });
});

test('a token passed in the query string (?token=, ?api_key=) is redacted from the log lines', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS }, sink);
  const { app, admin } = await buildTestApp(t, { logger });
  const secrets = [admin, 'skp_secondSecretValue123', 'skp_thirdSecretValue456'];
  await app.inject({ url: `/api/v2/cloudintegration?token=${secrets[0]}&limit=5` });
  await app.inject({ url: `/api/v2/cloudintegration?offset=0&api_key=${secrets[1]}` });
  await app.inject({ url: `/api/v2/nothing/here?API_KEY=${secrets[2]}&token=${secrets[0]}` });
  const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.req?.url);
  assert.equal(requestLines.length, 3, lines.join('\n'));
  for (const line of lines) for (const s of secrets) assert.ok(!line.includes(s), `a secret in: ${line}`);
  assert.deepEqual(requestLines.map((l) => l.req.url), [
    '/api/v2/cloudintegration?token=[Redacted]&limit=5',
    '/api/v2/cloudintegration?offset=0&api_key=[Redacted]',
    '/api/v2/nothing/here?API_KEY=[Redacted]&token=[Redacted]',
  ]);
});
