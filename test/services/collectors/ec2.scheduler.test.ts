import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedRole } from '../../helpers/aws.ts';
import { schedulerSetup, type SchedulerSetup } from '../scheduler/setup.ts';

const R = 'us-east-1';
const MINUTE = 60_000;
const iid = (n: number): string => `i-${n.toString(16).padStart(17, '0')}`;
const vid = (n: number): string => `vol-${n.toString(16).padStart(17, '0')}`;

/** One external ID and one role trusted under it: what several integrations of one account share. */
async function sharedRole(s: SchedulerSetup, accountId: string) {
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, accountId, externalId, `Skyport-${externalId}`);
  return { roleArn, externalId };
}

async function create(s: SchedulerSetup, body: Record<string, unknown>): Promise<string> {
  const res = await s.api('POST', '/api/v2/cloudintegration', { serviceRefreshRateInMins: 1, ...body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.response.id as string;
}

const describes = (s: SchedulerSetup, api: string, accountId: string) => s.aws.sim.callCount({ service: 'ec2', api, accountId, error: false });

test('a CLOUDWATCH and an EC2 integration of one account describe its inventory once per cycle', async (t) => {
  const s = await schedulerSetup(t);
  const shared = '600000000001';
  const alone = '600000000002';
  const { roleArn, externalId } = await sharedRole(s, shared);
  const sim = s.aws.sim;
  sim.addInstance({ accountId: shared, region: R, instanceId: iid(1), tags: { Name: 'web-1' } });
  sim.addVolume({ accountId: shared, region: R, volumeId: vid(1), attachments: [{ instanceId: iid(1) }] });
  // CloudWatch needs the inventory too: EC2 metrics are named by host-name tags, EBS metrics by their instance.
  sim.addSeries({ accountId: shared, region: R, namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: iid(1) }, generator: true });
  sim.addSeries({ accountId: shared, region: R, namespace: 'AWS/EBS', metricName: 'VolumeReadOps', dimensions: { VolumeId: vid(1) }, generator: true });
  const cw = await create(s, { name: 'cw', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2', 'AWS/EBS'] } });
  const ec2 = await create(s, { name: 'ec2', service: 'EC2', ec2: { baseCredentials: { roleArn, externalId } } });
  // Another account: its own role, its own inventory.
  const other = await sharedRole(s, alone);
  sim.addInstance({ accountId: alone, region: R, instanceId: iid(2), tags: { Name: 'solo' } });
  const ec2Alone = await create(s, { name: 'alone', service: 'EC2', ec2: { baseCredentials: other } });
  sim.resetCounters();

  await s.app.scheduler.runDue();
  for (const id of [cw, ec2, ec2Alone]) {
    const got = await s.get(id);
    assert.equal(got.lastProcessingTimestamp, s.clock.now(), `${id} ran`);
    assert.equal(got.lastError, undefined);
    assert.ok(got.lastMetricCount > 0);
  }
  assert.equal(describes(s, 'DescribeInstances', shared), 1, 'one DescribeInstances for both integrations');
  assert.equal(describes(s, 'DescribeVolumes', shared), 1, 'one DescribeVolumes for both integrations');
  assert.equal(describes(s, 'DescribeInstances', alone), 1);
  // Both integrations used the shared inventory: CloudWatch named its series after the host-name tag.
  const sources = await s.pool.query(
    `SELECT DISTINCT integration_id::text AS id, source FROM series WHERE metric IN ('aws.ec2.cpuutilization.sum', 'aws.ebs.volumereadops.sum', 'aws.ec2.instance.running') ORDER BY 1, 2`,
  );
  assert.deepEqual(sources.rows.map((r) => [r.id === cw ? 'cw' : r.id === ec2 ? 'ec2' : 'alone', r.source]).sort(), [
    ['alone', 'solo'],
    ['cw', 'web-1'],
    ['ec2', 'web-1'],
  ]);

  // The next cycle describes again (once): tags and attachments change between cycles.
  sim.resetCounters();
  s.clock.advance(MINUTE);
  await s.app.scheduler.runDue();
  assert.equal((await s.get(ec2)).lastProcessingTimestamp, s.clock.now());
  assert.equal((await s.get(cw)).lastProcessingTimestamp, s.clock.now());
  assert.equal(describes(s, 'DescribeInstances', shared), 1);
  assert.equal(describes(s, 'DescribeVolumes', shared), 1);
});

test('end to end: an EC2 integration stores aws.ec2.instance.running under host names, status fields set', async (t) => {
  const s = await schedulerSetup(t);
  const accountId = '600000000003';
  const { roleArn, externalId } = await sharedRole(s, accountId);
  const sim = s.aws.sim;
  sim.addInstance({ accountId, region: R, instanceId: iid(1), instanceType: 'm5.large', tags: { Name: 'web-1', env: 'prod' } });
  sim.addInstance({ accountId, region: R, instanceId: iid(2), state: 'stopped', lifecycle: 'spot', tags: { Host: 'batch-1' } });
  sim.addInstance({ accountId, region: R, instanceId: iid(3) });
  sim.addVolume({ accountId, region: R, volumeId: vid(1), size: 64, attachments: [{ instanceId: iid(1) }] });
  const id = await create(s, {
    name: 'metrics+',
    service: 'ec2',
    additionalTags: { team: 'infra' },
    ec2: { baseCredentials: { roleArn, externalId }, pointTagFilterRegex: 'env' },
  });
  s.clock.advance(30_000);
  const minute = Math.floor(s.clock.now() / MINUTE) * MINUTE;
  await s.app.scheduler.runDue();

  const rows = await s.pool.query(
    `SELECT s.source, s.tags, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id
      WHERE s.metric = 'aws.ec2.instance.running' AND s.integration_id = $1 ORDER BY s.source`,
    [id],
  );
  assert.deepEqual(
    rows.rows.map((r) => [r.source, Number(r.ts), r.value]),
    [
      ['batch-1', minute, 0],
      [iid(3), minute, 1],
      ['web-1', minute, 1],
    ],
  );
  const web = rows.rows.find((r) => r.source === 'web-1')!;
  assert.deepEqual(web.tags, {
    accountId,
    Region: R,
    availabilityZone: 'us-east-1a',
    env: 'prod',
    instanceID: iid(1),
    instanceLifecycle: 'normal',
    instanceType: 'm5.large',
    state: 'running',
    team: 'infra',
  });
  assert.equal(rows.rows.find((r) => r.source === 'batch-1')!.tags.instanceLifecycle, 'spot');

  const volume = await s.pool.query(`SELECT s.source, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.metric = 'aws.ebs.volumesize'`);
  assert.deepEqual(volume.rows, [{ source: 'web-1', value: 64 }]);

  const series = await s.pool.query('SELECT count(*)::int AS n FROM series WHERE integration_id = $1', [id]);
  const got = await s.get(id);
  assert.equal(got.service, 'EC2');
  assert.equal(got.lastMetricCount, series.rows[0].n, 'lastMetricCount = series written');
  assert.equal(got.lastMetricCount, 3 + 3 + 2, '3 instances, 3 type × state counts, size and IOPS of one volume');
  assert.equal(got.lastReceivedDataPointMs, minute);
  assert.equal(got.lastProcessorId, 'replica-a');
  assert.equal(got.lastError, undefined);
  assert.equal(got.disabled, false);

  // A stopped instance reads 0 next cycle, as a new series (its state tag changed).
  sim.setInstanceState(iid(1), 'stopped');
  s.clock.advance(MINUTE);
  await s.app.scheduler.runDue();
  const web1 = await s.pool.query(
    `SELECT s.tags->>'state' AS state, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id
      WHERE s.metric = 'aws.ec2.instance.running' AND s.source = 'web-1' ORDER BY p.ts`,
  );
  assert.deepEqual(web1.rows.map((r) => [r.state, Number(r.ts), r.value]), [
    ['running', minute, 1],
    ['stopped', minute + MINUTE, 0],
  ]);
});

test('an EC2 integration denied ec2:Describe* in every region is auto-disabled with a credentials event', async (t) => {
  const s = await schedulerSetup(t);
  const accountId = '600000000004';
  const { roleArn, externalId } = await sharedRole(s, accountId);
  s.aws.sim.addInstance({ accountId, region: R, instanceId: iid(1) });
  const id = await create(s, { name: 'denied', service: 'EC2', ec2: { baseCredentials: { roleArn, externalId } } });
  s.aws.sim.denyRole(roleArn, { service: 'ec2' });
  await s.app.scheduler.runDue();
  const got = await s.get(id);
  assert.equal(got.disabled, true);
  assert.match(got.lastError, /UnauthorizedOperation/);
  assert.equal(got.lastErrorEvent.runningState, 'ONGOING');
  assert.equal(got.lastErrorEvent.annotations.service, 'EC2');
  assert.equal((await s.pool.query('SELECT count(*)::int AS n FROM points')).rows[0].n, 0);
});
