import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessLogTraffic } from '../../../src/simulator/logs/access-log.ts';
import { createEndpointMatcher, templatePath } from '../../../src/services/apigateway/traffic/endpoints.ts';
import { BUCKETS, emptyHistogram, mergeInto, percentile, PRECISION, record } from '../../../src/services/apigateway/traffic/histogram.ts';
import { parseAccessLine } from '../../../src/services/apigateway/traffic/parse.ts';
import { accessLogReadiness, logGroupOf } from '../../../src/services/apigateway/traffic/readiness.ts';

const spec = (format: 'akto' | 'recommended' | 'clf', apiType: 'REST' | 'HTTP' = 'REST') =>
  new AccessLogTraffic({ apiId: 'abc123', stage: 'prod', apiType, endpoints: [{ method: 'GET', path: '/pets/{petId}' }], format, startTime: 0, endTime: 60_000, count: 10, apiKeyIds: ['k1'] });

describe('access-log parsing', () => {
  test('the three formats as API Gateway writes them', () => {
    const rec = parseAccessLine(spec('recommended').render(0))!;
    const d = spec('recommended').draw(0);
    assert.deepEqual(
      { ...rec, path: undefined },
      { method: 'GET', resourcePath: '/pets/{petId}', routeKey: null, path: undefined, status: d.status, bytes: d.bytes, latencyMs: d.latencyMs, apiId: 'abc123', stage: 'prod', apiKeyId: 'k1' },
    );
    assert.match(rec.path!, /^\/prod\/pets\/\d+$/);
    const akto = parseAccessLine(spec('akto').render(0))!;
    assert.deepEqual([akto.method, akto.resourcePath, akto.latencyMs, akto.apiId, akto.apiKeyId], ['GET', '/pets/{petId}', null, null, null]);
    const clf = parseAccessLine(spec('clf').render(0))!;
    const c = spec('clf').draw(0);
    assert.deepEqual([clf.method, clf.resourcePath, clf.status, clf.bytes], ['GET', '/pets/{petId}', c.status, c.bytes]);
    const httpClf = parseAccessLine(spec('clf', 'HTTP').render(0))!;
    assert.deepEqual([httpClf.method, httpClf.resourcePath, httpClf.routeKey], ['GET', null, 'GET /pets/{petId}']);
  });

  test('what cannot be read is null, never an exception', () => {
    for (const line of ['', 'hello', '{', '[1,2]', 'null', '{"status":"200"}', '{"httpMethod":"GET","status":"abc"}', '{"httpMethod":"GET","status":"999"}', '1.2.3.4 - - [x] "GET" 200']) {
      assert.equal(parseAccessLine(line), null, line);
    }
    assert.equal(parseAccessLine('{"routeKey":"POST /x","status":"201","responseLength":"-"}')!.method, 'POST', 'the method from the route key');
  });
});

describe('endpoint mapping', () => {
  const m = createEndpointMatcher('prod', [
    { method: 'GET', path: '/pets' },
    { method: 'GET', path: '/pets/{petId}' },
    { method: 'GET', path: '/pets/mine' },
    { method: 'ANY', path: '/{proxy+}' },
    { method: 'ANY', path: '$default' },
  ]);
  const line = (method: string, f: { resourcePath?: string; routeKey?: string; path?: string }) => ({
    method, resourcePath: f.resourcePath ?? null, routeKey: f.routeKey ?? null, path: f.path ?? null, status: 200, bytes: 0, latencyMs: null, apiId: null, stage: null, apiKeyId: null,
  });
  test('resourcePath, then routeKey, then the longest matching template, then a templated path', () => {
    assert.deepEqual(m.endpointOf(line('GET', { resourcePath: '/pets/{petId}' })), { method: 'GET', path: '/pets/{petId}' });
    assert.deepEqual(m.endpointOf(line('POST', { routeKey: '$default' })), { method: 'ANY', path: '$default' });
    assert.deepEqual(m.endpointOf(line('GET', { path: '/prod/pets/mine' })), { method: 'GET', path: '/pets/mine' }, 'literal beats parameter');
    assert.deepEqual(m.endpointOf(line('GET', { path: '/prod/pets/42' })), { method: 'GET', path: '/pets/{petId}' });
    assert.deepEqual(m.endpointOf(line('DELETE', { path: '/prod/a/b/c' })), { method: 'ANY', path: '/{proxy+}' });
    const bare = createEndpointMatcher('prod', [{ method: 'GET', path: '/pets' }]);
    const shadow = bare.endpointOf(line('GET', { path: '/prod/users/7/orders/9b2f7c1e-1111-4a2b-8c3d-0123456789ab' }))!;
    assert.deepEqual(shadow, { method: 'GET', path: '/users/{id}/orders/{id}' });
    assert.equal(bare.isKnown(shadow), false);
    assert.equal(m.endpointOf(line('GET', {})), null);
    assert.equal(templatePath('/prod', 'prod'), '/');
  });
});

describe('latency histogram', () => {
  test('merged histograms give the same percentiles as one, within the stated precision of the exact value', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => Math.round(5 * Math.pow(200, ((i * 7919) % 20_000) / 20_000)));
    const whole = emptyHistogram();
    const parts = [emptyHistogram(), emptyHistogram(), emptyHistogram()];
    values.forEach((v, i) => {
      record(whole, v);
      record(parts[i % 3], v);
    });
    const merged = parts.reduce((into, h) => mergeInto(into, h), [] as number[]);
    assert.deepEqual(merged, whole);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1];
      const got = percentile(merged, p)!;
      assert.ok(Math.abs(got - exact) <= exact * PRECISION + 0.05, `p${p}: ${got} vs ${exact}`);
    }
    assert.equal(percentile([], 50), null);
    const h = emptyHistogram();
    record(h, 0);
    record(h, 1e12);
    assert.deepEqual([percentile(h, 50), h[BUCKETS - 1]], [0, 1]);
  });
});

describe('access-log readiness', () => {
  test('logging on, a readable format and the fields Skyport needs', () => {
    assert.deepEqual(accessLogReadiness(null), { ready: false, missingFields: ['destinationArn'] });
    assert.deepEqual(accessLogReadiness({ destinationArn: 'arn:aws:logs:us-east-1:1:log-group:g', format: '<request id="$context.requestId"/>' }), { ready: false, missingFields: ['format'] });
    assert.deepEqual(accessLogReadiness({ destinationArn: 'arn:aws:logs:us-east-1:1:log-group:g', format: '{"m":"$context.httpMethod","p":"$context.path"}' }), { ready: false, missingFields: ['status'] });
    const restFormat = { destinationArn: 'arn:aws:logs:us-east-1:1:log-group:g', format: '{"m":"$context.httpMethod","s":"$context.status","r":"$context.resourcePath"}' };
    assert.deepEqual(accessLogReadiness(restFormat, 'REST'), { ready: true, missingFields: [] });
    assert.deepEqual(accessLogReadiness(restFormat, 'HTTP'), { ready: false, missingFields: ['routeKey'] }, 'HTTP APIs log resourcePath as -');
    assert.equal(logGroupOf('arn:aws:logs:us-east-1:123:log-group:/aws/x:*', 'us-east-1'), '/aws/x');
    assert.equal(logGroupOf('arn:aws:logs:eu-west-1:123:log-group:/aws/x', 'us-east-1'), undefined);
  });
});
