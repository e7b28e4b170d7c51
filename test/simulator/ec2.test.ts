import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DescribeAccountAttributesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type DescribeInstancesCommandInput,
  type DescribeVolumesCommandInput,
  type Instance,
} from '@aws-sdk/client-ec2';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world, type Credentials, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('EC2 (ec2Query)', () => {
  let w: World;
  let creds: Credentials;
  let ec2: EC2Client;
  const ids: string[] = [];

  before(async () => {
    w = await world({ clock: () => NOW });
    creds = await assume(w);
    ec2 = new EC2Client(cfg(w.sim, creds));
    // 12 instances in us-east-1: 8 running, 4 stopped; every third is spot; half tagged env=prod.
    for (let i = 0; i < 12; i++) {
      const inst = w.sim.addInstance({
        accountId: CUSTOMER_ACCOUNT,
        availabilityZone: i % 2 === 0 ? 'us-east-1a' : 'us-east-1b',
        instanceType: i < 6 ? 'm5.large' : 't3.micro',
        state: i < 8 ? 'running' : 'stopped',
        lifecycle: i % 3 === 0 ? 'spot' : undefined,
        tags: i % 2 === 0 ? { Name: `web-${i}`, env: 'prod' } : { Name: `batch-${i}` },
        launchTime: NOW - i * 3600_000,
        reservationId: `r-${String(Math.floor(i / 2)).padStart(17, '0')}`,
      });
      ids.push(inst.instanceId);
    }
    w.sim.addInstance({ accountId: CUSTOMER_ACCOUNT, availabilityZone: 'us-west-2a', tags: { Name: 'oregon' } });
    w.sim.addInstance({ accountId: '999999999999', availabilityZone: 'us-east-1a', tags: { Name: 'someone-else' } });
    for (let i = 0; i < 7; i++) {
      w.sim.addVolume({
        accountId: CUSTOMER_ACCOUNT,
        availabilityZone: 'us-east-1a',
        size: 10 * (i + 1),
        iops: 3000 + i,
        volumeType: i < 5 ? 'gp3' : 'io2',
        attachments: i < 4 ? [{ instanceId: ids[i], device: '/dev/xvda' }] : [],
        tags: i % 2 === 0 ? { backup: 'daily' } : {},
      });
    }
  });
  after(async () => {
    ec2.destroy();
    await w.sim.close();
  });

  const instancesOf = async (input: DescribeInstancesCommandInput): Promise<Instance[]> =>
    ((await ec2.send(new DescribeInstancesCommand(input))).Reservations ?? []).flatMap((r) => r.Instances ?? []);

  test('DescribeInstances returns the role account instances of the region with their fields', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    assert.equal(instances.length, 12);
    assert.equal(out.NextToken, undefined);
    assert.equal(out.Reservations?.length, 6, 'instances sharing a reservation id are grouped');
    assert.equal(out.Reservations?.[0].OwnerId, CUSTOMER_ACCOUNT);
    const first = instances.find((i) => i.InstanceId === ids[0]);
    assert.ok(first);
    assert.equal(first.InstanceType, 'm5.large');
    assert.deepEqual(first.State, { Code: 16, Name: 'running' });
    assert.equal(first.Placement?.AvailabilityZone, 'us-east-1a');
    assert.equal(first.InstanceLifecycle, 'spot');
    assert.deepEqual(first.Tags, [{ Key: 'Name', Value: 'web-0' }, { Key: 'env', Value: 'prod' }]);
    assert.match(first.PrivateDnsName ?? '', /^ip-10-\d+-\d+-\d+\.ec2\.internal$/);
    assert.equal(first.LaunchTime?.getTime(), NOW);
    const stopped = instances.find((i) => i.InstanceId === ids[9]);
    assert.deepEqual(stopped?.State, { Code: 80, Name: 'stopped' });
    assert.equal(instances.find((i) => i.InstanceId === ids[1])?.InstanceLifecycle, undefined);
  });

  test('filters: tag:<key>, tag-key, instance-state-name, instance-id, wildcards, AND across filters', async () => {
    assert.equal((await instancesOf({ Filters: [{ Name: 'tag:env', Values: ['prod'] }] })).length, 6);
    assert.equal((await instancesOf({ Filters: [{ Name: 'tag-key', Values: ['env'] }] })).length, 6);
    assert.equal((await instancesOf({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] })).length, 8);
    assert.equal((await instancesOf({ Filters: [{ Name: 'instance-state-name', Values: ['stopped', 'terminated'] }] })).length, 4);
    assert.deepEqual(
      (await instancesOf({ Filters: [{ Name: 'instance-id', Values: [ids[3], ids[5]] }] })).map((i) => i.InstanceId).sort(),
      [ids[3], ids[5]].sort(),
    );
    assert.equal((await instancesOf({ Filters: [{ Name: 'tag:Name', Values: ['batch-*'] }] })).length, 6);
    assert.equal((await instancesOf({ Filters: [{ Name: 'tag:Name', Values: ['web-?'] }] })).length, 5);
    const both = await instancesOf({ Filters: [{ Name: 'tag:env', Values: ['prod'] }, { Name: 'instance-state-name', Values: ['running'] }] });
    assert.equal(both.length, 4);
    assert.equal((await instancesOf({ Filters: [{ Name: 'instance-lifecycle', Values: ['spot'] }] })).length, 4);
    assert.equal((await instancesOf({ Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }] })).length, 6);
    const err = await errorOf(() => instancesOf({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }));
    assert.equal(err.name, 'InvalidParameterValue');
  });

  test('InstanceIds selects instances; unknown or malformed ids are errors', async () => {
    assert.deepEqual((await instancesOf({ InstanceIds: [ids[2]] })).map((i) => i.InstanceId), [ids[2]]);
    const missing = await errorOf(() => instancesOf({ InstanceIds: ['i-0000000000000dead'] }));
    assert.equal(missing.name, 'InvalidInstanceID.NotFound');
    assert.equal(missing.$metadata?.httpStatusCode, 400);
    const malformed = await errorOf(() => instancesOf({ InstanceIds: ['nope'] }));
    assert.equal(malformed.name, 'InvalidInstanceID.Malformed');
  });

  test('MaxResults/NextToken paginate; MaxResults outside 5..1000 is InvalidParameterValue', async () => {
    const pages: number[] = [];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: token }));
      const page = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      pages.push(page.length);
      seen.push(...page.map((i) => i.InstanceId ?? ''));
      token = out.NextToken;
    } while (token);
    assert.deepEqual(pages, [5, 5, 2]);
    assert.deepEqual(seen, ids);
    for (const max of [4, 1001]) {
      const err = await errorOf(() => ec2.send(new DescribeInstancesCommand({ MaxResults: max })));
      assert.equal(err.name, 'InvalidParameterValue', `MaxResults ${max}`);
      assert.equal(err.$metadata?.httpStatusCode, 400);
    }
    const full = await ec2.send(new DescribeInstancesCommand({ MaxResults: 1000 }));
    assert.equal((full.Reservations ?? []).flatMap((r) => r.Instances ?? []).length, 12);
    assert.equal(full.NextToken, undefined);
    const combo = await errorOf(() => ec2.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [ids[0]] })));
    assert.equal(combo.name, 'InvalidParameterCombination');
    const badToken = await errorOf(() => ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'garbage' })));
    assert.equal(badToken.name, 'InvalidPaginationToken');
  });

  test('instances are per region and per account', async () => {
    const oregon = new EC2Client(cfg(w.sim, creds, 'us-west-2'));
    const out = await oregon.send(new DescribeInstancesCommand({}));
    oregon.destroy();
    const names = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value);
    assert.deepEqual(names, ['oregon']);
    const own = new EC2Client(cfg(w.sim, w.base));
    const mine = await own.send(new DescribeInstancesCommand({}));
    own.destroy();
    assert.deepEqual(mine.Reservations, []);
  });

  const volumesOf = async (input: DescribeVolumesCommandInput) => (await ec2.send(new DescribeVolumesCommand(input))).Volumes ?? [];

  test('DescribeVolumes returns sizes, iops, types, state and attachments', async () => {
    const volumes = await volumesOf({});
    assert.equal(volumes.length, 7);
    const v0 = volumes[0];
    assert.equal(v0.Size, 10);
    assert.equal(v0.Iops, 3000);
    assert.equal(v0.VolumeType, 'gp3');
    assert.equal(v0.State, 'in-use');
    assert.equal(v0.AvailabilityZone, 'us-east-1a');
    assert.deepEqual(
      v0.Attachments?.map((a) => [a.InstanceId, a.State, a.Device, a.VolumeId]),
      [[ids[0], 'attached', '/dev/xvda', v0.VolumeId]],
    );
    assert.deepEqual(v0.Tags, [{ Key: 'backup', Value: 'daily' }]);
    assert.equal(volumes[6].State, 'available');
    assert.deepEqual(volumes[6].Attachments, []);
  });

  test('DescribeVolumes filters and pages', async () => {
    assert.equal((await volumesOf({ Filters: [{ Name: 'tag:backup', Values: ['daily'] }] })).length, 4);
    assert.equal((await volumesOf({ Filters: [{ Name: 'status', Values: ['available'] }] })).length, 3);
    assert.equal((await volumesOf({ Filters: [{ Name: 'volume-type', Values: ['io2'] }] })).length, 2);
    assert.deepEqual(
      (await volumesOf({ Filters: [{ Name: 'attachment.instance-id', Values: [ids[1]] }] })).map((v) => v.Attachments?.[0]?.InstanceId),
      [ids[1]],
    );
    const sizes: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ec2.send(new DescribeVolumesCommand({ MaxResults: 5, NextToken: token }));
      sizes.push(...(out.Volumes ?? []).map((v) => v.Size ?? 0));
      token = out.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(sizes, [10, 20, 30, 40, 50, 60, 70]);
    const err = await errorOf(() => ec2.send(new DescribeVolumesCommand({ MaxResults: 2 })));
    assert.equal(err.name, 'InvalidParameterValue');
    const missing = await errorOf(() => ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-00000000000000000'] })));
    assert.equal(missing.name, 'InvalidVolume.NotFound');
  });

  test('DescribeRegions lists the account enabled regions', async () => {
    const out = await ec2.send(new DescribeRegionsCommand({}));
    assert.deepEqual(out.Regions?.map((r) => r.RegionName), ['us-east-1', 'us-west-2', 'eu-west-1']);
    assert.equal(out.Regions?.[0].Endpoint, 'ec2.us-east-1.amazonaws.com');
    assert.equal(out.Regions?.[0].OptInStatus, 'opt-in-not-required');
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    assert.ok((all.Regions?.length ?? 0) > 15);
    assert.equal(all.Regions?.find((r) => r.RegionName === 'af-south-1')?.OptInStatus, 'not-opted-in');
    const filtered = await ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'region-name', Values: ['us-*'] }] }));
    assert.deepEqual(filtered.Regions?.map((r) => r.RegionName), ['us-east-1', 'us-west-2']);
    w.sim.createAccount({ id: CUSTOMER_ACCOUNT, regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'af-south-1'] });
    const optedIn = await ec2.send(new DescribeRegionsCommand({ RegionNames: ['af-south-1'] }));
    w.sim.createAccount({ id: CUSTOMER_ACCOUNT, regions: ['us-east-1', 'us-west-2', 'eu-west-1'] });
    assert.deepEqual(optedIn.Regions?.map((r) => [r.RegionName, r.OptInStatus]), [['af-south-1', 'opted-in']]);
  });

  test('DescribeAccountAttributes returns the defaults, a selection and overrides', async () => {
    const out = await ec2.send(new DescribeAccountAttributesCommand({}));
    const attrs = Object.fromEntries((out.AccountAttributes ?? []).map((a) => [a.AttributeName, a.AttributeValues?.map((v) => v.AttributeValue)]));
    assert.deepEqual(attrs['supported-platforms'], ['VPC']);
    assert.deepEqual(attrs['max-instances'], ['20']);
    assert.deepEqual(attrs['vpc-max-security-groups-per-interface'], ['5']);
    assert.deepEqual(attrs['max-elastic-ips'], ['5']);
    assert.deepEqual(attrs['vpc-max-elastic-ips'], ['5']);
    assert.match(attrs['default-vpc']?.[0] ?? '', /^vpc-[0-9a-f]{8}\d{9}$/);
    w.sim.createAccount({ id: CUSTOMER_ACCOUNT, attributes: { 'max-instances': ['640'] } });
    const all = await ec2.send(new DescribeAccountAttributesCommand({}));
    assert.deepEqual(all.AccountAttributes?.find((a) => a.AttributeName === 'max-instances')?.AttributeValues, [{ AttributeValue: '640' }]);
    const one = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['supported-platforms'] }));
    assert.deepEqual(one.AccountAttributes, [{ AttributeName: 'supported-platforms', AttributeValues: [{ AttributeValue: 'VPC' }] }]);
  });

  test('EC2 auth errors: AuthFailure, SignatureDoesNotMatch, RequestExpired, disabled region', async () => {
    const unknown = new EC2Client(cfg(w.sim, { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x'.repeat(40) }));
    const e1 = await errorOf(() => unknown.send(new DescribeRegionsCommand({})));
    unknown.destroy();
    assert.equal(e1.name, 'AuthFailure');
    assert.equal(e1.$metadata?.httpStatusCode, 401);
    const bad = new EC2Client(cfg(w.sim, { ...creds, secretAccessKey: 'z'.repeat(40) }));
    const e2 = await errorOf(() => bad.send(new DescribeRegionsCommand({})));
    bad.destroy();
    assert.equal(e2.name, 'SignatureDoesNotMatch');
    const disabled = new EC2Client(cfg(w.sim, creds, 'ap-east-1'));
    const e3 = await errorOf(() => disabled.send(new DescribeInstancesCommand({})));
    disabled.destroy();
    assert.equal(e3.name, 'AuthFailure');
    w.sim.clock.advance(3600_000);
    const e4 = await errorOf(() => ec2.send(new DescribeInstancesCommand({})));
    w.sim.clock.reset();
    assert.equal(e4.name, 'RequestExpired');
    assert.equal(e4.$metadata?.httpStatusCode, 400);
  });

  test('DryRun answers DryRunOperation', async () => {
    const err = await errorOf(() => ec2.send(new DescribeInstancesCommand({ DryRun: true })));
    assert.equal(err.name, 'DryRunOperation');
  });
});
