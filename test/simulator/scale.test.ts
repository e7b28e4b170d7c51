import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startSimulator, type Simulator, type UserCredentials } from '../../src/simulator/index.ts';

// The benchmark shape: 2,000 accounts × 50 generated series. Calls must only touch the caller's account, so
// their cost does not grow with the number of accounts. Bounds are ~10× what a laptop needs, to catch
// O(all series) regressions without being flaky.
describe('scale: 2,000 accounts × 50 series', () => {
  let sim: Simulator;
  let user: UserCredentials;
  before(async () => {
    sim = await startSimulator();
    user = sim.createUser({ accountId: '111111111111', name: 'skyport' });
  });
  after(async () => {
    await sim.close();
  });

  test('seeding, AssumeRole, ListMetrics and a 500-query GetMetricData stay cheap', async () => {
    let t = performance.now();
    for (let i = 0; i < 2000; i++) {
      sim.seedAccount({ accountId: String(300000000000 + i), role: { trustedPrincipals: [user.arn], externalId: `ext-${i}` }, instancesPerRegion: 10, seriesPerRegion: 50 });
    }
    const seedMs = performance.now() - t;
    assert.equal(sim.state.metrics.size, 100_000);
    assert.ok(seedMs < 15_000, `seeding took ${seedMs} ms`);

    const sts = new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials: user, maxAttempts: 1 });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::300000001234:role/SkyportIntegration', RoleSessionName: 'scale', ExternalId: 'ext-1234' }));
    sts.destroy();
    const cw = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken },
      maxAttempts: 1,
    });
    await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2' })); // warm up the connection
    t = performance.now();
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', RecentlyActive: 'PT3H' }));
    const listMs = performance.now() - t;
    assert.equal(listed.Metrics?.length, 50);
    assert.ok(listMs < 500, `ListMetrics took ${listMs} ms`);

    const metrics = listed.Metrics ?? [];
    const queries: MetricDataQuery[] = [];
    for (let i = 0; i < 500; i++) {
      queries.push({ Id: `q${i}`, MetricStat: { Metric: metrics[i % 50], Period: 60, Stat: ['Average', 'Sum', 'SampleCount', 'Minimum', 'Maximum'][Math.floor(i / 50) % 5] } });
    }
    const now = Date.now();
    t = performance.now();
    const data = await cw.send(new GetMetricDataCommand({ StartTime: new Date(now - 600_000), EndTime: new Date(now), MetricDataQueries: queries }));
    const gmdMs = performance.now() - t;
    cw.destroy();
    assert.equal(data.MetricDataResults?.length, 500);
    assert.ok(data.MetricDataResults?.every((r) => (r.Values?.length ?? 0) >= 10));
    assert.ok(gmdMs < 1_000, `GetMetricData took ${gmdMs} ms`);
  });
});
