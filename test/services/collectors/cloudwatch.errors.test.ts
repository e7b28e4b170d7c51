import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAwsError } from '../../../src/services/collection/aws/errors.ts';
import { ACCOUNT, cloudWatchHarness, MIN, T0 } from './cloudwatchSetup.ts';

const END0 = T0 - 5 * MIN;
const REGIONS = ['us-east-1', 'eu-west-1'];

async function twoRegions(t: Parameters<typeof cloudWatchHarness>[0]) {
  const h = await cloudWatchHarness(t, { deps: { regions: REGIONS } });
  for (const region of REGIONS) {
    h.aws.sim.addSeries({ accountId: ACCOUNT, region, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: `f-${region}` }, generator: true });
    h.aws.sim.addSeries({ accountId: ACCOUNT, region, namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: `q-${region}` }, generator: true });
  }
  return h;
}

test('one failing region keeps the others and does not advance its own cursors', async (t) => {
  const h = await twoRegions(t);
  const fault = h.aws.sim.addFault({ kind: 'server-error', service: 'cloudwatch', region: 'eu-west-1' });
  const r1 = await h.run({ namespaces: ['lambda', 'sqs'] });
  assert.deepEqual([...r1.cursors.keys()].sort(), ['cloudwatch:us-east-1:AWS/Lambda', 'cloudwatch:us-east-1:AWS/SQS']);
  assert.deepEqual([...new Set(r1.points.map((p) => p.tags.Region))], ['us-east-1']);
  assert.deepEqual(
    r1.partialErrors.map((e) => [e.scope, e.kind, e.code]).sort(),
    [
      ['cloudwatch:eu-west-1:AWS/Lambda', 'transient', 'InternalFailure'],
      ['cloudwatch:eu-west-1:AWS/SQS', 'transient', 'InternalFailure'],
    ],
  );
  assert.equal(r1.metricCount, 10);

  // The region recovers: it starts from where it was (a fresh lookback), the other continues.
  h.aws.sim.removeFault(fault.id);
  h.clock.advance(5 * MIN);
  const r2 = await h.run({ namespaces: ['lambda', 'sqs'] });
  assert.deepEqual(r2.partialErrors, []);
  const first = (region: string) => Math.min(...r2.points.filter((p) => p.tags.Region === region).map((p) => p.ts));
  assert.equal(first('us-east-1'), END0);
  assert.equal(first('eu-west-1'), END0 + 5 * MIN - 60 * MIN);
  assert.equal(r2.cursors.size, 4);
});

test('a region failing on credentials while another works is a partial error, not a disabled integration', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'access-denied', service: 'cloudwatch', region: 'eu-west-1' });
  const r = await h.run({ namespaces: ['lambda'] });
  assert.deepEqual(r.partialErrors.map((e) => [e.scope, e.kind]), [['cloudwatch:eu-west-1:AWS/Lambda', 'denied']]);
  assert.deepEqual([...r.cursors.keys()], ['cloudwatch:us-east-1:AWS/Lambda']);
});

test('throttling on one namespace is a transient partial error; the other namespace is collected', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.addFault({ kind: 'throttle', service: 'cloudwatch', api: 'ListMetrics', region: 'us-east-1', count: 1 });
  const r = await h.run({ namespaces: ['lambda', 'sqs'] });
  assert.equal(r.partialErrors.length, 1);
  const [err] = r.partialErrors;
  assert.equal(err.kind, 'transient');
  assert.equal(err.code, 'Throttling');
  assert.match(err.scope, /^cloudwatch:us-east-1:AWS\/(Lambda|SQS)$/);
  assert.equal(r.cursors.has(err.scope), false);
  assert.equal(r.cursors.size, 3);
  const throttledNs = err.scope.split(':')[2];
  const otherNs = throttledNs === 'AWS/Lambda' ? 'AWS/SQS' : 'AWS/Lambda';
  assert.ok(r.cursors.has(`cloudwatch:us-east-1:${otherNs}`));
  assert.ok(r.points.some((p) => p.tags.Region === 'us-east-1' && p.metric.startsWith(otherNs === 'AWS/SQS' ? 'aws.sqs.' : 'aws.lambda.')));
});

test('throttled GetMetricData fails the namespaces of that call only', async (t) => {
  const h = await cloudWatchHarness(t);
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, generator: true });
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: 'q' }, generator: true });
  // Give SQS its own window (an older cursor), so the two namespaces go in different calls.
  h.cursors.set('cloudwatch:us-east-1:AWS/SQS', String(END0 - 10 * MIN));
  h.aws.sim.addFault({ kind: 'throttle', service: 'cloudwatch', api: 'GetMetricData', count: 1 });
  const r = await h.run({ namespaces: ['lambda', 'sqs'] });
  assert.equal(h.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData' }), 2);
  assert.equal(r.partialErrors.length, 1);
  assert.equal(r.partialErrors[0].kind, 'transient');
  assert.equal(r.cursors.size, 1);
  assert.equal(r.metricCount, 5);
});

test('AccessDenied in every region throws, so the scheduler can disable the integration', async (t) => {
  const h = await twoRegions(t);
  h.aws.sim.denyRole(h.roleArn, { service: 'cloudwatch' });
  await assert.rejects(h.run({ namespaces: ['lambda', 'sqs'] }), (err: unknown) => {
    const c = classifyAwsError(err);
    return c.kind === 'denied' && c.code === 'AccessDenied';
  });
});

test('every region rejecting the credentials (regions the account has not enabled) throws a credentials error', async (t) => {
  const h = await cloudWatchHarness(t, { deps: { regions: ['eu-south-1', 'me-south-1'] } });
  await assert.rejects(h.run({}), (err: unknown) => classifyAwsError(err).kind === 'credentials');
});

test('a failed AssumeRole throws before any CloudWatch call', async (t) => {
  const h = await cloudWatchHarness(t);
  h.aws.sim.updateRoleTrust(h.roleArn, { externalId: 'some-other-external-id' });
  await assert.rejects(h.run({ namespaces: ['lambda'] }), (err: unknown) => classifyAwsError(err, { assumeRole: true }).kind === 'credentials');
  assert.equal(h.aws.sim.callCount({ service: 'cloudwatch' }), 0);
  assert.equal(h.aws.sim.callCount({ service: 'sts', api: 'AssumeRole', error: 'AccessDenied' }), 1);
});

test('without ec2:Describe* permissions EC2 metrics fall back to instance ids, unless selection tags need the inventory', async (t) => {
  const h = await cloudWatchHarness(t);
  const { sim } = h.aws;
  sim.addInstance({ accountId: ACCOUNT, region: 'us-east-1', instanceId: 'i-0fffffffffffffff1', tags: { Name: 'web' } });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: 'i-0fffffffffffffff1' }, generator: true });
  sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, generator: true });
  sim.denyRole(h.roleArn, { service: 'ec2' });

  const r1 = await h.run({ namespaces: ['ec2', 'lambda'] });
  assert.deepEqual(r1.partialErrors.map((e) => [e.scope, e.kind]), [['inventory:us-east-1', 'denied']]);
  assert.deepEqual([...new Set(r1.points.filter((p) => p.metric.startsWith('aws.ec2.')).map((p) => p.source))], ['i-0fffffffffffffff1']);
  assert.equal(r1.cursors.size, 2);

  h.cursors.clear();
  const r2 = await h.run({ namespaces: ['ec2', 'lambda'], instanceSelectionTags: { Name: 'web' } });
  assert.deepEqual(r2.partialErrors.map((e) => [e.scope, e.kind]), [['cloudwatch:us-east-1:AWS/EC2', 'denied']]);
  assert.deepEqual([...r2.cursors.keys()], ['cloudwatch:us-east-1:AWS/Lambda']);
  assert.ok(r2.points.every((p) => p.metric.startsWith('aws.lambda.')));
});

test('an aborted run throws', async (t) => {
  const h = await cloudWatchHarness(t);
  h.aws.sim.addSeries({ accountId: ACCOUNT, region: 'us-east-1', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' }, generator: true });
  const { createCloudWatchCollector } = await import('../../../src/services/collection/collectors/cloudwatch/index.ts');
  const collect = createCloudWatchCollector({ regions: ['us-east-1'] });
  const controller = new AbortController();
  controller.abort(new Error('lease lost'));
  await assert.rejects(
    collect({
      target: { id: 'x', customerId: 'c', service: 'CLOUDWATCH', config: {}, additionalTags: null, roleArn: h.roleArn, externalId: 'ext-cloudwatch-0001', accountId: ACCOUNT },
      aws: h.clients,
      credentials: async () => ({ accessKeyId: 'unused', secretAccessKey: 'unused' }),
      cursors: new Map(),
      now: T0,
      signal: controller.signal,
    }),
    /lease lost/,
  );
});
