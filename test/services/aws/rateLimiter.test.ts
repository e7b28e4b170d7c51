import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter, limitFor } from '../../../src/services/collection/aws/rateLimiter.ts';

// A virtual clock: sleeping advances it, so the test measures the limiter's arithmetic, not the machine.
function virtualTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const key = (api: string, accountId = '111111111111', region = 'us-east-1') => ({ accountId, region, service: 'monitoring', api });

test('calls within the burst go at once; past it, callers are spaced at the refill rate', async () => {
  const time = virtualTime();
  const limiter = createRateLimiter({ now: time.now, sleep: time.sleep });
  const { rate, burst } = limitFor('monitoring', 'GetMetricData');
  for (let i = 0; i < burst; i++) await limiter.take(key('GetMetricData'));
  assert.equal(time.now(), 0, 'the burst is free');
  assert.equal(limiter.waits, 0);
  for (let i = 0; i < 2 * rate; i++) await limiter.take(key('GetMetricData'));
  // 2 × rate more calls need 2 seconds of refill.
  assert.ok(Math.abs(time.now() - 2000) < 1, `took ${time.now()} ms of virtual time`);
  assert.equal(limiter.waits, 2 * rate);
});

test('limits are per account, region and API: one busy account does not slow another', async () => {
  const time = virtualTime();
  const limiter = createRateLimiter({ now: time.now, sleep: time.sleep });
  const { burst } = limitFor('monitoring', 'ListMetrics');
  for (let i = 0; i < burst; i++) await limiter.take(key('ListMetrics'));
  await limiter.take(key('ListMetrics', '222222222222'));
  await limiter.take(key('ListMetrics', '111111111111', 'eu-west-1'));
  await limiter.take(key('GetMetricData'));
  assert.equal(time.now(), 0);
  await limiter.take(key('ListMetrics'));
  assert.ok(time.now() > 0, 'the exhausted bucket makes its caller wait');
});

test('the published quotas are respected with a margin', () => {
  assert.ok(limitFor('monitoring', 'GetMetricData').rate < 50, 'GetMetricData: 50 TPS per region');
  assert.ok(limitFor('monitoring', 'ListMetrics').rate < 25, 'ListMetrics: 25 TPS');
  assert.ok(limitFor('ec2', 'DescribeInstances').rate < 20, 'EC2 non-mutating bucket refills 20/s');
  assert.ok(limitFor('ec2', 'DescribeInstances').burst <= 100, 'EC2 bucket size 100');
});

test('a waiting caller can be cancelled', async () => {
  const limiter = createRateLimiter();
  const { burst } = limitFor('monitoring', 'GetMetricData');
  for (let i = 0; i < burst; i++) await limiter.take(key('GetMetricData'));
  const abort = new AbortController();
  const waiting = limiter.take(key('GetMetricData'), abort.signal);
  abort.abort(new Error('shutting down'));
  await assert.rejects(waiting, /shutting down/);
});

test("API Gateway's APIs (v1 and v2 alike) share one budget per account and region; CloudWatch Logs has one of 5/s", async () => {
  const time = virtualTime();
  const limiter = createRateLimiter({ now: time.now, sleep: time.sleep });
  const at = (service: string, api: string) => ({ accountId: '111111111111', region: 'us-east-1', service, api });
  const { rate, burst } = limitFor('apigateway', 'GetRestApis');
  assert.equal(rate, 10);
  // The burst spent on GetRestApis leaves none for GetStages or v2's GetApis (same service prefix).
  for (let i = 0; i < burst; i++) await limiter.take(at('apigateway', 'GetRestApis'));
  assert.equal(time.now(), 0);
  await limiter.take(at('apigateway', 'GetStages'));
  await limiter.take(at('apigateway', 'GetApis'));
  assert.ok(Math.abs(time.now() - 200) < 1, `two calls past the burst wait 2 × 100 ms, waited ${time.now()} ms`);

  const logs = limitFor('logs', 'FilterLogEvents');
  assert.equal(logs.rate, 5);
  const before = time.now();
  for (let i = 0; i < logs.burst; i++) await limiter.take(at('logs', i % 2 ? 'FilterLogEvents' : 'DescribeLogGroups'));
  assert.equal(time.now(), before, 'the burst is free');
  await limiter.take(at('logs', 'DescribeLogGroups'));
  assert.ok(Math.abs(time.now() - before - 200) < 1, 'then 5 per second, whatever the API');
});
