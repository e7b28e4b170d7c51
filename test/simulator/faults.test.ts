import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, EXTERNAL_ID, SKYPORT_ACCOUNT, world, type Credentials, type World } from './helpers.ts';

describe('fault injection', () => {
  let w: World;
  let creds: Credentials;
  let sts: STSClient;
  let cw: CloudWatchClient;
  let ec2: EC2Client;
  let s3: S3Client;

  before(async () => {
    w = await world();
    creds = await assume(w);
    sts = new STSClient(cfg(w.sim, w.base));
    cw = new CloudWatchClient(cfg(w.sim, creds));
    ec2 = new EC2Client(cfg(w.sim, creds));
    s3 = new S3Client({ ...cfg(w.sim, creds), forcePathStyle: true });
    w.sim.createBucket({ name: 'fault-bucket', accountId: CUSTOMER_ACCOUNT, region: 'us-east-1' });
  });
  beforeEach(() => {
    w.sim.clearFaults();
    w.sim.resetCounters();
  });
  after(async () => {
    for (const c of [sts, cw, ec2, s3]) c.destroy();
    await w.sim.close();
  });

  const assumeRole = () => sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 'f', ExternalId: EXTERNAL_ID }));
  const listMetrics = () => cw.send(new ListMetricsCommand({}));
  const describe_ = () => ec2.send(new DescribeInstancesCommand({}));
  const listObjects = () => s3.send(new ListObjectsV2Command({ Bucket: 'fault-bucket' }));

  test('throttling uses each protocol code: Throttling, Throttling, RequestLimitExceeded, SlowDown', async () => {
    w.sim.addFault({ kind: 'throttle' });
    const cases: Array<[() => Promise<unknown>, string, number]> = [
      [assumeRole, 'Throttling', 400],
      [listMetrics, 'Throttling', 400],
      [describe_, 'RequestLimitExceeded', 503],
      [listObjects, 'SlowDown', 503],
    ];
    for (const [call, name, status] of cases) {
      const err = await errorOf(call);
      assert.equal(err.name, name);
      assert.equal(err.$metadata?.httpStatusCode, status, name);
    }
  });

  test('5xx faults: InternalFailure / InternalError (500) and ServiceUnavailable / Unavailable (503)', async () => {
    w.sim.addFault({ kind: 'server-error' });
    const cases: Array<[() => Promise<unknown>, string]> = [
      [assumeRole, 'InternalFailure'],
      [listMetrics, 'InternalFailure'],
      [describe_, 'InternalError'],
      [listObjects, 'InternalError'],
    ];
    for (const [call, name] of cases) {
      const err = await errorOf(call);
      assert.equal(err.name, name);
      assert.equal(err.$metadata?.httpStatusCode, 500);
      assert.equal(err.$fault, 'server');
    }
    w.sim.clearFaults();
    w.sim.addFault({ kind: 'unavailable' });
    for (const [call, name] of [[listMetrics, 'ServiceUnavailable'], [describe_, 'Unavailable'], [listObjects, 'ServiceUnavailable']] as const) {
      const err = await errorOf(call);
      assert.equal(err.name, name);
      assert.equal(err.$metadata?.httpStatusCode, 503);
    }
  });

  test('access-denied faults use each protocol shape', async () => {
    w.sim.addFault({ kind: 'access-denied' });
    const cases: Array<[() => Promise<unknown>, string, number]> = [
      [assumeRole, 'AccessDenied', 403],
      [listMetrics, 'AccessDenied', 403],
      [describe_, 'UnauthorizedOperation', 403],
      [listObjects, 'AccessDenied', 403],
    ];
    for (const [call, name, status] of cases) {
      const err = await errorOf(call);
      assert.equal(err.name, name);
      assert.equal(err.$metadata?.httpStatusCode, status);
    }
  });

  test('credential faults: expired-token and invalid-credentials', async () => {
    w.sim.addFault({ kind: 'expired-token', service: 'cloudwatch', count: 1 });
    w.sim.addFault({ kind: 'invalid-credentials', service: 'ec2', count: 1 });
    assert.equal((await errorOf(listMetrics)).name, 'ExpiredToken');
    assert.equal((await errorOf(describe_)).name, 'AuthFailure');
    await listMetrics();
    await describe_();
  });

  test('a count applies to exactly the next N matching calls', async () => {
    const fault = w.sim.addFault({ kind: 'throttle', service: 'cloudwatch', api: 'ListMetrics', count: 2 });
    assert.equal((await errorOf(listMetrics)).name, 'Throttling');
    await ec2.send(new DescribeRegionsCommand({})); // other APIs are untouched and do not consume the fault
    assert.equal((await errorOf(listMetrics)).name, 'Throttling');
    await listMetrics();
    await listMetrics();
    assert.equal(w.sim.listFaults().some((f) => f.id === fault.id), false, 'the fault is gone once used up');
    assert.equal(w.sim.callCount({ service: 'monitoring', api: 'ListMetrics', error: 'Throttling' }), 2);
    assert.equal(w.sim.callCount({ service: 'monitoring', api: 'ListMetrics', error: false }), 2);
  });

  test('the SDK retries injected throttling and 5xx as retryable errors', async () => {
    const retrying = new CloudWatchClient({ ...cfg(w.sim, creds), maxAttempts: 3 });
    w.sim.addFault({ kind: 'throttle', service: 'cloudwatch', count: 1 });
    w.sim.addFault({ kind: 'server-error', service: 'cloudwatch', count: 1 });
    const out = await retrying.send(new ListMetricsCommand({}));
    retrying.destroy();
    assert.equal(out.$metadata.attempts, 3);
    assert.deepEqual(
      w.sim.calls({ api: 'ListMetrics' }).map((c) => [c.errorCode, c.count]).sort(),
      [['', 1], ['InternalFailure', 1], ['Throttling', 1]],
    );
  });

  test('probability faults are reproducible for a given seed', async () => {
    const outcomes = async (): Promise<string> => {
      w.sim.faults.seed(42);
      w.sim.clearFaults();
      w.sim.addFault({ kind: 'throttle', service: 'ec2', probability: 0.5 });
      let s = '';
      for (let i = 0; i < 16; i++) s += (await describe_().then(() => '.', () => 'x'));
      return s;
    };
    const first = await outcomes();
    assert.equal(await outcomes(), first);
    assert.match(first, /x/);
    assert.match(first, /\./);
    w.sim.clearFaults();
    w.sim.addFault({ kind: 'throttle', service: 'ec2', probability: 0 });
    await describe_();
  });

  test('faults scope by account and by role (an injected deny on a role)', async () => {
    w.sim.addFault({ kind: 'throttle', accountId: '999999999999' });
    await listMetrics();
    w.sim.denyRole(w.roleArn, { service: 'ec2', api: 'DescribeInstances' });
    assert.equal((await errorOf(describe_)).name, 'UnauthorizedOperation');
    await ec2.send(new DescribeRegionsCommand({}));
    await listMetrics();
    const own = new EC2Client(cfg(w.sim, w.base));
    await own.send(new DescribeInstancesCommand({})); // Skyport's own user is not the denied role
    own.destroy();
  });

  test('an AssumeRole fault scoped to the target account fails only that account', async () => {
    const other = w.sim.createRole({ accountId: '555555555555', name: 'Other', trustedPrincipals: [w.skyport.arn] });
    w.sim.addFault({ kind: 'throttle', service: 'sts', api: 'AssumeRole', accountId: CUSTOMER_ACCOUNT });
    assert.equal((await errorOf(assumeRole)).name, 'Throttling');
    await sts.send(new AssumeRoleCommand({ RoleArn: other.arn, RoleSessionName: 'ok' }));
    await sts.send(new GetCallerIdentityCommand({}));
  });

  test('latency faults delay the answer', async () => {
    w.sim.addFault({ kind: 'latency', latencyMs: 250, service: 'cloudwatch', api: 'GetMetricData', count: 1 });
    const input = { StartTime: new Date(Date.now() - 600_000), EndTime: new Date(), MetricDataQueries: [{ Id: 'q', MetricStat: { Metric: { Namespace: 'X', MetricName: 'Y' }, Period: 60, Stat: 'Sum' } }] };
    let t = performance.now();
    await cw.send(new GetMetricDataCommand(input));
    const slow = performance.now() - t;
    t = performance.now();
    await cw.send(new GetMetricDataCommand(input));
    const fast = performance.now() - t;
    assert.ok(slow >= 245, `delayed call took ${slow} ms`);
    assert.ok(fast < 200, `undelayed call took ${fast} ms`);
  });

  test('counters count every call by service, API, account, principal and outcome', async () => {
    await assume(w);
    await listMetrics();
    await listMetrics();
    await describe_();
    await errorOf(() => listObjects().then(() => s3.send(new ListObjectsV2Command({ Bucket: 'missing-bucket' }))));
    assert.equal(w.sim.callCount(), 6);
    assert.equal(w.sim.callCount({ service: 'sts', api: 'AssumeRole', accountId: CUSTOMER_ACCOUNT, principal: w.skyport.arn }), 1);
    assert.equal(w.sim.callCount({ service: 'cloudwatch', accountId: CUSTOMER_ACCOUNT, principal: w.roleArn }), 2);
    assert.equal(w.sim.callCount({ accountId: SKYPORT_ACCOUNT }), 0);
    assert.equal(w.sim.callCount({ service: 's3', error: 'NoSuchBucket' }), 1);
    assert.deepEqual(w.sim.counters.byApi(), {
      'sts.AssumeRole': 1,
      'monitoring.ListMetrics': 2,
      'ec2.DescribeInstances': 1,
      's3.ListObjectsV2': 2,
    });
    const unknown = new STSClient(cfg(w.sim, { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x'.repeat(40) }));
    await errorOf(() => unknown.send(new GetCallerIdentityCommand({})));
    unknown.destroy();
    assert.equal(w.sim.callCount({ api: 'GetCallerIdentity', error: 'InvalidClientTokenId', accountId: '' }), 1);
    w.sim.resetCounters();
    assert.equal(w.sim.callCount(), 0);
  });
});
