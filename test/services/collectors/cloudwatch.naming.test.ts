import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatedSample } from '../../../src/simulator/index.ts';
import { ACCOUNT, bySeries, cloudWatchHarness, metricNames, MIN, STAT_NAMES, T0 } from './cloudwatchSetup.ts';

const END = T0 - 5 * MIN;
const START = END - 60 * MIN;

test('EC2: names aws.ec2.<metric>.<stat>, host-name tags as source (else the instance id), tags, values', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', tags: { Name: 'web-1', env: 'prod', Team: 'a', owner: 'x' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa2', tags: { Name: 'db-name', Host: 'db-host' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa3', tags: { NAME: 'n-3', HOSTNAME: 'h-3' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa4', tags: { env: 'dev' } });
  const series = ['1', '2', '3', '4'].map((n) =>
    sim.addSeries({
      accountId: ACCOUNT,
      region: 'us-east-1',
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: { InstanceId: `i-0aaaaaaaaaaaaaaa${n}` },
      generator: { samplesPerInterval: 4 },
    }),
  );

  const result = await h.run({ namespaces: ['AWS/EC2'], pointTagFilterRegex: 'env|team' }, { additionalTags: { dc: 'east', Region: 'ignored' } });
  assert.deepEqual(result.partialErrors, []);
  assert.deepEqual(metricNames(result.points), STAT_NAMES.map((s) => `aws.ec2.cpuutilization.${s}`));

  const sources = new Map(result.points.map((p) => [p.tags.InstanceId, p.source]));
  assert.equal(sources.get('i-0aaaaaaaaaaaaaaa1'), 'web-1', 'name tag');
  assert.equal(sources.get('i-0aaaaaaaaaaaaaaa2'), 'db-host', 'host comes before name');
  assert.equal(sources.get('i-0aaaaaaaaaaaaaaa3'), 'h-3', 'keys match case-insensitively, hostname first');
  assert.equal(sources.get('i-0aaaaaaaaaaaaaaa4'), 'i-0aaaaaaaaaaaaaaa4', 'no host-name tag: the instance id');

  const one = result.points.find((p) => p.tags.InstanceId === 'i-0aaaaaaaaaaaaaaa1')!;
  assert.deepEqual(one.tags, { accountId: ACCOUNT, Region: 'us-east-1', InstanceId: 'i-0aaaaaaaaaaaaaaa1', dc: 'east', env: 'prod', Team: 'a' });
  const four = result.points.find((p) => p.tags.InstanceId === 'i-0aaaaaaaaaaaaaaa4')!;
  assert.deepEqual(four.tags, { accountId: ACCOUNT, Region: 'us-east-1', InstanceId: 'i-0aaaaaaaaaaaaaaa4', dc: 'east', env: 'dev' });

  // Every statistic at every minute of the window, with CloudWatch's timestamps and values.
  const groups = bySeries(result.points);
  assert.equal(groups.size, 4 * 5);
  const ts = START + 17 * MIN;
  const sample = generatedSample(series[0], ts);
  const at = (stat: string) => result.points.find((p) => p.metric === `aws.ec2.cpuutilization.${stat}` && p.source === 'web-1' && p.ts === ts)!.value;
  assert.equal(at('sum'), sample.sum);
  assert.equal(at('samplecount'), 4);
  assert.equal(at('minimum'), sample.min);
  assert.equal(at('maximum'), sample.max);
  assert.ok(Math.abs(at('average') - sample.sum / sample.n) < 1e-9);
  for (const list of groups.values()) {
    assert.equal(list.length, 60);
    assert.equal(list[0].ts, START);
    assert.equal(list[59].ts, END - MIN);
  }
  assert.equal(result.metricCount, 20);
  assert.equal(result.newestMs, END - MIN);
  assert.deepEqual([...result.cursors], [['cloudwatch:us-east-1:AWS/EC2', String(END)]]);
});

test('EC2 without pointTagFilterRegex: no AWS tags become point tags', async (t) => {
  const h = await cloudWatchHarness(t);
  h.aws.sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0bbbbbbbbbbbbbbb1', tags: { hostname: 'api-7', env: 'prod' } });
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/EC2', metricName: 'NetworkIn', dimensions: { InstanceId: 'i-0bbbbbbbbbbbbbbb1' }, generator: true });
  const result = await h.run({ namespaces: ['ec2'] });
  assert.ok(result.points.length > 0);
  for (const p of result.points) {
    assert.equal(p.source, 'api-7');
    assert.deepEqual(p.tags, { accountId: ACCOUNT, Region: 'us-east-1', InstanceId: 'i-0bbbbbbbbbbbbbbb1' });
  }
});

test('EBS: an attached volume takes its instance\'s source, a detached one its volume id; volume tags by pointTagFilterRegex', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0ccccccccccccccc1', tags: { Name: 'web-1' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0ccccccccccccccc2' });
  sim.addVolume({ accountId: ACCOUNT, region: 'us-east-1', volumeId: 'vol-0ccccccccccccccc1', attachments: [{ instanceId: 'i-0ccccccccccccccc1' }], tags: { backup: 'daily', Name: 'root' } });
  sim.addVolume({ accountId: ACCOUNT, region: 'us-east-1', volumeId: 'vol-0ccccccccccccccc2', attachments: [{ instanceId: 'i-0ccccccccccccccc2' }] });
  sim.addVolume({ accountId: ACCOUNT, region: 'us-east-1', volumeId: 'vol-0ccccccccccccccc3', tags: { backup: 'never' } });
  for (const v of ['1', '2', '3']) {
    sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/EBS', metricName: 'VolumeReadOps', dimensions: { VolumeId: `vol-0ccccccccccccccc${v}` }, generator: true });
  }
  const result = await h.run({ namespaces: ['ebs'], pointTagFilterRegex: 'BACKUP' });
  assert.deepEqual(result.partialErrors, []);
  assert.deepEqual(metricNames(result.points), STAT_NAMES.map((s) => `aws.ebs.volumereadops.${s}`));
  const byVolume = new Map(result.points.map((p) => [p.tags.VolumeId, p]));
  assert.equal(byVolume.get('vol-0ccccccccccccccc1')!.source, 'web-1', 'attached: the instance\'s host name');
  assert.equal(byVolume.get('vol-0ccccccccccccccc2')!.source, 'i-0ccccccccccccccc2', 'attached, no host-name tag: the instance id');
  assert.equal(byVolume.get('vol-0ccccccccccccccc3')!.source, 'vol-0ccccccccccccccc3', 'detached: the volume id');
  assert.deepEqual(byVolume.get('vol-0ccccccccccccccc1')!.tags, { accountId: ACCOUNT, Region: 'us-east-1', VolumeId: 'vol-0ccccccccccccccc1', backup: 'daily' });
  assert.deepEqual(byVolume.get('vol-0ccccccccccccccc3')!.tags, { accountId: ACCOUNT, Region: 'us-east-1', VolumeId: 'vol-0ccccccccccccccc3', backup: 'never' });
  assert.equal(result.metricCount, 15);
});

test('other namespaces: the first dimension is the source, no dimension means the account; short namespace forms', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addSeries({
    accountId: ACCOUNT,
    region: 'us-east-1',
    namespace: 'AWS/ApplicationELB',
    metricName: 'RequestCount',
    dimensions: [
      { Name: 'LoadBalancer', Value: 'app/shop/50dc6c495c0c9188' },
      { Name: 'AvailabilityZone', Value: 'us-east-1a' },
    ],
    generator: true,
  });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', generator: true });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: 'checkout' }, generator: true });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: 'q' }, generator: true });

  const result = await h.run({ namespaces: ['applicationelb', 'LAMBDA'] }, { additionalTags: { env: 'prod' } });
  assert.deepEqual(result.partialErrors, []);
  assert.deepEqual(metricNames(result.points), [
    ...STAT_NAMES.map((s) => `aws.applicationelb.requestcount.${s}`),
    ...STAT_NAMES.map((s) => `aws.lambda.concurrentexecutions.${s}`),
    ...STAT_NAMES.map((s) => `aws.lambda.duration.${s}`),
  ]);
  const alb = result.points.find((p) => p.metric === 'aws.applicationelb.requestcount.sum')!;
  assert.equal(alb.source, 'app/shop/50dc6c495c0c9188');
  assert.deepEqual(alb.tags, { accountId: ACCOUNT, Region: 'us-east-1', LoadBalancer: 'app/shop/50dc6c495c0c9188', AvailabilityZone: 'us-east-1a', env: 'prod' });
  const concurrent = result.points.find((p) => p.metric === 'aws.lambda.concurrentexecutions.maximum')!;
  assert.equal(concurrent.source, ACCOUNT);
  assert.deepEqual(concurrent.tags, { accountId: ACCOUNT, Region: 'us-east-1', env: 'prod' });
  assert.equal(result.points.find((p) => p.metric === 'aws.lambda.duration.average')!.source, 'checkout');
  assert.deepEqual([...result.cursors.keys()].sort(), ['cloudwatch:us-east-1:AWS/ApplicationELB', 'cloudwatch:us-east-1:AWS/Lambda']);
  assert.equal(h.aws.sim.callCount({ service: 'ec2' }), 0, 'no inventory needed without EC2/EBS metrics');
});
