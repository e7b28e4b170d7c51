import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packBatches } from '../../../src/services/collection/collectors/cloudwatch/getMetricData.ts';
import type { ListedMetric } from '../../../src/services/collection/collectors/cloudwatch/listMetrics.ts';
import { resolveNamespace, resolveNamespaces, serviceOfNamespace } from '../../../src/services/collection/collectors/cloudwatch/namespaces.ts';
import { admit, compileSelection, fetchMaskOf, outputsOf, type SelectedMetric } from '../../../src/services/collection/collectors/cloudwatch/selection.ts';
import { createTtlCache } from '../../../src/services/collection/collectors/ttlCache.ts';
import { parsePosition, windowFor } from '../../../src/services/collection/collectors/cloudwatch/windows.ts';
import { hostNameOf, metricPart } from '../../../src/services/collection/collectors/naming.ts';

test('namespace short forms map case-insensitively; anything with a slash passes through', () => {
  assert.equal(resolveNamespace('ec2'), 'AWS/EC2');
  assert.equal(resolveNamespace('EC2'), 'AWS/EC2');
  assert.equal(resolveNamespace('elb'), 'AWS/ELB');
  assert.equal(resolveNamespace('ApplicationELB'), 'AWS/ApplicationELB');
  assert.equal(resolveNamespace('rds'), 'AWS/RDS');
  assert.equal(resolveNamespace('s3'), 'AWS/S3');
  assert.equal(resolveNamespace('ebs'), 'AWS/EBS');
  assert.equal(resolveNamespace('Lambda'), 'AWS/Lambda');
  assert.equal(resolveNamespace('route53'), 'AWS/Route53');
  assert.equal(resolveNamespace('dynamodb'), 'AWS/DynamoDB');
  assert.equal(resolveNamespace('aws/ec2'), 'AWS/EC2', 'a known AWS namespace in the wrong case is corrected');
  assert.equal(resolveNamespace('AWS/NewService'), 'AWS/NewService');
  assert.equal(resolveNamespace('MyApp/Orders'), 'MyApp/Orders');
  assert.equal(resolveNamespace('CWAgent'), 'CWAgent');
  assert.deepEqual(resolveNamespaces(['ec2', 'AWS/EC2', ' lambda ']), ['AWS/EC2', 'AWS/Lambda']);
  assert.equal(resolveNamespaces([]), null);
  assert.equal(resolveNamespaces(undefined), null);
});

test('service names and metric parts', () => {
  assert.equal(serviceOfNamespace('AWS/ApplicationELB'), 'applicationelb');
  assert.equal(serviceOfNamespace('AWS/EC2'), 'ec2');
  assert.equal(serviceOfNamespace('ECS/ContainerInsights'), 'ecs.containerinsights');
  assert.equal(metricPart('HTTPCode_Target_2XX_Count'), 'httpcode_target_2xx_count');
  assert.equal(metricPart('Memory Used (MB)'), 'memory_used_mb_');
  assert.equal(hostNameOf({ Name: 'n', Host: 'h' }), 'h');
  assert.equal(hostNameOf({ name: '' , other: 'x' }), undefined, 'empty values do not name a host');
  assert.equal(hostNameOf({ Name: 'n' }, ['role', 'name']), 'n');
});

test('windows: aligned end, lookback, catch-up cap, empty windows, unreadable cursors', () => {
  const s = { periodSec: 60, delayMs: 300_000, lookbackMs: 3_600_000, maxCatchUpMs: 10_800_000 };
  const now = Date.UTC(2026, 0, 1, 12, 0, 42);
  const end = Date.UTC(2026, 0, 1, 11, 55);
  assert.deepEqual(windowFor(undefined, now, s), { start: end - 3_600_000, end });
  assert.deepEqual(windowFor(end - 120_000, now, s), { start: end - 120_000, end });
  assert.deepEqual(windowFor(end - 86_400_000, now, s), { start: end - 10_800_000, end });
  assert.equal(windowFor(end, now, s), undefined);
  assert.equal(windowFor(end + 60_000, now, s), undefined, 'a cursor ahead of the clock waits');
  assert.deepEqual(windowFor(undefined, now, { ...s, periodSec: 300 }), { start: Date.UTC(2026, 0, 1, 10, 55), end: Date.UTC(2026, 0, 1, 11, 55) });
  assert.equal(parsePosition('1767268500000'), 1767268500000);
  assert.equal(parsePosition('garbage'), undefined);
  assert.equal(parsePosition(undefined), undefined);
});

function fakeMetric(i: number): ListedMetric {
  return { metric: { Namespace: 'AWS/X', MetricName: `m${i}` }, namespace: 'AWS/X', metricName: `m${i}`, prefix: `aws.x.m${i}.` };
}

test('packing: at most 500 queries per call and a metric\'s statistics never split', () => {
  const masks = [0b1111, 0b0011, 0b0001, 0b1100, 0b0111];
  const items: SelectedMetric[] = Array.from({ length: 1000 }, (_, i) => ({ m: fakeMetric(i), outputs: 1, fetch: masks[i % masks.length] }));
  const batches = packBatches(items);
  const total = items.reduce((n, it) => n + [...it.fetch.toString(2)].filter((c) => c === '1').length, 0);
  assert.equal(batches.reduce((n, b) => n + b.queries, 0), total);
  assert.deepEqual(batches.flatMap((b) => b.items), items, 'order kept, nothing lost or duplicated');
  for (const b of batches) assert.ok(b.queries <= 500);
  // Greedy: a call is closed only when the next metric would not fit.
  for (let i = 0; i < batches.length - 1; i++) {
    const next = batches[i + 1].items[0];
    assert.ok(batches[i].queries + [...next.fetch.toString(2)].filter((c) => c === '1').length > 500);
  }
});

test('statistics: a metric is selected by any matching name and fetches only what those need', () => {
  const m = fakeMetric(1);
  const sel = compileSelection({ metricFilterRegex: 'aws\\.x\\.m1\\.(average|minimum)' }, null);
  const outputs = outputsOf(m, sel.metricFilter);
  assert.equal(outputs, 0b00101);
  assert.equal(fetchMaskOf(outputs), 0b0111, 'Sum, SampleCount, Minimum');
  assert.equal(outputsOf(m, compileSelection({ metricFilterRegex: 'aws\\.x\\.m1' }, null).metricFilter), 0, 'whole-name match');
  assert.equal(outputsOf(m, compileSelection({}, null).metricFilter), 0b11111);
});

test('the cap admits whole metrics, then part of the one crossing it, then nothing', () => {
  const items: SelectedMetric[] = [0, 1, 2].map((i) => ({ m: fakeMetric(i), outputs: 0b11111, fetch: 0b1111 }));
  const r = admit(items, 7);
  assert.equal(r.used, 7);
  assert.equal(r.dropped, 8);
  assert.equal(r.kept.length, 2);
  assert.equal(r.kept[1].outputs, 0b00011, 'average and sum');
  assert.equal(r.kept[1].fetch, 0b0011);
  assert.deepEqual(admit(items.slice(), 100).dropped, 0);
  const none = admit(items.slice(), 0);
  assert.equal(none.kept.length, 0);
  assert.equal(none.dropped, 15);
});

test('ttl cache: fresh hits, expiry, coalesced loads, failures not cached, bounded size', async () => {
  const cache = createTtlCache<number>({ ttlMs: 1000, maxEntries: 3 });
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.get('a', 0, load), 1);
  assert.equal(await cache.get('a', 999, load), 1);
  assert.equal(await cache.get('a', 1000, load), 2);
  const [x, y] = await Promise.all([cache.get('b', 0, load), cache.get('b', 0, load)]);
  assert.equal(x, y);
  assert.equal(loads, 3);
  await assert.rejects(cache.get('c', 0, async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await cache.get('c', 0, load), 4);
  for (const k of ['d', 'e', 'f', 'g']) await cache.get(k, 0, load);
  assert.ok(cache.size <= 3);

  const stale = createTtlCache<string>({ ttlMs: 10, maxEntries: 10, staleOnError: () => true });
  await stale.get('k', 0, async () => 'v1');
  assert.equal(await stale.get('k', 50, async () => Promise.reject(new Error('down'))), 'v1');
  assert.equal(await stale.get('k', 60, async () => 'v2'), 'v2');
});
