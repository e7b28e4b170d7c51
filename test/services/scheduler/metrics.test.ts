import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerSetup } from './setup.ts';

test('/metrics reports AWS calls, runs, points, lag and takeovers after a collection', async (t) => {
  const s = await schedulerSetup(t);
  await s.createIntegration({ series: 10 });
  s.aws.sim.addFault({ kind: 'throttle', service: 'cloudwatch', api: 'ListMetrics', count: 1 });
  await s.app.scheduler.runDue(); // throttled ListMetrics: the namespace fails, the run is partial
  s.clock.advance(10 * 60_000);
  await s.app.scheduler.runDue(); // then a good run
  const res = await s.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /text\/plain/);
  const text = res.body;
  const value = (pattern: RegExp) => {
    const m = pattern.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  assert.ok(value(/skyport_aws_calls_total\{service="monitoring",api="GetMetricData",outcome="ok"\} (\d+)/)! >= 1);
  assert.equal(value(/skyport_aws_throttles_total\{service="monitoring",api="ListMetrics"\} (\d+)/), 1);
  assert.equal(value(/skyport_scheduler_runs_total\{service="CLOUDWATCH",outcome="partial"\} (\d+)/), 1);
  assert.equal(value(/skyport_scheduler_runs_total\{service="CLOUDWATCH",outcome="ok"\} (\d+)/), 1);
  assert.ok(value(/skyport_points_written_total (\d+)/)! > 0);
  assert.ok(value(/skyport_series_written_total (\d+)/)! > 0);
  assert.equal(value(/skyport_scheduler_lag_seconds_count (\d+)/), 2);
  assert.equal(value(/skyport_scheduler_leases_taken_over_total (\d+)/), 0);
  assert.match(text, /skyport_scheduler_run_duration_seconds_bucket/);
  assert.match(text, /skyport_http_requests_total/);
});

test('/metrics can be turned off', async (t) => {
  const s = await schedulerSetup(t, { SKYPORT_METRICS: 'off' });
  const res = await s.app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 404);
});
