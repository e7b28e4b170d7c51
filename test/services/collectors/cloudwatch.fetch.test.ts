import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CollectResult } from '../../../src/services/collection/collectors/types.ts';
import { generatedSample } from '../../../src/simulator/index.ts';
import { ACCOUNT, bySeries, cloudWatchHarness, MIN, requested, T0 } from './cloudwatchSetup.ts';

const R = 'us-east-1';
const END0 = T0 - 5 * MIN;

function seedLambda(h: Awaited<ReturnType<typeof cloudWatchHarness>>, count: number, region = R) {
  return h.aws.sim.seedSeries({
    accountId: ACCOUNT,
    region,
    count,
    namespace: 'AWS/Lambda',
    metricNames: ['Invocations'],
    dimensionName: 'FunctionName',
    dimensionValues: Array.from({ length: count }, (_, i) => `fn-${String(i).padStart(4, '0')}`),
  }).series;
}

test('1,234 series with one statistic each: exactly 3 GetMetricData calls of at most 500 queries, every point kept', async (t) => {
  const h = await cloudWatchHarness(t);
  seedLambda(h, 1234);
  const rec = h.record();
  const result = await h.run({ namespaces: ['lambda'], metricFilterRegex: 'aws\\.lambda\\.invocations\\.sum' });
  assert.deepEqual(result.partialErrors, []);
  assert.equal(h.gmdCalls(), 3);
  assert.equal(h.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData', error: true }), 0);
  assert.deepEqual(rec.getMetricData.map((c) => c.length).sort((a, b) => a - b), [234, 500, 500]);
  for (const call of rec.getMetricData) for (const q of call) assert.match(q.Id!, /^[a-z][a-zA-Z0-9_]*$/);
  assert.equal(result.metricCount, 1234);
  assert.equal(result.points.length, 1234 * 60);
});

test('all statistics of a metric go in the same call: 1,234 metrics × 4 statistics = 10 calls of 125 metrics', async (t) => {
  const h = await cloudWatchHarness(t);
  seedLambda(h, 1234);
  const rec = h.record();
  const result = await h.run({ namespaces: ['lambda'] });
  assert.deepEqual(result.partialErrors, []);
  assert.equal(h.gmdCalls(), 10);
  const callOf = new Map<string, Set<number>>();
  rec.getMetricData.forEach((call, i) => {
    assert.ok(call.length <= 500);
    for (const q of call) {
      const key = q.MetricStat!.Metric!.Dimensions![0].Value!;
      if (!callOf.has(key)) callOf.set(key, new Set());
      callOf.get(key)!.add(i);
    }
  });
  assert.equal(callOf.size, 1234);
  assert.ok([...callOf.values()].every((calls) => calls.size === 1), 'never split across calls');
  assert.ok([...requested(rec.getMetricData).values()].every((stats) => stats.join() === 'Maximum,Minimum,SampleCount,Sum'));
  assert.equal(result.metricCount, 1234 * 5);
});

test('consecutive runs on a moving clock: first-run lookback, then contiguous windows with no gap or overlap', async (t) => {
  const h = await cloudWatchHarness(t);
  const [series] = seedLambda(h, 1);
  const runs: CollectResult[] = [];
  runs.push(await h.run({ namespaces: ['lambda'] }));
  const sum = (r: CollectResult) => r.points.filter((p) => p.metric === 'aws.lambda.invocations.sum');
  // First run: one hour back from now − 5 min, aligned to the minute.
  assert.equal(sum(runs[0])[0].ts, END0 - 60 * MIN);
  assert.equal(sum(runs[0]).length, 60);
  assert.equal(runs[0].cursors.get('cloudwatch:us-east-1:AWS/Lambda'), String(END0));

  h.clock.advance(5 * MIN);
  runs.push(await h.run({ namespaces: ['lambda'] }));
  h.clock.advance(7 * MIN + 30_000); // not on a minute: the window end is aligned down
  runs.push(await h.run({ namespaces: ['lambda'] }));
  h.clock.advance(2 * MIN + 10_000);
  runs.push(await h.run({ namespaces: ['lambda'] }));
  assert.equal(h.cursors.get('cloudwatch:us-east-1:AWS/Lambda'), String(T0 + 9 * MIN));

  const all = runs.flatMap(sum).map((p) => p.ts);
  const expected = Array.from({ length: 60 + 5 + 7 + 2 }, (_, i) => END0 - 60 * MIN + i * MIN);
  assert.deepEqual(all, expected, 'every minute exactly once, in order');
  for (const p of runs.flatMap(sum)) assert.equal(p.value, generatedSample(series, p.ts).sum);
  assert.deepEqual(runs.map((r) => sum(r).length), [60, 5, 7, 2]);
});

test('an empty window fetches nothing and leaves the cursor where it is', async (t) => {
  const h = await cloudWatchHarness(t);
  seedLambda(h, 3);
  await h.run({ namespaces: ['lambda'] });
  const gmd = h.gmdCalls();
  const list = h.listCalls();
  h.clock.advance(59_000); // still the same aligned end
  const again = await h.run({ namespaces: ['lambda'] });
  assert.equal(again.points.length, 0);
  assert.equal(again.cursors.size, 0);
  assert.equal(again.metricCount, 0);
  assert.equal(again.newestMs, undefined);
  assert.equal(h.gmdCalls(), gmd);
  assert.equal(h.listCalls(), list);
});

test('catching up after downtime is capped at 3 hours; a custom lookback is honoured', async (t) => {
  const h = await cloudWatchHarness(t, { deps: { lookbackMs: 15 * MIN } });
  seedLambda(h, 2);
  const first = await h.run({ namespaces: ['lambda'] });
  assert.equal(bySeries(first.points).values().next().value!.length, 15);
  h.clock.advance(10 * 60 * MIN);
  const end = T0 + 10 * 60 * MIN - 5 * MIN;
  const late = await h.run({ namespaces: ['lambda'] });
  assert.deepEqual(late.partialErrors, []);
  for (const list of bySeries(late.points).values()) {
    assert.equal(list.length, 180);
    assert.equal(list[0].ts, end - 180 * MIN);
    assert.equal(list[179].ts, end - MIN);
  }
  assert.equal(late.cursors.get('cloudwatch:us-east-1:AWS/Lambda'), String(end));
});

test('ListMetrics: RecentlyActive=PT3H, cached for an hour per region and namespace', async (t) => {
  const h = await cloudWatchHarness(t, { deps: { regions: ['us-east-1', 'eu-west-1'] } });
  for (const region of ['us-east-1', 'eu-west-1']) {
    h.aws.sim.addSeries({ accountId: ACCOUNT, region, namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'asg' }, generator: true });
    h.aws.sim.addSeries({ accountId: ACCOUNT, region, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, generator: true });
  }
  const rec = h.record();
  for (let i = 0; i < 4; i++) {
    const r = await h.run({ namespaces: ['ec2', 'lambda'] });
    assert.equal(r.cursors.size, 4);
    h.clock.advance(5 * MIN);
  }
  assert.equal(h.listCalls(), 4, 'one per namespace and region across four runs');
  assert.equal(h.listCalls({ region: 'eu-west-1' }), 2);
  assert.ok(rec.listMetrics.length > 0 && rec.listMetrics.every((i) => i.RecentlyActive === 'PT3H'));
  h.clock.advance(45 * MIN); // 65 minutes after the first listing
  await h.run({ namespaces: ['ec2', 'lambda'] });
  assert.equal(h.listCalls(), 8);
});

test('RecentlyActive: a metric without data in the last 3 hours is never requested', async (t) => {
  const h = await cloudWatchHarness(t);
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: 'old' }, points: [{ timestamp: T0 - 5 * 60 * MIN, value: 1 }] });
  const result = await h.run({ namespaces: ['sqs'] });
  assert.equal(h.listCalls(), 1);
  assert.equal(h.gmdCalls(), 0);
  assert.equal(result.points.length, 0);
});

test('regions from DescribeRegions (cached) when none are configured', async (t) => {
  const h = await cloudWatchHarness(t, { deps: { regions: undefined }, accountRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
  for (const region of ['eu-west-1', 'ap-southeast-2']) {
    h.aws.sim.addSeries({ accountId: ACCOUNT, region, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: `f-${region}` }, generator: true });
  }
  const r1 = await h.run({ namespaces: ['lambda'] });
  h.clock.advance(5 * MIN);
  await h.run({ namespaces: ['lambda'] });
  assert.equal(h.aws.sim.callCount({ service: 'ec2', api: 'DescribeRegions', error: false }), 1);
  assert.deepEqual([...r1.cursors.keys()].sort(), ['cloudwatch:ap-southeast-2:AWS/Lambda', 'cloudwatch:eu-west-1:AWS/Lambda', 'cloudwatch:us-east-1:AWS/Lambda']);
  assert.deepEqual([...new Set(r1.points.map((p) => p.tags.Region))].sort(), ['ap-southeast-2', 'eu-west-1']);
  assert.equal(h.listCalls({ region: 'us-west-2' }), 0, 'regions the account has not enabled are not asked');
});
