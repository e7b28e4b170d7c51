import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, bySource, ec2Harness, iid, metricNames, MIN, T0_MINUTE, vid } from './ec2Setup.ts';

const R = 'us-east-1';

test('instance sources: hostname, host, name by default, keys case-insensitive, else the instance id', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(2), tags: { Name: 'ignored', HOST: 'db-1' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(3), tags: { name: 'n3', host: 'h3', HostName: 'full-3' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(4), tags: { env: 'prod' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(5), tags: { Name: '' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(6) });

  const r = await h.run({});
  const running = bySource(r.points, 'aws.ec2.instance.running');
  assert.deepEqual([...running.keys()].sort(), ['db-1', 'full-3', iid(4), iid(5), iid(6), 'web-1'].sort());
  assert.equal(running.get('web-1')!.tags.instanceID, iid(1));
  assert.equal(running.get('db-1')!.tags.instanceID, iid(2), 'host wins over name');
  assert.equal(running.get('full-3')!.tags.instanceID, iid(3), 'hostname wins over host and name');
  assert.deepEqual(r.partialErrors, []);
});

test('instance sources with hostNameTags set: that list in its order, case-insensitive; an empty list means instance ids', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1', role: 'frontend' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(2), tags: { HOST: 'db-1', NAME: 'n2' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(3), tags: { hostname: 'h3' } });

  const custom = bySource((await h.run({ hostNameTags: ['Role', 'name'] })).points, 'aws.ec2.instance.running');
  assert.deepEqual([...custom.keys()].sort(), ['frontend', iid(3), 'n2'].sort(), 'host and hostname are not tried when the list names neither');

  const ids = bySource((await h.run({ hostNameTags: [] })).points, 'aws.ec2.instance.running');
  assert.deepEqual([...ids.keys()].sort(), [iid(1), iid(2), iid(3)]);
});

test('volume sources: the attached instance\'s source; an unknown instance: its id; detached: the volume id', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1', Role: 'frontend' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(2) });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(1) }] });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(2), attachments: [{ instanceId: iid(2) }] });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(3), attachments: [{ instanceId: iid(99) }] });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(4) });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(5), state: 'available', attachments: [{ instanceId: iid(1), state: 'detached' }] });

  const sourceOf = (points: Awaited<ReturnType<typeof h.run>>['points']) =>
    Object.fromEntries(points.filter((p) => p.metric === 'aws.ebs.volumesize').map((p) => [p.tags.volumeId, p.source]));
  assert.deepEqual(sourceOf((await h.run({})).points), {
    [vid(1)]: 'web-1',
    [vid(2)]: iid(2),
    [vid(3)]: iid(99),
    [vid(4)]: vid(4),
    [vid(5)]: vid(5),
  });
  // The volume follows its instance's hostNameTags.
  assert.equal(sourceOf((await h.run({ hostNameTags: ['role'] })).points)[vid(1)], 'frontend');
});

test('aws.ec2.instance.running: 1 when running, else 0, with type, zone, state and lifecycle tags, at now aligned to the minute', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, availabilityZone: 'us-east-1b', instanceId: iid(1), instanceType: 'm5.large', tags: { Name: 'web-1' } });
  sim.addInstance({ accountId: ACCOUNT, availabilityZone: 'us-east-1c', instanceId: iid(2), instanceType: 't3.micro', state: 'stopped', lifecycle: 'spot', tags: { Name: 'batch-1' } });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(3), state: 'terminated' });

  const r = await h.run({});
  assert.deepEqual(metricNames(r.points), ['aws.ec2.instance.running', 'aws.instance.count']);
  const running = bySource(r.points, 'aws.ec2.instance.running');
  assert.deepEqual(running.get('web-1'), {
    metric: 'aws.ec2.instance.running',
    source: 'web-1',
    ts: T0_MINUTE,
    value: 1,
    tags: { instanceID: iid(1), instanceType: 'm5.large', availabilityZone: 'us-east-1b', state: 'running', instanceLifecycle: 'normal', accountId: ACCOUNT, Region: R },
  });
  assert.deepEqual(running.get('batch-1')!.tags, {
    instanceID: iid(2),
    instanceType: 't3.micro',
    availabilityZone: 'us-east-1c',
    state: 'stopped',
    instanceLifecycle: 'spot',
    accountId: ACCOUNT,
    Region: R,
  });
  assert.equal(running.get('batch-1')!.value, 0);
  assert.equal(running.get(iid(3))!.value, 0);
  assert.equal(running.get(iid(3))!.tags.state, 'terminated');
  assert.equal(r.metricCount, r.points.length, 'one point per series');
  assert.equal(r.newestMs, T0_MINUTE);
  assert.ok(r.points.every((p) => p.ts === T0_MINUTE));
  assert.equal(r.cursors.size, 0);
});

test('aws.instance.count per region, instance type and state, under the account id', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  for (let i = 0; i < 3; i++) sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(i + 1), instanceType: 't3.micro' });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(4), instanceType: 't3.micro', state: 'stopped' });
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(5), instanceType: 'm5.large' });

  const r = await h.run({});
  const counts = r.points.filter((p) => p.metric === 'aws.instance.count');
  assert.deepEqual(
    counts.map((p) => [p.source, p.tags.instanceType, p.tags.state, p.value, p.ts]).sort(),
    [
      [ACCOUNT, 'm5.large', 'running', 1, T0_MINUTE],
      [ACCOUNT, 't3.micro', 'running', 3, T0_MINUTE],
      [ACCOUNT, 't3.micro', 'stopped', 1, T0_MINUTE],
    ],
  );
  assert.deepEqual(counts[0].tags, { instanceType: counts[0].tags.instanceType, state: counts[0].tags.state, accountId: ACCOUNT, Region: R });
  assert.equal(r.metricCount, 5 + 3);
});

test('aws.ebs.volumesize (GiB) and aws.ebs.volumeiops with volume, type, State, Status and instanceID tags', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), size: 100, volumeType: 'gp3', iops: 4000, attachments: [{ instanceId: iid(1) }] });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(2), size: 500, volumeType: 'gp2', attachments: [{ instanceId: iid(1), state: 'attaching' }] });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(3), size: 20, volumeType: 'standard' });

  const r = await h.run({});
  const points = r.points.filter((p) => p.metric.startsWith('aws.ebs.'));
  const find = (metric: string, volumeId: string) => points.find((p) => p.metric === metric && p.tags.volumeId === volumeId);
  const attachedTags = { volumeId: vid(1), volumeType: 'gp3', State: 'in-use', Status: 'attached', instanceID: iid(1), accountId: ACCOUNT, Region: R };
  assert.deepEqual(find('aws.ebs.volumesize', vid(1)), { metric: 'aws.ebs.volumesize', source: 'web-1', tags: attachedTags, ts: T0_MINUTE, value: 100 });
  assert.deepEqual(find('aws.ebs.volumeiops', vid(1)), { metric: 'aws.ebs.volumeiops', source: 'web-1', tags: attachedTags, ts: T0_MINUTE, value: 4000 });
  assert.equal(find('aws.ebs.volumesize', vid(2))!.value, 500);
  assert.equal(find('aws.ebs.volumeiops', vid(2))!.value, 100, 'gp2 baseline IOPS');
  assert.equal(find('aws.ebs.volumesize', vid(2))!.tags.Status, 'attaching');
  assert.deepEqual(find('aws.ebs.volumesize', vid(3)), {
    metric: 'aws.ebs.volumesize',
    source: vid(3),
    tags: { volumeId: vid(3), volumeType: 'standard', State: 'available', accountId: ACCOUNT, Region: R },
    ts: T0_MINUTE,
    value: 20,
  });
  assert.equal(find('aws.ebs.volumeiops', vid(3)), undefined, 'a volume without IOPS has no IOPS series');
  assert.equal(points.length, 5);
});

test('metricFilterRegex: the whole name, case-insensitively; volumes are not described when no EBS metric can pass', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(1) }] });

  assert.deepEqual(metricNames((await h.run({ metricFilterRegex: '^AWS\\.EBS\\..*$' })).points), ['aws.ebs.volumeiops', 'aws.ebs.volumesize']);
  assert.deepEqual(metricNames((await h.run({ metricFilterRegex: 'aws.ebs.volumesize|aws.instance.count' })).points), ['aws.ebs.volumesize', 'aws.instance.count']);
  assert.deepEqual((await h.run({ metricFilterRegex: 'aws\\.ebs\\.volume' })).points, [], 'a prefix is not a whole match');
  assert.equal(h.describes('DescribeVolumes'), 1, 'the inventory is reused within a cycle');

  h.clock.advance(MIN);
  const r = await h.run({ metricFilterRegex: 'aws\\.ec2\\..*' });
  assert.deepEqual(metricNames(r.points), ['aws.ec2.instance.running']);
  assert.equal(r.metricCount, 1);
  assert.equal(h.describes('DescribeInstances'), 2, 'the next cycle describes again');
  assert.equal(h.describes('DescribeVolumes'), 1, 'no DescribeVolumes when only instance metrics pass');
});

test('pointTagFilterRegex adds the matching AWS tags of the instance or volume; additionalTags too; neither overrides the series tags', async (t) => {
  const h = await ec2Harness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: R, instanceId: iid(1), tags: { Name: 'web-1', env: 'prod', Team: 'web', state: 'bogus', costCenter: '42' } });
  sim.addVolume({ accountId: ACCOUNT, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(1) }], tags: { env: 'vol-env', backup: 'daily' } });

  const none = await h.run({});
  assert.deepEqual(Object.keys(bySource(none.points, 'aws.ec2.instance.running').get('web-1')!.tags).sort(), [
    'Region',
    'accountId',
    'availabilityZone',
    'instanceID',
    'instanceLifecycle',
    'instanceType',
    'state',
  ]);

  const r = await h.run({ pointTagFilterRegex: 'ENV|team|state' }, { additionalTags: { owner: 'ops', accountId: 'spoofed', env: 'from-additional' } });
  const instance = bySource(r.points, 'aws.ec2.instance.running').get('web-1')!;
  assert.equal(instance.tags.env, 'from-additional', 'additionalTags win over AWS tags');
  assert.equal(instance.tags.Team, 'web', 'keys match case-insensitively');
  assert.equal(instance.tags.owner, 'ops');
  assert.equal(instance.tags.state, 'running', 'an AWS tag cannot overwrite a series tag');
  assert.equal(instance.tags.accountId, ACCOUNT, 'nor can additionalTags');
  assert.equal(instance.tags.costCenter, undefined);
  assert.equal(instance.tags.Name, undefined);

  const volume = r.points.find((p) => p.metric === 'aws.ebs.volumesize')!;
  assert.equal(volume.tags.backup, undefined, 'volume tags not matching the filter are left out');
  assert.equal(volume.tags.env, 'from-additional');
  assert.equal(volume.tags.owner, 'ops');
  const volumeOnly = await h.run({ pointTagFilterRegex: 'backup' });
  assert.equal(volumeOnly.points.find((p) => p.metric === 'aws.ebs.volumesize')!.tags.backup, 'daily', 'the volume\'s own tags, not its instance\'s');
  assert.equal(bySource(volumeOnly.points, 'aws.ec2.instance.running').get('web-1')!.tags.backup, undefined);

  const count = r.points.find((p) => p.metric === 'aws.instance.count')!;
  assert.deepEqual(count.tags, { env: 'from-additional', owner: 'ops', instanceType: 't3.micro', state: 'running', accountId: ACCOUNT, Region: R });
});
