import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, cloudWatchHarness, metricNames, requested, STAT_NAMES } from './cloudwatchSetup.ts';

const R = 'us-east-1';

test('namespaces empty or unset: every namespace the account has, from one unscoped ListMetrics', async (t) => {
  for (const namespaces of [undefined, []]) {
    const h = await cloudWatchHarness(t);
    const { sim } = h.aws;
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: { FunctionName: 'f' }, generator: true });
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: 'q' }, generator: true });
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'Custom/App', metricName: 'Orders', dimensions: { Shop: 'eu' }, generator: true });
    const rec = h.record();
    const result = await h.run(namespaces === undefined ? {} : { namespaces });
    assert.deepEqual(result.partialErrors, []);
    assert.equal(rec.listMetrics.length, 1);
    assert.equal(rec.listMetrics[0].Namespace, undefined);
    assert.deepEqual([...result.cursors.keys()].sort(), ['cloudwatch:us-east-1:AWS/Lambda', 'cloudwatch:us-east-1:AWS/SQS', 'cloudwatch:us-east-1:Custom/App']);
    assert.deepEqual(metricNames(result.points), [
      ...STAT_NAMES.map((s) => `aws.custom.app.orders.${s}`),
      ...STAT_NAMES.map((s) => `aws.lambda.invocations.${s}`),
      ...STAT_NAMES.map((s) => `aws.sqs.numberofmessagessent.${s}`),
    ]);
    // One window for all three namespaces: packed into one call.
    assert.equal(h.gmdCalls(), 1);
  }
});

test('metricFilterRegex: whole Wavefront name, case-insensitive; only matching metrics and the statistics they need are requested', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  for (const metricName of ['CPUUtilization', 'NetworkIn']) {
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: 'f' }, generator: true });
  }
  const rec = h.record();

  const r1 = await h.run({ namespaces: ['lambda'], metricFilterRegex: 'AWS\\.LAMBDA\\.CPUUTILIZATION\\.(average|maximum)' });
  assert.deepEqual(metricNames(r1.points), ['aws.lambda.cpuutilization.average', 'aws.lambda.cpuutilization.maximum']);
  assert.deepEqual(
    [...requested(rec.getMetricData)],
    [['AWS/Lambda|CPUUtilization|FunctionName=f', ['Maximum', 'SampleCount', 'Sum']]],
    'average needs Sum and SampleCount; NetworkIn is never requested',
  );
  assert.equal(r1.metricCount, 2);

  // A partial match is no match: nothing is requested, and the namespace still moves on.
  h.cursors.clear();
  rec.getMetricData.length = 0;
  const calls = h.gmdCalls();
  const r2 = await h.run({ namespaces: ['lambda'], metricFilterRegex: 'aws\\.lambda' });
  assert.equal(h.gmdCalls(), calls);
  assert.equal(r2.points.length, 0);
  assert.deepEqual([...r2.cursors.keys()], ['cloudwatch:us-east-1:AWS/Lambda']);

  // sum only: one query per metric.
  h.cursors.clear();
  const r3 = await h.run({ namespaces: ['lambda'], metricFilterRegex: '.*\\.sum' });
  assert.deepEqual(metricNames(r3.points), ['aws.lambda.cpuutilization.sum', 'aws.lambda.networkin.sum']);
  assert.deepEqual([...requested(rec.getMetricData).values()], [['Sum'], ['Sum']]);
});

test('instance selection tags (map and expression, OR-ed) are applied before GetMetricData; metrics without InstanceId are unaffected', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: 'i-0ddddddddddddddd1', tags: { env: 'prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: 'i-0ddddddddddddddd2', tags: { env: 'dev', team: 'pay' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: 'i-0ddddddddddddddd3', tags: { env: 'dev' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: 'i-0ddddddddddddddd4', tags: { ENV: 'prod' } });
  for (const n of ['1', '2', '3', '4', '5']) {
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: `i-0ddddddddddddddd${n}` }, generator: true });
  }
  sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'asg-1' }, generator: true });
  const rec = h.record();
  const result = await h.run({ namespaces: ['ec2'], instanceSelectionTags: { env: 'prod' }, instanceSelectionTagsExpr: 'team=pay, team=ops' });
  assert.deepEqual(result.partialErrors, []);
  assert.deepEqual([...requested(rec.getMetricData).keys()].sort(), [
    'AWS/EC2|CPUUtilization|AutoScalingGroupName=asg-1',
    'AWS/EC2|CPUUtilization|InstanceId=i-0ddddddddddddddd1',
    'AWS/EC2|CPUUtilization|InstanceId=i-0ddddddddddddddd2',
  ]);
  assert.deepEqual([...new Set(result.points.map((p) => p.source))].sort(), ['asg-1', 'i-0ddddddddddddddd1', 'i-0ddddddddddddddd2']);
  assert.equal(result.metricCount, 15);
});

test('volume selection tags apply to AWS/EBS VolumeId metrics only', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: 'vol-0eeeeeeeeeeeeeee1', tags: { backup: 'yes' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: 'vol-0eeeeeeeeeeeeeee2', tags: { backup: 'no' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: 'vol-0eeeeeeeeeeeeeee3', tags: { tier: 'gold' } });
  for (const n of ['1', '2', '3']) {
    sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/EBS', metricName: 'VolumeWriteOps', dimensions: { VolumeId: `vol-0eeeeeeeeeeeeeee${n}` }, generator: true });
  }
  sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, generator: true });
  const rec = h.record();
  const result = await h.run({ namespaces: ['ebs', 'lambda'], volumeSelectionTags: { tier: 'gold' }, volumeSelectionTagsExpr: 'backup=yes', metricFilterRegex: '.*\\.sum' });
  assert.deepEqual([...requested(rec.getMetricData).keys()].sort(), [
    'AWS/EBS|VolumeWriteOps|VolumeId=vol-0eeeeeeeeeeeeeee1',
    'AWS/EBS|VolumeWriteOps|VolumeId=vol-0eeeeeeeeeeeeeee3',
    'AWS/Lambda|Errors|FunctionName=f',
  ]);
  assert.equal(result.metricCount, 3);
});

test('s3BucketNameFilterRegex keeps only matching buckets, before GetMetricData (fewer calls)', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  // 300 matching and 300 other buckets, one query each (sum only): 600 queries unfiltered would need 2 calls.
  const names = Array.from({ length: 300 }, (_, i) => [`logs-${i}`, `media-${i}`]).flat();
  sim.seedSeries({ accountId: ACCOUNT, region: R, count: names.length, namespace: 'AWS/S3', metricNames: ['BucketSizeBytes'], dimensionName: 'BucketName', dimensionValues: names });
  sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/S3', metricName: 'NumberOfObjects', generator: true });
  const rec = h.record();
  const result = await h.run({ namespaces: ['s3'], s3BucketNameFilterRegex: 'LOGS-\\d+', metricFilterRegex: '.*\\.sum' });
  assert.equal(h.gmdCalls(), 1);
  const keys = [...requested(rec.getMetricData).keys()];
  assert.equal(keys.length, 301);
  assert.ok(keys.every((k) => !k.includes('media-')));
  assert.ok(keys.includes('AWS/S3|NumberOfObjects|'), 'S3 metrics without a bucket are kept');
  assert.equal(result.metricCount, 301);
});

test('the series cap stops adding series past maxSeries, in a stable order, and says how many were dropped', async (t) => {
  const h = await cloudWatchHarness(t, { deps: { maxSeries: 12 } });
  for (const metricName of ['E', 'D', 'C', 'B', 'A']) {
    h.aws.sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: 'f' }, generator: true });
  }
  const rec = h.record();
  const result = await h.run({ namespaces: ['lambda'] });
  assert.equal(result.metricCount, 12);
  assert.deepEqual(metricNames(result.points), [
    ...STAT_NAMES.map((s) => `aws.lambda.a.${s}`),
    ...STAT_NAMES.map((s) => `aws.lambda.b.${s}`),
    'aws.lambda.c.average',
    'aws.lambda.c.sum',
  ]);
  // Only what the admitted series need is requested: 4 + 4 + (Sum, SampleCount).
  assert.equal(rec.getMetricData.flat().length, 10);
  assert.match(result.warning ?? '', /cap/);
  assert.match(result.warning ?? '', /\b12\b/);
  assert.match(result.warning ?? '', /\b13\b/);
  assert.deepEqual([...result.cursors.keys()], ['cloudwatch:us-east-1:AWS/Lambda']);
});

test('a catastrophic metricFilterRegex (nested quantifiers) finishes at once: user regexes run on a linear-time engine', async (t) => {
  const h = await cloudWatchHarness(t);
  // On a backtracking engine `aws\.(.+)+X` tries every split of the name: seconds per Wavefront name of this length.
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: 'f' }, generator: true });
  const started = performance.now();
  const result = await h.run({ namespaces: ['lambda'], metricFilterRegex: 'aws\\.(.+)+X' });
  const ms = performance.now() - started;
  assert.ok(ms < 3000, `the run took ${Math.round(ms)} ms`);
  assert.deepEqual(result.partialErrors, []);
  assert.equal(result.points.length, 0, 'no name ends in x');
  assert.deepEqual([...result.cursors.keys()], ['cloudwatch:us-east-1:AWS/Lambda']);
});
