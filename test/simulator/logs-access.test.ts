import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { AccessLogTraffic, clfTime, type AccessLogFormat, type AccessLogWriteInput } from '../../src/simulator/index.ts';
import { cfg, SKYPORT_ACCOUNT, world, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

async function readAll(client: CloudWatchLogsClient, logGroupName: string, window: { startTime?: number; endTime?: number } = {}): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new FilterLogEventsCommand({ logGroupName, ...window, nextToken }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

interface Parsed {
  method: string;
  path: string;
  status: number;
  bytes: number;
  latency?: number;
  apiKeyId?: string;
}

// API Gateway's CLF preset: ip caller user [time] "method resourcePath protocol" status length requestId
const CLF = /^(\S+) (\S+) (\S+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "(\S+) (\S+) (HTTP\/1\.1)" (\d{3}) (\d+) ([0-9a-f-]{36})$/;

/** What a reader of each format can get out of a line (as Skyport's parser will). */
function parse(format: AccessLogFormat, message: string): Parsed {
  if (format === 'clf') {
    const m = CLF.exec(message);
    assert.ok(m, `not CLF: ${message}`);
    return { method: m[5], path: m[6], status: Number(m[8]), bytes: Number(m[9]) };
  }
  const j = JSON.parse(message) as Record<string, string>;
  for (const v of Object.values(j)) assert.equal(typeof v, 'string', 'API Gateway writes every $context value as a string');
  return {
    method: j.httpMethod,
    path: j.resourcePath,
    status: Number(j.status),
    bytes: Number(j.responseLength),
    latency: j.responseLatency === undefined ? undefined : Number(j.responseLatency),
    apiKeyId: j.apiKeyId,
  };
}

const nearestRank = (sorted: number[], p: number): number => sorted[Math.ceil((p / 100) * sorted.length) - 1];

describe('API Gateway access-log generator', () => {
  let w: World;
  let logs: CloudWatchLogsClient;
  const base = (logGroupName: string, format: AccessLogFormat): AccessLogWriteInput => ({
    accountId: SKYPORT_ACCOUNT,
    region: 'us-east-1',
    logGroupName,
    apiId: 'a1b2c3d4e5',
    stage: 'prod',
    format,
    endpoints: [
      { method: 'GET', path: '/pets', weight: 5 },
      { method: 'GET', path: '/pets/{petId}', weight: 3 },
      { method: 'POST', path: '/pets', weight: 1 },
      { method: 'DELETE', path: '/pets/{petId}/toys/{toyId}', weight: 1 },
    ],
    startTime: NOW - HOUR,
    endTime: NOW,
    ratePerSecond: 1.5,
    streams: 2,
    seed: 42,
    statuses: [
      { status: 200, weight: 70 },
      { status: 201, weight: 5 },
      { status: 304, weight: 3 },
      { status: 404, weight: 10 },
      { status: 429, weight: 2 },
      { status: 500, weight: 6 },
      { status: 503, weight: 4 },
    ],
    latencyMs: { min: 3, max: 2000 },
    apiKeyIds: ['key-gold', 'key-free'],
  });

  before(async () => {
    w = await world({ clock: () => NOW });
    logs = new CloudWatchLogsClient(cfg(w.sim, w.base));
    w.sim.logs.setLimits({ filterLogEventsPerSecond: null });
  });
  after(async () => {
    logs.destroy();
    await w.sim.close();
  });

  for (const format of ['akto', 'recommended', 'clf'] as const) {
    test(`${format}: the totals it returns are exactly what FilterLogEvents reads back over two streams`, async () => {
      const group = `/aws/apigateway/access-${format}`;
      const written = w.sim.logs.writeAccessLogs(base(group, format));
      assert.equal(written.lines, 5400, '1.5 lines/s for an hour');
      assert.equal(written.streams.length, 2);
      assert.ok(written.streams.every((s) => /^[0-9a-f]{32}$/.test(s)), 'stream names look like API Gateway\'s');
      const events = await readAll(logs, group);
      assert.equal(events.length, written.lines);
      assert.deepEqual(new Set(events.map((e) => e.logStreamName)), new Set(written.streams));
      const lines = events.map((e) => parse(format, e.message ?? ''));
      const t = written.totals;
      const count = (f: (p: Parsed) => boolean): number => lines.filter(f).length;
      assert.equal(t.requests, lines.length);
      assert.equal(t.status2xx, count((p) => p.status >= 200 && p.status < 300));
      assert.equal(t.status3xx, count((p) => p.status >= 300 && p.status < 400));
      assert.equal(t.status4xx, count((p) => p.status >= 400 && p.status < 500));
      assert.equal(t.status5xx, count((p) => p.status >= 500));
      assert.equal(t.bytes, lines.reduce((n, p) => n + p.bytes, 0));
      assert.ok(t.status4xx > 0 && t.status5xx > 0 && t.status3xx > 0, 'the mix shows up');
      for (const [status, n] of Object.entries(t.byStatus)) assert.equal(n, count((p) => p.status === Number(status)), `status ${status}`);
      for (const [endpoint, c] of Object.entries(t.byEndpoint)) {
        const mine = lines.filter((p) => `${p.method} ${p.path}` === endpoint);
        assert.equal(c.requests, mine.length, endpoint);
        assert.equal(c.status5xx, mine.filter((p) => p.status >= 500).length, endpoint);
        assert.equal(c.bytes, mine.reduce((n, p) => n + p.bytes, 0), endpoint);
      }
      assert.equal(Object.keys(t.byEndpoint).length, 4);
      assert.equal(t.firstTimestamp, events[0].timestamp);
      assert.equal(t.lastTimestamp, events[events.length - 1].timestamp);
      assert.ok(events.every((e) => (e.timestamp ?? 0) >= NOW - HOUR && (e.timestamp ?? 0) < NOW));
      if (format === 'recommended') {
        const latencies = lines.map((p) => p.latency ?? NaN).sort((a, b) => a - b);
        assert.equal(t.latencySumMs, latencies.reduce((n, v) => n + v, 0));
        assert.equal(t.latencyMinMs, latencies[0]);
        assert.equal(t.latencyMaxMs, latencies[latencies.length - 1]);
        assert.equal(t.latencyP50Ms, nearestRank(latencies, 50));
        assert.equal(t.latencyP90Ms, nearestRank(latencies, 90));
        assert.equal(t.latencyP99Ms, nearestRank(latencies, 99));
        assert.ok(latencies[0] >= 3 && latencies[latencies.length - 1] <= 2000);
        for (const [key, n] of Object.entries(t.byApiKey)) assert.equal(n, count((p) => p.apiKeyId === key), key);
        assert.deepEqual(Object.keys(t.byApiKey).sort(), ['key-free', 'key-gold']);
      }
    });
  }

  test('recommended format: every field of the documented format, REST and HTTP flavours', async () => {
    const rest = w.sim.logs.writeAccessLogs({ ...base('fields-rest', 'recommended'), count: 50, ratePerSecond: undefined });
    const restLine = JSON.parse((await readAll(logs, 'fields-rest'))[0].message ?? '{}') as Record<string, string>;
    assert.deepEqual(Object.keys(restLine), [
      // Akto's format …
      'requestId', 'extendedRequestId', 'ip', 'caller', 'user', 'requestTime', 'httpMethod', 'resourcePath', 'status', 'protocol', 'responseLength',
      // … plus what it lacks.
      'apiId', 'stage', 'routeKey', 'path', 'responseLatency', 'integrationLatency', 'requestTimeEpoch', 'apiKeyId',
    ]);
    assert.match(restLine.requestTime, /^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(restLine.requestTime, clfTime(Number(restLine.requestTimeEpoch)));
    assert.equal(rest.lines, 50);
    assert.equal(restLine.apiId, 'a1b2c3d4e5');
    assert.equal(restLine.stage, 'prod');
    assert.equal(restLine.routeKey, '-', 'REST APIs have no routeKey');
    assert.match(restLine.path, /^\/prod\/pets/);
    assert.ok(Number(restLine.integrationLatency) <= Number(restLine.responseLatency));
    assert.match(restLine.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    w.sim.logs.writeAccessLogs({ ...base('fields-http', 'recommended'), apiType: 'HTTP', stage: '$default', count: 50, ratePerSecond: undefined });
    const httpLines = (await readAll(logs, 'fields-http')).map((e) => JSON.parse(e.message ?? '{}') as Record<string, string>);
    assert.ok(httpLines.every((l) => l.resourcePath === '-' && l.routeKey === `${l.httpMethod} ${l.routeKey.split(' ')[1]}`));
    const toy = httpLines.find((l) => l.routeKey === 'DELETE /pets/{petId}/toys/{toyId}');
    assert.ok(toy, 'the four endpoints all appear in 50 lines');
    assert.match(toy.path, /^\/pets\/\d+\/toys\/\d+$/, '$default stage: no stage prefix; parameters filled in');
  });

  test('AccessLogTraffic gives the exact totals of a window on event time, matching a windowed FilterLogEvents', async () => {
    const input = { ...base('window-totals', 'recommended'), seed: 9 };
    w.sim.logs.writeAccessLogs(input);
    const window = { startTime: NOW - 40 * MIN, endTime: NOW - 25 * MIN };
    const expected = new AccessLogTraffic(input).totals(window);
    const lines = (await readAll(logs, 'window-totals', window)).map((e) => parse('recommended', e.message ?? ''));
    assert.equal(expected.requests, lines.length);
    assert.ok(lines.length > 1000 && lines.length < 1500);
    assert.equal(expected.status5xx, lines.filter((p) => p.status >= 500).length);
    assert.equal(expected.bytes, lines.reduce((n, p) => n + p.bytes, 0));
    assert.equal(expected.latencyP99Ms, nearestRank(lines.map((p) => p.latency ?? NaN).sort((a, b) => a - b), 99));
  });

  test('the same seed gives the same lines; another seed other lines', async () => {
    w.sim.logs.writeAccessLogs({ ...base('seed-a', 'akto'), count: 20, ratePerSecond: undefined });
    w.sim.logs.writeAccessLogs({ ...base('seed-b', 'akto'), count: 20, ratePerSecond: undefined });
    w.sim.logs.writeAccessLogs({ ...base('seed-c', 'akto'), count: 20, ratePerSecond: undefined, seed: 43 });
    const messages = async (g: string): Promise<string[]> => (await readAll(logs, g)).map((e) => e.message ?? '');
    assert.deepEqual(await messages('seed-a'), await messages('seed-b'));
    assert.notDeepEqual(await messages('seed-a'), await messages('seed-c'));
  });

  test('late lines are invisible until the simulator clock reaches their ingestion time, then a re-read finds them', async () => {
    const group = 'late-lines';
    const written = w.sim.logs.writeAccessLogs({ ...base(group, 'recommended'), late: { fraction: 0.2, delayMs: 10 * MIN } });
    // A late line is ingested 10 minutes after its event time: only those of the last 10 minutes are still in flight.
    assert.ok(written.late > 0 && written.pending > 0 && written.pending < written.late, JSON.stringify(written));
    const window = { startTime: NOW - HOUR, endTime: NOW };
    const first = await readAll(logs, group, window);
    assert.equal(first.length, written.lines - written.pending);
    w.sim.clock.advance(10 * MIN);
    const second = await readAll(logs, group, window);
    assert.equal(second.length, written.lines);
    const ids = new Set(second.map((e) => e.eventId));
    assert.ok(first.every((e) => ids.has(e.eventId)), 'event ids are stable between reads');
    const arrivedLate = second.filter((e) => (e.ingestionTime ?? 0) > NOW);
    assert.equal(arrivedLate.length, written.pending);
    assert.ok(arrivedLate.every((e) => e.ingestionTime === (e.timestamp ?? 0) + 10 * MIN));
    w.sim.clock.advance(-10 * MIN);
  });

  test('streams get their share and DescribeLogStreams reports their first and last event times', async () => {
    const written = w.sim.logs.writeAccessLogs({ ...base('shares', 'clf'), streams: 4, count: 400, ratePerSecond: undefined });
    const out = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'shares' }));
    assert.deepEqual(out.logStreams?.map((s) => s.logStreamName).sort(), [...written.streams].sort());
    const events = await readAll(logs, 'shares');
    for (const s of out.logStreams ?? []) {
      const mine = events.filter((e) => e.logStreamName === s.logStreamName);
      assert.equal(mine.length, 100);
      assert.equal(s.firstEventTimestamp, mine[0].timestamp);
      assert.equal(s.lastEventTimestamp, mine[mine.length - 1].timestamp);
    }
  });

  test('bad specs are refused with a reason', () => {
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), endpoints: [] }), /endpoint/);
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), format: 'xml' as AccessLogFormat }), /format/);
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), startTime: NOW, endTime: NOW }), /startTime/);
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), count: 10_000_000 }), /count/);
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), streams: 0 }), /streams/);
    assert.throws(() => w.sim.logs.writeAccessLogs({ ...base('bad', 'akto'), statuses: [{ status: 99, weight: 1 }] }), /status/);
  });

  test('admin HTTP API: groups, streams, events, access logs and the rate limit', async () => {
    const post = async (path: string, body: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${w.sim.url}/_simulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() };
    };
    const scope = { accountId: SKYPORT_ACCOUNT, region: 'us-east-1' };
    assert.equal((await post('/logs/groups', { ...scope, logGroupName: 'admin-g' })).status, 200);
    assert.equal((await post('/logs/streams', [{ ...scope, logGroupName: 'admin-g', logStreamName: 'a' }, { ...scope, logGroupName: 'admin-g', logStreamName: 'b' }])).status, 200);
    const stored = await post('/logs/events', { ...scope, logGroupName: 'admin-g', logStreamName: 'a', events: [{ timestamp: NOW - MIN, message: 'via admin' }] });
    assert.deepEqual(stored.json, { stored: 1 });
    const refused = await post('/logs/events', { ...scope, logGroupName: 'admin-g', logStreamName: 'a', events: [{ timestamp: NOW, message: 'ok' }, { timestamp: 1.5, message: 'bad' }] });
    assert.equal(refused.status, 400);
    assert.match((refused.json as { error: string }).error, /integer/);
    const traffic = await post('/logs/access-logs', { ...base('admin-access', 'recommended'), count: 30, ratePerSecond: undefined });
    const result = traffic.json as { lines: number; totals: { requests: number; bytes: number } };
    assert.equal(result.lines, 30);
    const read = await readAll(logs, 'admin-access');
    assert.equal(read.length, 30);
    assert.equal(result.totals.bytes, read.reduce((n, e) => n + Number((JSON.parse(e.message ?? '{}') as { responseLength: string }).responseLength), 0));
    const groups = (await (await fetch(`${w.sim.url}/_simulator/logs/groups?accountId=${SKYPORT_ACCOUNT}&region=us-east-1`)).json()) as Array<{ logGroupName: string; events: number; streams: unknown[] }>;
    const g = groups.find((x) => x.logGroupName === 'admin-g');
    assert.equal(g?.events, 1);
    assert.equal(g?.streams.length, 2);
    assert.deepEqual((await post('/logs/limits', { filterLogEventsPerSecond: 5 })).json, { filterLogEventsPerSecond: 5 });
    assert.deepEqual((await post('/logs/limits', { filterLogEventsPerSecond: null })).json, { filterLogEventsPerSecond: null });
    const bad = await post('/logs/access-logs', { ...scope, logGroupName: 'x' });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /apiId/);
    const state = (await (await fetch(`${w.sim.url}/_simulator/state`)).json()) as { logGroups: number };
    assert.ok(state.logGroups >= 2);
  });
});

describe('access-log generator at benchmark scale', () => {
  let w: World;
  before(async () => {
    w = await world({ clock: () => NOW });
    w.sim.logs.setLimits({ filterLogEventsPerSecond: null });
  });
  after(async () => {
    await w.sim.close();
  });

  // The bound is ~10× what a laptop needs, to catch a regression to per-line objects without being flaky.
  test('1,000,000 lines over 20 streams are written in seconds and page back from any point', async () => {
    const started = performance.now();
    const written = w.sim.logs.writeAccessLogs({
      accountId: SKYPORT_ACCOUNT,
      region: 'us-east-1',
      logGroupName: 'bench-scale',
      apiId: 'benchapi01',
      stage: 'prod',
      format: 'recommended',
      endpoints: [{ method: 'GET', path: '/items/{id}' }, { method: 'POST', path: '/items' }, { method: 'GET', path: '/health' }],
      startTime: NOW - 24 * HOUR,
      endTime: NOW,
      count: 1_000_000,
      streams: 20,
    });
    const ms = performance.now() - started;
    assert.equal(written.lines, 1_000_000);
    assert.equal(written.totals.requests, 1_000_000);
    assert.ok(ms < 20_000, `writing took ${Math.round(ms)} ms`);
    const logs = new CloudWatchLogsClient(cfg(w.sim, w.base));
    const from = NOW - HOUR;
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName: 'bench-scale', startTime: from, endTime: NOW }));
    const events = page.events ?? [];
    // 1,000,000 lines over 24 h: 41,666 or 41,667 in the last hour, more than one page.
    assert.ok(events.length > 1000 && page.nextToken, `${events.length} events`);
    assert.ok(events.every((e) => (e.timestamp ?? 0) >= from));
    assert.equal(new Set(events.map((e) => e.logStreamName)).size, 20);
    logs.destroy();
  });
});
