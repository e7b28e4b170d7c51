import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedRole } from '../helpers/aws.ts';
import { ACCOUNT, schedulerSetup } from '../services/scheduler/setup.ts';

const HOUR = 3_600_000;
const REFRESH_MINS = 720;

/** A CloudWatch integration body over seeded AWS/EC2 series; an hourly period keeps a month of points small. */
async function setup(t: Parameters<typeof schedulerSetup>[0], series: number) {
  const s = await schedulerSetup(t, { SKYPORT_CLOUDWATCH_PERIOD: '1h' });
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, ACCOUNT, externalId, 'Estimated');
  s.aws.sim.seedSeries({ accountId: ACCOUNT, region: 'us-east-1', count: series, createInstances: true });
  const body = (cloudWatch: Record<string, unknown> = {}) => ({
    name: 'estimated',
    service: 'CLOUDWATCH',
    serviceRefreshRateInMins: REFRESH_MINS,
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'], ...cloudWatch },
  });
  return { s, body, roleArn };
}

test('the estimate equals the GetMetricData calls the simulator counts over a simulated month of cycles', async (t) => {
  const { s, body } = await setup(t, 130);

  // Before creating: a discovery (ListMetrics, never GetMetricData).
  s.aws.sim.resetCounters();
  const before = await s.api('POST', '/api/v2/cloudintegration/estimate', body());
  assert.equal(before.status, 200, JSON.stringify(before.body));
  assert.equal(s.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData' }), 0, 'no GetMetricData to estimate');
  assert.ok(s.aws.sim.callCount({ service: 'cloudwatch', api: 'ListMetrics' }) >= 1);
  const e0 = before.body.response;
  assert.equal(e0.basis, 'discovery');
  assert.equal(e0.cyclesPerMonth, (30 * 24 * 60) / REFRESH_MINS);
  assert.ok(e0.seriesSelected > 0 && e0.metricsSelected > 0);
  assert.ok(e0.getMetricDataCallsPerMonth >= 2 * e0.cyclesPerMonth, 'more than 500 queries: two calls a cycle');

  const created = await s.api('POST', '/api/v2/cloudintegration', body());
  const id = created.body.response.id as string;
  await s.app.scheduler.runDue();

  // A month of cycles through the scheduler, counted by the simulator.
  s.aws.sim.resetCounters();
  const cycles = (30 * 24 * 60) / REFRESH_MINS;
  for (let i = 0; i < cycles; i++) {
    s.clock.advance(REFRESH_MINS * 60_000);
    await s.app.scheduler.runDue();
  }
  const counted = s.aws.sim.callCount({ service: 'cloudwatch', api: 'GetMetricData', error: false });
  const runs = (await s.api('GET', `/api/v2/cloudintegration/${id}/run?limit=1000`)).body.response;
  assert.equal(runs.items.filter((r: { status: string }) => r.status === 'ok').length, cycles + 1, 'every cycle ran');

  const res = await s.api('GET', `/api/v2/cloudintegration/${id}/estimate`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const e = res.body.response;
  assert.equal(e.basis, 'last run');
  assert.ok(Math.abs(e.getMetricDataCallsPerMonth - counted) <= 0.05 * counted, `estimated ${e.getMetricDataCallsPerMonth}, counted ${counted}`);
  // What discovery said before creation is what the runs did.
  for (const k of ['seriesSelected', 'metricsSelected', 'getMetricDataCallsPerMonth', 'metricsRequestedPerMonth', 'estimatedMonthlyCostUsd']) {
    assert.equal(e[k], e0[k], k);
  }
  // The price: $0.01 per 1,000 metrics requested.
  assert.equal(e.estimatedMonthlyCostUsd, Math.round((e.metricsRequestedPerMonth / 1000) * 0.01 * 10_000) / 10_000);
  assert.ok(e.assumptions.some((a: string) => a.includes('$0.01 per 1,000 metrics requested')));
  assert.ok(e.awsCallsPerMonth['cloudwatch:GetMetricData'] > 0);
});

test('a filter that selects nothing says so; the price is configurable; unknown ids and unusable roles are answered', async (t) => {
  const { s, body } = await setup(t, 5);
  const none = await s.api('POST', '/api/v2/cloudintegration/estimate', body({ metricFilterRegex: '^aws\\.nothing\\..*$' }));
  assert.equal(none.status, 200, JSON.stringify(none.body));
  assert.equal(none.body.response.seriesSelected, 0);
  assert.equal(none.body.response.estimatedMonthlyCostUsd, 0);
  assert.match(none.body.response.note, /select no series/);

  assert.equal((await s.api('GET', '/api/v2/cloudintegration/0b6d6a43-7d47-4d5e-9a39-111111111111/estimate')).status, 404);
  const bad = body();
  bad.cloudWatch.baseCredentials = { ...bad.cloudWatch.baseCredentials, roleArn: `arn:aws:iam::${ACCOUNT}:role/DoesNotTrustSkyport` };
  const refused = await s.api('POST', '/api/v2/cloudintegration/estimate', bad);
  assert.equal(refused.status, 400);
  assert.match(refused.body.status.message, /could not assume role/);

  const priced = await schedulerSetup(t, { SKYPORT_COST_PER_1000_METRICS_USD: '0.02', SKYPORT_CLOUDWATCH_PERIOD: '1h' });
  const { id } = await priced.createIntegration({ series: 5, refreshMins: 60 });
  await priced.app.scheduler.runDue();
  const e = (await priced.api('GET', `/api/v2/cloudintegration/${id}/estimate`)).body.response;
  assert.equal(e.cyclesPerMonth, 720);
  assert.ok(e.metricsRequestedPerMonth > 0);
  assert.equal(e.estimatedMonthlyCostUsd, Math.round((e.metricsRequestedPerMonth / 1000) * 0.02 * 10_000) / 10_000);
  assert.ok(e.assumptions.some((a: string) => a.includes('$0.02 per 1,000')));
});

test('CloudTrail: S3 requests per month from the newest run', async (t) => {
  const s = await schedulerSetup(t);
  const externalId = (await s.api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const roleArn = trustedRole(s.aws, ACCOUNT, externalId, 'Trail');
  s.aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: 'est-trail', deliveryTime: s.clock.now() - HOUR / 6, count: 5 });
  const body = { name: 'trail', service: 'CLOUDTRAIL', serviceRefreshRateInMins: 15, cloudTrail: { baseCredentials: { roleArn, externalId }, bucketName: 'est-trail', region: 'us-east-1' } };
  const before = (await s.api('POST', '/api/v2/cloudintegration/estimate', body)).body.response;
  assert.match(before.note, /after the first collection/);
  const id = (await s.api('POST', '/api/v2/cloudintegration', body)).body.response.id;
  s.aws.sim.resetCounters();
  await s.app.scheduler.runDue();
  const s3Calls = s.aws.sim.callCount({ service: 's3' });
  const e = (await s.api('GET', `/api/v2/cloudintegration/${id}/estimate`)).body.response;
  assert.equal(e.service, 'CLOUDTRAIL');
  assert.equal(e.s3RequestsPerMonth, s3Calls * e.cyclesPerMonth);
  assert.equal(e.getMetricDataCallsPerMonth, 0);
  assert.ok(e.estimatedMonthlyCostUsd > 0);
});

test('a run with nothing due (collected again at once) leaves the estimate on the last full discovery', async (t) => {
  const { s, body } = await setup(t, 20);
  const id = (await s.api('POST', '/api/v2/cloudintegration', body())).body.response.id as string;
  await s.app.scheduler.runDue();
  const first = (await s.api('GET', `/api/v2/cloudintegration/${id}/estimate`)).body.response;
  assert.ok(first.seriesSelected > 0 && first.estimatedMonthlyCostUsd > 0, JSON.stringify(first));

  // Collect now, in the same period: no namespace has a window, so the run lists nothing and fetches nothing.
  assert.equal((await s.api('POST', `/api/v2/cloudintegration/${id}/collect`)).status, 200);
  await s.app.scheduler.runDue();
  const history = (await s.api('GET', `/api/v2/cloudintegration/${id}/run`)).body.response;
  assert.equal(history.totalItems, 2);
  assert.equal(history.items[0].status, 'ok');
  assert.equal(history.items[0].series, 0, 'the second run had nothing due');

  const after = (await s.api('GET', `/api/v2/cloudintegration/${id}/estimate`)).body.response;
  for (const k of ['seriesSelected', 'metricsSelected', 'getMetricDataCallsPerMonth', 'estimatedMonthlyCostUsd']) assert.equal(after[k], first[k], k);
  assert.equal(after.basisTime, first.basisTime, 'the basis is still the run that discovered');
  assert.equal(after.note, undefined, 'no "selects nothing" note');
});
