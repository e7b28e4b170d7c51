import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedRole } from '../helpers/aws.ts';
import { ACCOUNT, schedulerSetup, type SchedulerSetup } from '../services/scheduler/setup.ts';

const MIN = 60_000;
const BUCKET = 'metrics-trail';

async function integration(s: SchedulerSetup, service: 'EC2' | 'CLOUDTRAIL', config: Record<string, unknown> = {}) {
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, ACCOUNT, externalId, `${service}-${externalId}`);
  const key = service === 'EC2' ? 'ec2' : 'cloudTrail';
  const res = await s.api('POST', '/api/v2/cloudintegration', {
    name: `${service} of ${ACCOUNT}`,
    service,
    serviceRefreshRateInMins: 5,
    [key]: { baseCredentials: { roleArn, externalId }, ...config },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response.id as string;
}

/** A CloudWatch, an EC2 and a CloudTrail integration of one account, each collected once through the simulator. */
async function collectedAccount(t: Parameters<typeof schedulerSetup>[0]) {
  const s = await schedulerSetup(t);
  await s.createIntegration({ series: 4 });
  await integration(s, 'EC2');
  s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, deliveryTime: s.clock.now() - 10 * MIN, count: 20 });
  await integration(s, 'CLOUDTRAIL', { bucketName: BUCKET, region: 'us-east-1' });
  await s.app.scheduler.runDue();
  return s;
}

async function allNames(s: SchedulerSetup, prefix: string) {
  const res = await s.api('GET', `/api/v2/chart/metric/list?prefix=${encodeURIComponent(prefix)}&limit=1000`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response;
}

test('the metric listing finds the names a CloudWatch, an EC2 and a CloudTrail run produced', async (t) => {
  const s = await collectedAccount(t);
  const stored = (await s.pool.query('SELECT DISTINCT metric FROM series ORDER BY 1')).rows.map((r) => r.metric as string);

  const all = await allNames(s, '');
  assert.deepEqual(all.items.map((i: { name: string }) => i.name), [...stored].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  const names = new Set(all.items.map((i: { name: string }) => i.name));
  assert.ok(names.has('aws.ec2.cpuutilization.average'), 'CloudWatch');
  assert.ok(names.has('aws.ec2.instance.running'), 'EC2 inventory');
  assert.ok(names.has('aws.cloudtrail.event.total-per-minute'), 'CloudTrail counters');

  const ec2 = await allNames(s, 'aws.ec2.');
  assert.ok(ec2.items.length > 0);
  for (const item of ec2.items) assert.ok(item.name.startsWith('aws.ec2.'));
  const cpu = ec2.items.find((i: { name: string }) => i.name === 'aws.ec2.cpuutilization.average');
  const cpuRows = await s.pool.query(
    "SELECT count(*)::int AS series, count(DISTINCT source)::int AS sources, max(last_point_ms) AS last FROM series WHERE metric = 'aws.ec2.cpuutilization.average'",
  );
  assert.deepEqual(cpu, { name: 'aws.ec2.cpuutilization.average', series: cpuRows.rows[0].series, sources: cpuRows.rows[0].sources, lastPointMs: Number(cpuRows.rows[0].last) });

  // Paged: two names at a time, no name twice, totalItems the same on every page.
  const seen: string[] = [];
  for (let offset = 0; ; offset += 2) {
    const page = (await s.api('GET', `/api/v2/chart/metric/list?prefix=aws.&offset=${offset}&limit=2`)).body.response;
    assert.equal(page.totalItems, stored.filter((m) => m.startsWith('aws.')).length);
    seen.push(...page.items.map((i: { name: string }) => i.name));
    if (!page.moreItems) break;
  }
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, stored.filter((m) => m.startsWith('aws.')).length);

  // The prefix is plain text: `*` and `%` are no wildcards here.
  assert.equal((await allNames(s, 'aws.*')).totalItems, 0);
  assert.equal((await allNames(s, 'aws.%')).totalItems, 0);
});

test("metric/detail answers the Python client's MetricDetailsResponse, bare, paged by continuationToken, h globs on sources", async (t) => {
  const s = await collectedAccount(t);
  const metric = 'aws.ec2.instance.running';
  const res = await s.api('GET', `/api/v2/chart/metric/detail?m=${metric}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.status, undefined, 'bare, not enveloped');
  assert.deepEqual(Object.keys(res.body), ['hosts']);
  const rows = (await s.pool.query('SELECT source, tags, last_point_ms FROM series WHERE metric = $1', [metric])).rows;
  assert.equal(res.body.hosts.length, rows.length);
  for (const h of res.body.hosts) {
    // MetricDetails: host (str), last_update (int, epoch ms), tags (dict(str, str)).
    assert.deepEqual(Object.keys(h).sort(), ['host', 'last_update', 'tags']);
    assert.equal(typeof h.host, 'string');
    assert.ok(Number.isInteger(h.last_update));
    for (const v of Object.values(h.tags)) assert.equal(typeof v, 'string');
    assert.ok(rows.some((r) => r.source === h.host && Number(r.last_point_ms) === h.last_update));
  }

  // Pages of one follow continuationToken through every series exactly once.
  const paged: string[] = [];
  let c: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = (await s.api('GET', `/api/v2/chart/metric/detail?m=${metric}&l=1${c ? `&c=${c}` : ''}`)).body;
    paged.push(JSON.stringify(page.hosts[0]));
    c = page.continuationToken;
    if (!c) break;
  }
  assert.deepEqual(paged, res.body.hosts.map((h: unknown) => JSON.stringify(h)));

  const one = res.body.hosts[0].host as string;
  const glob = `${one.slice(0, 3)}*`;
  const filtered = (await s.api('GET', `/api/v2/chart/metric/detail?m=${metric}&h=${encodeURIComponent(glob)}&h=nothing-like-this`)).body;
  assert.ok(filtered.hosts.length >= 1);
  for (const h of filtered.hosts) assert.ok(h.host.startsWith(one.slice(0, 3)));

  assert.deepEqual((await s.api('GET', '/api/v2/chart/metric/detail?m=aws.no.such.metric')).body, { hosts: [] });
  const bad = await s.api('GET', `/api/v2/chart/metric/detail?m=${metric}&c=not-a-token`);
  assert.equal(bad.status, 400);
  assert.match(bad.body.status.message, /continuationToken/);
  assert.equal((await s.api('GET', '/api/v2/chart/metric/detail')).status, 400, 'm is required');
});

test('chart/raw takes `*` globs in metric (matching dots too); each series then names its metric; another customer sees nothing', async (t) => {
  const s = await collectedAccount(t);
  const window = `&startTime=${s.clock.now() - 3 * 3_600_000}&endTime=${s.clock.now()}`;
  const exact = await s.api('GET', `/api/v2/chart/raw?metric=aws.ec2.cpuutilization.average${window}`);
  assert.ok(exact.body.length > 0);
  assert.equal(exact.body[0].metric, undefined, 'an exact name answers as before');

  const globbed = await s.api('GET', `/api/v2/chart/raw?metric=aws.ec2.*${window}`);
  assert.equal(globbed.status, 200);
  const metrics = new Set(globbed.body.map((x: { metric: string }) => x.metric));
  assert.ok(metrics.has('aws.ec2.cpuutilization.average'));
  assert.ok(metrics.has('aws.ec2.instance.running'));
  for (const m of metrics) assert.ok(String(m).startsWith('aws.ec2.'));
  const cpu = globbed.body.filter((x: { metric: string }) => x.metric === 'aws.ec2.cpuutilization.average');
  assert.deepEqual(cpu.map(({ tags, points }: any) => ({ tags, points })), exact.body);

  assert.deepEqual((await s.api('GET', `/api/v2/chart/raw?metric=aws.ec2_*${window}`)).body, [], '_ is no wildcard');
  const other = await s.app.services.tokens.create({ name: 'other', permissions: [], customerId: 'acme' });
  const foreign = await s.app.inject({ method: 'GET', url: `/api/v2/chart/raw?metric=*${window}`, headers: { authorization: `Bearer ${other.token}` } });
  assert.deepEqual(JSON.parse(foreign.body), []);
  const list = await s.app.inject({ method: 'GET', url: '/api/v2/chart/metric/list', headers: { authorization: `Bearer ${other.token}` } });
  assert.equal(JSON.parse(list.body).response.totalItems, 0);
});
