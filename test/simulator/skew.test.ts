import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListMetricsCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { assume, cfg, errorOf, world } from './helpers.ts';

// With checkClockSkew the simulator refuses requests signed more than 15 minutes from its clock with each
// service's own error, and every answer carries its clock in `Date`: what the SDK's skew correction needs.

test('signatures more than 15 minutes off the simulator clock get each service\'s skew error and its Date', async (t) => {
  const w = await world({ checkClockSkew: true, clock: () => Date.now() + 40 * 60_000 });
  t.after(() => w.sim.close());
  const creds = await assume({ ...w }).catch((e: Error) => e);
  assert.ok(creds instanceof Error, 'the first STS call, signed 40 minutes behind, is refused');
  assert.equal(creds.name, 'SignatureDoesNotMatch');
  assert.match(creds.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  const dated = (creds as { $response?: { headers?: Record<string, string> } }).$response?.headers?.date;
  if (dated) assert.ok(Math.abs(Date.parse(dated) - w.sim.now()) < 2_000, 'Date is the simulator clock');

  const cw = new CloudWatchClient(cfg(w.sim, w.base));
  const ec2 = new EC2Client(cfg(w.sim, w.base));
  const s3 = new S3Client({ ...cfg(w.sim, w.base), forcePathStyle: true });
  t.after(() => [cw, ec2, s3].forEach((c) => c.destroy()));
  assert.equal((await errorOf(() => cw.send(new ListMetricsCommand({})))).name, 'SignatureDoesNotMatch');
  assert.equal((await errorOf(() => ec2.send(new DescribeRegionsCommand({})))).name, 'RequestExpired');
  const s3err = await errorOf(() => s3.send(new ListBucketsCommand({})));
  assert.equal(s3err.name, 'RequestTimeTooSkewed');
  assert.equal(s3err.$metadata?.httpStatusCode, 403);
});

test('the SDK corrects its clock from the Date header and its retry succeeds', async (t) => {
  const w = await world({ checkClockSkew: true, clock: () => Date.now() + 40 * 60_000 });
  t.after(() => w.sim.close());
  const sts = new STSClient({ ...cfg(w.sim, w.base), maxAttempts: 2 });
  t.after(() => sts.destroy());
  const out = await sts.send(new GetCallerIdentityCommand({}));
  assert.ok(out.Arn);
  assert.equal(out.$metadata.attempts, 2, 'one refused attempt, then one signed with the corrected clock');
  assert.ok(Math.abs((await sts.config.systemClockOffset) - 40 * 60_000) < 5_000);
  assert.equal(w.sim.callCount({ error: 'SignatureDoesNotMatch' }), 1);
});

test('without checkClockSkew (the default) any signing time is accepted', async (t) => {
  const w = await world({ clock: () => Date.now() + 40 * 60_000 });
  t.after(() => w.sim.close());
  const sts = new STSClient({ ...cfg(w.sim, w.base), systemClockOffset: -3 * 3_600_000 });
  t.after(() => sts.destroy());
  assert.ok((await sts.send(new GetCallerIdentityCommand({}))).Arn);
});
