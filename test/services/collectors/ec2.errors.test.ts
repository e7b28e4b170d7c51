import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAwsError } from '../../../src/services/collection/aws/errors.ts';
import { ACCOUNT, ec2Harness, iid, metricNames, vid } from './ec2Setup.ts';

const REGIONS = ['us-east-1', 'eu-west-1'];

async function twoRegions(t: Parameters<typeof ec2Harness>[0]) {
  const h = await ec2Harness(t, { deps: { regions: REGIONS } });
  REGIONS.forEach((region, n) => {
    h.aws.sim.addInstance({ accountId: ACCOUNT, region, instanceId: iid(n + 1), tags: { Name: `host-${region}` } });
    h.aws.sim.addVolume({ accountId: ACCOUNT, region, volumeId: vid(n + 1), attachments: [{ instanceId: iid(n + 1) }] });
  });
  return h;
}

const regionsOf = (points: Array<{ tags: Record<string, string> }>) => [...new Set(points.map((p) => p.tags.Region))].sort();

test('one failing region is a classified partial error and keeps the other region\'s points', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'server-error', service: 'ec2', region: 'eu-west-1' });
  const r = await h.run({ customNamespaces: ['LIMITS'] });
  assert.deepEqual(regionsOf(r.points), ['us-east-1']);
  assert.deepEqual(
    r.partialErrors.map((e) => [e.scope, e.kind, e.code]).sort(),
    [
      ['ec2:eu-west-1', 'transient', 'InternalError'],
      ['ec2:eu-west-1:limits', 'transient', 'InternalError'],
      ['ec2:eu-west-1:volumes', 'transient', 'InternalError'],
    ],
  );
  assert.deepEqual(metricNames(r.points).filter((m) => !m.startsWith('aws.limits.')), ['aws.ebs.volumeiops', 'aws.ebs.volumesize', 'aws.ec2.instance.running', 'aws.instance.count']);
  assert.equal(r.metricCount, r.points.length);
});

test('a region denied while another works is a partial error, not a thrown one', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'access-denied', service: 'ec2', region: 'eu-west-1' });
  const r = await h.run({});
  assert.deepEqual(regionsOf(r.points), ['us-east-1']);
  assert.deepEqual(r.partialErrors.map((e) => [e.scope, e.kind, e.code]).sort(), [
    ['ec2:eu-west-1', 'denied', 'UnauthorizedOperation'],
    ['ec2:eu-west-1:volumes', 'denied', 'UnauthorizedOperation'],
  ]);
});

test('failing volumes or limits keep the region\'s instance metrics', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'throttle', service: 'ec2', api: 'DescribeVolumes', region: 'us-east-1', count: 1 });
  h.aws.sim.addFault({ kind: 'access-denied', service: 'ec2', api: 'DescribeAccountAttributes', region: 'us-east-1' });
  const r = await h.run({ customNamespaces: ['LIMITS'] });
  assert.deepEqual(r.partialErrors.map((e) => [e.scope, e.kind, e.code]).sort(), [
    ['ec2:us-east-1:limits', 'denied', 'UnauthorizedOperation'],
    ['ec2:us-east-1:volumes', 'transient', 'RequestLimitExceeded'],
  ]);
  const east = r.points.filter((p) => p.tags.Region === 'us-east-1');
  assert.deepEqual(metricNames(east), ['aws.ec2.instance.running', 'aws.instance.count']);
  const west = r.points.filter((p) => p.tags.Region === 'eu-west-1');
  assert.ok(metricNames(west).includes('aws.ebs.volumesize'));
  assert.ok(metricNames(west).includes('aws.limits.max-instances.limit'));
});

test('every region failing, not all on credentials: partial errors, nothing thrown', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'access-denied', service: 'ec2', region: 'us-east-1' });
  h.aws.sim.addFault({ kind: 'throttle', service: 'ec2', region: 'eu-west-1' });
  const r = await h.run({});
  assert.deepEqual(r.points, []);
  assert.equal(r.metricCount, 0);
  assert.equal(r.newestMs, undefined);
  assert.deepEqual([...new Set(r.partialErrors.map((e) => e.kind))].sort(), ['denied', 'transient']);
});

test('AccessDenied in every region throws, so the scheduler can disable the integration', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.denyRole(h.roleArn, { service: 'ec2' });
  await assert.rejects(h.run({}), (err: unknown) => {
    const c = classifyAwsError(err);
    return c.kind === 'denied' && c.code === 'UnauthorizedOperation';
  });
});

test('every region rejecting the credentials (regions the account has not enabled) throws a credentials error', async (t) => {
  const h = await ec2Harness(t, { deps: { regions: ['eu-south-1', 'me-south-1'] } });
  await assert.rejects(h.run({}), (err: unknown) => classifyAwsError(err).kind === 'credentials');
});

test('a failed AssumeRole throws before any EC2 call', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.updateRoleTrust(h.roleArn, { externalId: 'some-other-external-id' });
  await assert.rejects(h.run({}), (err: unknown) => classifyAwsError(err, { assumeRole: true }).kind === 'credentials');
  assert.equal(h.aws.sim.callCount({ service: 'ec2' }), 0);
  assert.equal(h.aws.sim.callCount({ service: 'sts', api: 'AssumeRole', error: 'AccessDenied' }), 1);
});

test('an aborted run throws', async (t) => {
  const h = await twoRegions(t);
  const controller = new AbortController();
  controller.abort(new Error('lease lost'));
  await assert.rejects(h.run({}, { signal: controller.signal }), /lease lost/);
});
