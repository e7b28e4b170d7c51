import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { errorOf } from './helpers.ts';

const KEYS = { accessKeyId: 'AKIASKYPORTTEST00001', secretAccessKey: 'skyport-test-secret-0000000000000000000000' };

describe('admin HTTP API', () => {
  let sim: Simulator;
  const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${sim.url}/_simulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };

  before(async () => {
    sim = await startSimulator();
  });
  after(async () => {
    await sim.close();
  });

  test('seeds Skyport identity and customer accounts that the SDK then sees', async () => {
    const user = await admin('POST', '/users', { accountId: '111111111111', name: 'skyport', ...KEYS });
    assert.equal(user.status, 200);
    assert.equal(user.json.arn, 'arn:aws:iam::111111111111:user/skyport');
    const seeded = await admin('POST', '/seed/account', [
      { accountId: '200000000001', role: { trustedPrincipals: [user.json.arn], externalId: 'ext-1' }, instancesPerRegion: 4, seriesPerRegion: 20 },
      { accountId: '200000000002', role: { trustedPrincipals: [user.json.arn], externalId: 'ext-2' }, instancesPerRegion: 2, seriesPerRegion: 50 },
    ]);
    assert.equal(seeded.status, 200);
    assert.deepEqual(seeded.json.map((s: any) => [s.accountId, s.instanceIds.length, s.seriesCount]), [['200000000001', 4, 20], ['200000000002', 2, 50]]);
    const roleArn = seeded.json[1].role.arn;
    assert.equal(roleArn, 'arn:aws:iam::200000000002:role/SkyportIntegration');

    const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: KEYS, maxAttempts: 1 });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'admin-test', ExternalId: 'ext-2' }));
    sts.destroy();
    const creds = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken };
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    const instances = (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((r) => r.Instances ?? []);
    ec2.destroy();
    assert.deepEqual(instances?.map((i) => i.InstanceId), seeded.json[1].instanceIds);
    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: sim.url, credentials: creds, maxAttempts: 1 });
    const metrics = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', RecentlyActive: 'PT3H' }));
    cw.destroy();
    assert.equal(metrics.Metrics?.length, 50);
    assert.ok(metrics.Metrics?.some((m) => m.Dimensions?.[0]?.Value === instances?.[0]?.InstanceId), 'series are about the seeded instances');

    const state = await admin('GET', '/state');
    assert.equal(state.json.series, 70);
    assert.equal(state.json.instances, 6);
    assert.equal(state.json.roles, 2);
  });

  test('series, points, instances, volumes, buckets, objects and CloudTrail through the API', async () => {
    const seeded = await admin('POST', '/series/seed', { accountId: '300000000003', region: 'eu-west-1', count: 12, createInstances: true });
    assert.equal(seeded.json.series, 12);
    assert.equal(seeded.json.instances.length, 3);
    const points = await admin('POST', '/points', { accountId: '300000000003', region: 'eu-west-1', namespace: 'App', metricName: 'jobs', dimensions: { Queue: 'a' }, points: [{ timestamp: Date.now(), value: 3 }] });
    assert.equal(points.json.points, 1);
    const series = await admin('GET', '/series?accountId=300000000003');
    assert.equal(series.json.length, 13);
    const inst = await admin('POST', '/instances', { accountId: '300000000003', availabilityZone: 'eu-west-1b', instanceType: 'c5.xlarge', lifecycle: 'spot' });
    assert.equal(inst.json.region, 'eu-west-1');
    const stopped = await admin('POST', '/instances/state', { instanceId: inst.json.instanceId, state: 'stopped' });
    assert.equal(stopped.json.state, 'stopped');
    const vol = await admin('POST', '/volumes', { accountId: '300000000003', availabilityZone: 'eu-west-1b', size: 100, attachments: [{ instanceId: inst.json.instanceId }] });
    assert.equal(vol.json.state, 'in-use');
    assert.equal((await admin('GET', '/volumes?accountId=300000000003')).json.length, 1);
    await admin('POST', '/buckets', { name: 'admin-bucket', accountId: '300000000003', region: 'us-east-1' });
    const obj = await admin('POST', '/objects', { bucket: 'admin-bucket', key: 'a/b', body: Buffer.from('bytes!').toString('base64'), encoding: 'base64' });
    assert.equal(obj.json.size, 6);
    const ct = await admin('POST', '/cloudtrail', { accountId: '300000000003', region: 'us-east-1', bucket: 'admin-bucket', count: 4 });
    assert.match(ct.json.key, /^AWSLogs\/300000000003\/CloudTrail\/us-east-1\//);
    assert.equal(ct.json.records, 4);
    const keys = await admin('GET', '/objects?bucket=admin-bucket&prefix=AWSLogs/');
    assert.deepEqual(keys.json, [ct.json.digestKey, ct.json.key].sort());
  });

  test('faults and counters through the API', async () => {
    await admin('DELETE', '/counters');
    const fault = await admin('POST', '/faults', { kind: 'throttle', service: 'sts', count: 1 });
    assert.equal(fault.json.id, 'f1');
    const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: KEYS, maxAttempts: 1 });
    assert.equal((await errorOf(() => sts.send(new GetCallerIdentityCommand({})))).name, 'Throttling');
    await sts.send(new GetCallerIdentityCommand({}));
    const persistent = await admin('POST', '/faults', { kind: 'server-error', service: 'sts' });
    assert.equal((await admin('GET', '/faults')).json.length, 1);
    assert.equal((await errorOf(() => sts.send(new GetCallerIdentityCommand({})))).name, 'InternalFailure');
    assert.equal((await admin('DELETE', `/faults/${persistent.json.id}`)).status, 200);
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    const counters = await admin('GET', '/counters?service=sts');
    assert.equal(counters.json.total, 4);
    assert.deepEqual(counters.json.byApi, { 'sts.GetCallerIdentity': 4 });
    assert.equal((await admin('GET', '/counters?service=sts&error=true')).json.total, 2);
    assert.equal((await admin('GET', '/counters?error=Throttling')).json.total, 1);
    await admin('DELETE', '/counters');
    assert.equal((await admin('GET', '/counters')).json.total, 0);
    const bad = await admin('POST', '/faults', { kind: 'meteor-strike' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /unknown fault kind/);
  });

  test('the clock can be moved to expire credentials', async () => {
    const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: KEYS, maxAttempts: 1 });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::200000000001:role/SkyportIntegration', RoleSessionName: 'clock', ExternalId: 'ext-1' }));
    sts.destroy();
    const temp = new STSClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken },
      maxAttempts: 1,
    });
    await temp.send(new GetCallerIdentityCommand({}));
    const moved = await admin('POST', '/clock', { advanceMs: 3600_000 });
    assert.ok(moved.json.now >= out.Credentials!.Expiration!.getTime());
    assert.equal((await errorOf(() => temp.send(new GetCallerIdentityCommand({})))).name, 'ExpiredToken');
    const frozen = await admin('POST', '/clock', { freeze: Date.UTC(2030, 0, 1) });
    assert.equal(frozen.json.now, Date.UTC(2030, 0, 1));
    assert.equal(frozen.json.frozen, true);
    assert.equal((await admin('GET', '/clock')).json.iso, '2030-01-01T00:00:00.000Z');
    await admin('POST', '/clock', { reset: true });
    temp.destroy();
    assert.ok(Math.abs((await admin('GET', '/clock')).json.now - Date.now()) < 5_000);
  });

  test('unknown routes are 404 and bad input is 400', async () => {
    assert.equal((await admin('GET', '/nope')).status, 404);
    assert.equal((await admin('POST', '/accounts', { id: '12' })).status, 400);
    const res = await fetch(`${sim.url}/_simulator/accounts`, { method: 'POST', body: '{not json' });
    assert.equal(res.status, 400);
  });
});

describe('main.ts', () => {
  test('prints its URL, serves the demo seed and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', '0', '--seed-demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const [url] = (await once(lines, 'line')) as [string];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = (await (await fetch(`${url}/_simulator/health`)).json()) as { ok: boolean };
      assert.equal(health.ok, true);
      const sts = new STSClient({
        region: 'us-east-1',
        endpoint: url,
        credentials: { accessKeyId: 'AKIASKYPORTDEMO00001', secretAccessKey: 'skyport-demo-secret-access-key-0000000000' },
        maxAttempts: 1,
      });
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/SkyportIntegration', RoleSessionName: 'demo', ExternalId: 'demo-external-id' }));
      sts.destroy();
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint: url,
        forcePathStyle: true,
        credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken },
        maxAttempts: 1,
      });
      const keys = (await (await fetch(`${url}/_simulator/objects?bucket=skyport-demo-cloudtrail`)).json()) as string[];
      const log = keys.find((k) => k.includes('/CloudTrail/'));
      assert.ok(log);
      const obj = await s3.send(new GetObjectCommand({ Bucket: 'skyport-demo-cloudtrail', Key: log }));
      assert.ok((await obj.Body!.transformToByteArray()).length > 0);
      s3.destroy();
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    }
  });
});
