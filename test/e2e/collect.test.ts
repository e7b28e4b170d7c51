import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, client } from '../helpers/app.ts';
import { startTestAws, trustedRole } from '../helpers/aws.ts';

// The whole path with the real clock: API create → scheduler (started as the server starts it) → AWS
// through the simulator → PostgreSQL → GET /api/v2/chart/raw.
test('a new CloudWatch integration is collected within seconds and its points are readable', async (t) => {
  const aws = await startTestAws(t);
  const { app, admin } = await buildTestApp(t, { aws: { ...aws.settings, regions: ['us-east-1'] }, env: { SKYPORT_SCHEDULER_POLL: '200ms' } });
  const api = client(app, admin);
  const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response;
  const roleArn = trustedRole(aws, '777766665555', externalId);
  aws.sim.seedAccount({ accountId: '777766665555', seedRegions: ['us-east-1'], instancesPerRegion: 2, seriesPerRegion: 10 });
  const created = await api('POST', '/api/v2/cloudintegration', {
    name: 'e2e',
    service: 'cloudWatch',
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['ec2'] },
  });
  assert.equal(created.status, 200);
  const id = created.body.response.id;

  app.scheduler.start();
  t.after(() => app.scheduler.stop(1000));
  let processed;
  for (let i = 0; i < 100; i++) {
    processed = (await api('GET', `/api/v2/cloudintegration/${id}`)).body.response;
    if (processed.lastProcessingTimestamp) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(processed.lastProcessingTimestamp, 'collected within 10 s');
  assert.ok(processed.lastMetricCount > 0);

  const end = Date.now();
  const raw = await app.inject({
    method: 'GET',
    url: `/api/v2/chart/raw?metric=aws.ec2.cpuutilization.average&startTime=${end - 2 * 3_600_000}&endTime=${end}`,
    headers: { 'x-auth-token': admin },
  });
  assert.equal(raw.statusCode, 200);
  const series = raw.json() as Array<{ tags: Record<string, string>; points: Array<{ timestamp: number; value: number }> }>;
  assert.ok(series.length >= 1, 'at least one series');
  for (const s of series) {
    assert.equal(s.tags.accountId, '777766665555');
    assert.equal(s.tags.Region, 'us-east-1');
    assert.ok(s.tags.source.startsWith('host-'), `source from the Name tag, got ${s.tags.source}`);
    assert.ok(s.points.length >= 50, 'about an hour of minutes (lookback)');
    for (const p of s.points) assert.equal(p.timestamp % 60_000, 0, 'CloudWatch timestamps on the period');
  }
});
