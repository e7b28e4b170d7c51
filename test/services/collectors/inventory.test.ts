import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachedInstanceId, describeAllInstances, describeAllVolumes, loadInventory } from '../../../src/services/collection/collectors/inventory.ts';
import { ACCOUNT, cloudWatchHarness } from './cloudwatchSetup.ts';

test('DescribeInstances and DescribeVolumes read every page of 1,000', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  for (let i = 0; i < 2345; i++) {
    const instanceId = `i-${(0x10000000 + i).toString(16)}00000000`;
    sim.addInstance({ accountId: ACCOUNT, region: 'eu-west-1', instanceId, tags: i === 7 ? { Name: 'seven', env: 'prod' } : undefined, lifecycle: i === 8 ? 'spot' : undefined });
    if (i < 1200) sim.addVolume({ accountId: ACCOUNT, region: 'eu-west-1', attachments: i % 2 === 0 ? [{ instanceId }] : [], tags: { n: String(i) } });
  }
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0123456789abcdef0' });

  const ec2 = h.clients.ec2('eu-west-1');
  const instances = await describeAllInstances(ec2);
  assert.equal(instances.length, 2345);
  assert.equal(new Set(instances.map((i) => i.instanceId)).size, 2345);
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeInstances', error: false }), 3);
  const seven = instances.find((i) => i.tags.Name === 'seven')!;
  assert.deepEqual(seven.tags, { Name: 'seven', env: 'prod' });
  assert.equal(seven.state, 'running');
  assert.equal(instances.filter((i) => i.lifecycle === 'spot').length, 1);

  const volumes = await describeAllVolumes(ec2);
  assert.equal(volumes.length, 1200);
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeVolumes', error: false }), 2);
  assert.equal(volumes.filter((v) => attachedInstanceId(v) !== undefined).length, 600);

  const inventory = await loadInventory(ec2, { volumes: false });
  assert.equal(inventory.instances.size, 2345);
  assert.equal(inventory.volumes.size, 0);
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeVolumes' }), 2, 'volumes only when asked');
});

test('the CloudWatch collector reads the inventory once per cycle for the EC2 and EBS namespaces of a region', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', tags: { Name: 'web' } });
  sim.addVolume({ accountId: ACCOUNT, region: 'us-east-1', volumeId: 'vol-0aaaaaaaaaaaaaaa1', attachments: [{ instanceId: 'i-0aaaaaaaaaaaaaaa1' }] });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: 'i-0aaaaaaaaaaaaaaa1' }, generator: true });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/EBS', metricName: 'VolumeIdleTime', dimensions: { VolumeId: 'vol-0aaaaaaaaaaaaaaa1' }, generator: true });
  const r = await h.run({ namespaces: ['ec2', 'ebs'] });
  assert.deepEqual([...new Set(r.points.map((p) => p.source))], ['web']);
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeInstances' }), 1);
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeVolumes' }), 1);
  // The next cycle (minutes later) reads it again: tags and attachments change.
  h.clock.advance(5 * 60_000);
  await h.run({ namespaces: ['ec2', 'ebs'] });
  assert.equal(sim.callCount({ service: 'ec2', api: 'DescribeInstances' }), 2);
});
