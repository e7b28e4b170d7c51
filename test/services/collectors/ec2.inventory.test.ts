import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCloudWatchCollector } from '../../../src/services/collection/collectors/cloudwatch/index.ts';
import { createEc2Collector } from '../../../src/services/collection/collectors/ec2/index.ts';
import { createInventoryCache } from '../../../src/services/collection/collectors/inventory.ts';
import { ACCOUNT, bySource, ec2Harness, iid, metricNames, MIN, T0_MINUTE, vid } from './ec2Setup.ts';

const R = 'us-east-1';

test('instanceSelectionTagsExpr and volumeSelectionTagsExpr: k=v pairs OR-ed, exact key and value; unset selects all', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'a', env: 'prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(2), tags: { Name: 'b', team: 'web' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(3), tags: { Name: 'c', env: 'Prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(4), tags: { Name: 'd', ENV: 'prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(5), tags: { Name: 'e' }, instanceType: 'm5.large' });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(5) }], tags: { backup: 'yes' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(2), attachments: [{ instanceId: iid(1) }], tags: { backup: 'no' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(3), tags: { tier: 'cold' } });

  const all = await h.run({});
  assert.equal(bySource(all.points, 'aws.ec2.instance.running').size, 5);
  assert.equal(bySource(all.points, 'aws.ebs.volumesize').size, 3);

  const r = await h.run({ instanceSelectionTagsExpr: 'env=prod, team=web', volumeSelectionTagsExpr: 'backup=yes,tier = cold' });
  assert.deepEqual([...bySource(r.points, 'aws.ec2.instance.running').keys()].sort(), ['a', 'b']);
  const counts = r.points.filter((p) => p.metric === 'aws.instance.count');
  assert.deepEqual(counts.map((p) => [p.tags.instanceType, p.value]), [['t3.micro', 2]], 'counts cover the selected instances only');
  // A selected volume keeps its (unselected) instance's name as source: selection filters series, not sources.
  assert.deepEqual(
    r.points.filter((p) => p.metric === 'aws.ebs.volumesize').map((p) => [p.tags.volumeId, p.source]).sort(),
    [[vid(1), 'e'], [vid(3), vid(3)]],
  );

  const blank = await h.run({ instanceSelectionTagsExpr: '  ', volumeSelectionTagsExpr: '' });
  assert.equal(blank.points.length, all.points.length, 'a blank expression selects everything');
});

test('1,234 instances and 1,100 volumes: DescribeInstances and DescribeVolumes paged by 1,000 (2 calls each)', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  for (let i = 0; i < 1234; i++) {
    sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(0x1000 + i), tags: { Name: `host-${i}` }, state: i % 10 === 0 ? 'stopped' : 'running' });
    if (i < 1100) sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(0x1000 + i), attachments: [{ instanceId: iid(0x1000 + i) }] });
  }
  const r = await h.run({});
  assert.equal(h.describes('DescribeInstances'), 2);
  assert.equal(h.describes('DescribeVolumes'), 2);
  const running = bySource(r.points, 'aws.ec2.instance.running');
  assert.equal(running.size, 1234);
  assert.equal(running.get('host-1233')!.value, 1);
  assert.equal(running.get('host-1230')!.value, 0);
  assert.equal(bySource(r.points, 'aws.ebs.volumesize').size, 1100);
  assert.equal(bySource(r.points, 'aws.ebs.volumesize').get('host-1099')!.tags.volumeId, vid(0x1000 + 1099));
  const count = (state: string) => r.points.find((p) => p.metric === 'aws.instance.count' && p.tags.state === state)!.value;
  assert.equal(count('running'), 1234 - 124);
  assert.equal(count('stopped'), 124);
  assert.equal(r.metricCount, 1234 + 2 * 1100 + 2);
});

test('LIMITS: aws.limits.<attribute>.limit from DescribeAccountAttributes, .usage where the inventory has it', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.createAccount({ id: ACCOUNT, attributes: { 'max-instances': ['32'] } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { env: 'prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(2) });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(3), state: 'pending' });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(4), lifecycle: 'spot' });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(5), state: 'stopped' });

  const off = await h.run({});
  assert.equal(off.points.some((p) => p.metric.startsWith('aws.limits.')), false);
  assert.equal(h.describes('DescribeAccountAttributes'), 0, 'not asked without LIMITS');

  // Selection does not narrow usage: a limit is the account's.
  const r = await h.run({ customNamespaces: ['Limits'], instanceSelectionTagsExpr: 'env=prod' }, { additionalTags: { owner: 'ops' } });
  assert.equal(h.describes('DescribeAccountAttributes'), 1);
  const limits = r.points.filter((p) => p.metric.startsWith('aws.limits.'));
  assert.deepEqual(
    limits.map((p) => [p.metric, p.value]).sort(),
    [
      ['aws.limits.max-elastic-ips.limit', 5],
      ['aws.limits.max-instances.limit', 32],
      ['aws.limits.max-instances.usage', 3],
      ['aws.limits.vpc-max-elastic-ips.limit', 5],
      ['aws.limits.vpc-max-security-groups-per-interface.limit', 5],
    ],
    'numeric attributes only (not supported-platforms or default-vpc); usage counts pending and running On-Demand instances',
  );
  for (const p of limits) {
    assert.equal(p.source, ACCOUNT);
    assert.equal(p.ts, T0_MINUTE);
    assert.deepEqual(p.tags, { owner: 'ops', accountId: ACCOUNT, Region: R });
  }
  assert.equal(r.metricCount, r.points.length);

  const onlyLimits = await h.run({ customNamespaces: ['LIMITS'], metricFilterRegex: 'aws\\.limits\\.max-instances\\..*' });
  assert.deepEqual(metricNames(onlyLimits.points), ['aws.limits.max-instances.limit', 'aws.limits.max-instances.usage']);
  const noUsage = await h.run({ customNamespaces: ['LIMITS'], metricFilterRegex: 'aws\\.limits\\..*\\.limit' });
  assert.equal(noUsage.points.length, 4);
  assert.ok(noUsage.points.every((p) => p.metric.endsWith('.limit')));
});

test('without fixed regions the account\'s enabled regions are collected (DescribeRegions cached), each point tagged with its Region', async (t) => {
  const h = await ec2Harness(t, { deps: { regions: [] }, accountRegions: ['us-east-1', 'eu-west-1'] });
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: iid(1), tags: { Name: 'east' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'eu-west-1', instanceId: iid(2), tags: { Name: 'west' } });
  sim.addInstance({ accountId: ACCOUNT, region: 'ap-south-1', instanceId: iid(3), tags: { Name: 'not-enabled' } });

  const r = await h.run({});
  const running = bySource(r.points, 'aws.ec2.instance.running');
  assert.deepEqual([...running.keys()].sort(), ['east', 'west']);
  assert.equal(running.get('east')!.tags.Region, 'us-east-1');
  assert.equal(running.get('west')!.tags.Region, 'eu-west-1');
  assert.deepEqual(
    r.points.filter((p) => p.metric === 'aws.instance.count').map((p) => [p.tags.Region, p.value]).sort(),
    [['eu-west-1', 1], ['us-east-1', 1]],
  );
  h.clock.advance(5 * MIN);
  await h.run({});
  assert.equal(h.describes('DescribeRegions'), 1);
  assert.equal(h.describes('DescribeInstances', 'eu-west-1'), 2);
});

test('collectors given one inventory cache share each role × region Describe for its TTL, concurrent runs included', async (t) => {
  const inventory = createInventoryCache({ ttlMs: MIN });
  const h = await ec2Harness(t, { deps: { inventory } });
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(1) }] });
  sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: iid(1) }, generator: true });
  sim.addSeries({ accountId: ACCOUNT, region: R, namespace: 'AWS/EBS', metricName: 'VolumeReadOps', dimensions: { VolumeId: vid(1) }, generator: true });
  const cloudwatch = createCloudWatchCollector({ regions: [R], inventory });
  const cwInput = () => {
    const input = h.input({ namespaces: ['AWS/EC2', 'AWS/EBS'] });
    return { ...input, target: { ...input.target, service: 'CLOUDWATCH' as const } };
  };

  const [ec2, cw] = await Promise.all([h.run({}), cloudwatch(cwInput())]);
  assert.equal(h.describes('DescribeInstances'), 1);
  assert.equal(h.describes('DescribeVolumes'), 1);
  assert.equal(bySource(ec2.points, 'aws.ec2.instance.running').get('web-1')!.value, 1);
  assert.deepEqual([...new Set(cw.points.map((p) => p.source))], ['web-1'], 'CloudWatch named its EC2 and EBS series from the shared inventory');

  h.clock.advance(MIN - 1);
  await Promise.all([h.run({}), cloudwatch(cwInput())]);
  assert.equal(h.describes('DescribeInstances'), 1, 'still fresh');
  h.clock.advance(1);
  await cloudwatch(cwInput());
  await h.run({});
  assert.equal(h.describes('DescribeInstances'), 2, 'expired after the TTL: described again, once');
  assert.equal(h.describes('DescribeVolumes'), 2);

  // Another collector with its own cache (the default) describes for itself.
  await createEc2Collector({ regions: [R] })(h.input({}));
  assert.equal(h.describes('DescribeInstances'), 3);
});

test('a run cancelled while others wait on its Describe does not fail them: they describe again under their own signal', async (t) => {
  const inventory = createInventoryCache({ ttlMs: MIN });
  const h = await ec2Harness(t, { deps: { inventory } });
  h.aws.sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  const other = createEc2Collector({ regions: [R], inventory });
  await h.input().credentials(); // AssumeRole done: both runs go straight to the inventory
  h.aws.sim.addFault({ kind: 'latency', service: 'ec2', api: 'DescribeInstances', latencyMs: 1_000, count: 1 });

  const first = new AbortController();
  const cancelled = h.run({}, { signal: first.signal });
  while (inventory.size === 0) await sleep(5); // its DescribeInstances is in flight
  const waiting = other(h.input({}));
  await sleep(50);
  first.abort(new Error('lease lost'));

  await assert.rejects(cancelled, /lease lost/);
  const r = await waiting;
  assert.deepEqual(r.partialErrors, []);
  assert.equal(bySource(r.points, 'aws.ec2.instance.running').get('web-1')!.value, 1);
});
