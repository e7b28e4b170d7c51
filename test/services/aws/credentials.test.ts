import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { createStsClient } from '../../../src/services/collection/aws/settings.ts';
import { accountOfRole, createRoleCredentials, sessionName } from '../../../src/services/collection/aws/credentials.ts';
import { manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';

const ACCOUNT = '111122223333';

async function setup(t: Parameters<typeof startTestAws>[0]) {
  const clock = manualClock();
  const aws = await startTestAws(t, { clock: clock.now });
  const sts = createStsClient(aws.settings);
  t.after(() => sts.destroy());
  const roleArn = trustedRole(aws, ACCOUNT, 'ext-1234567890ab');
  const creds = createRoleCredentials({ sts, clock });
  const assumeRoleCalls = () => aws.sim.callCount({ service: 'sts', api: 'AssumeRole' });
  return { clock, aws, sts, roleArn, creds, assumeRoleCalls };
}

test('any number of concurrent users of one integration cause exactly one AssumeRole', async (t) => {
  const { creds, roleArn, assumeRoleCalls } = await setup(t);
  const role = { id: 'integration-1', roleArn, externalId: 'ext-1234567890ab' };
  const results = await Promise.all(Array.from({ length: 50 }, () => creds.providerFor(role)()));
  assert.equal(assumeRoleCalls(), 1);
  assert.ok(results.every((c) => c.accessKeyId === results[0].accessKeyId));
  assert.match(results[0].accessKeyId, /^ASIA/);
  // Later calls within the lifetime reuse it too.
  await creds.providerFor(role)();
  assert.equal(assumeRoleCalls(), 1);
});

test('one provider is shared by every regional client, and the credentials work for AWS calls', async (t) => {
  const { aws, creds, roleArn, assumeRoleCalls } = await setup(t);
  const provider = creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' });
  assert.equal(creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' }), provider);
  const clients = ['us-east-1', 'eu-west-1', 'ap-southeast-2'].map(
    (region) => new CloudWatchClient({ region, endpoint: aws.sim.url, credentials: provider, maxAttempts: 1 }),
  );
  t.after(() => clients.forEach((c) => c.destroy()));
  await Promise.all(clients.map((c) => c.send(new ListMetricsCommand({}))));
  assert.equal(assumeRoleCalls(), 1);
  assert.equal(aws.sim.callCount({ service: 'cloudwatch', api: 'ListMetrics', accountId: ACCOUNT }), 3);
});

test('credentials are renewed 5 minutes before they expire, not earlier', async (t) => {
  const { clock, creds, roleArn, assumeRoleCalls } = await setup(t);
  const provider = creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' });
  const first = await provider();
  assert.equal(first.expiration!.getTime(), clock.now() + 3600_000, 'DurationSeconds 3600');
  clock.advance(54 * 60_000);
  assert.equal((await provider()).accessKeyId, first.accessKeyId);
  assert.equal(assumeRoleCalls(), 1);
  clock.advance(2 * 60_000); // 4 minutes left
  const renewed = await Promise.all([provider(), provider(), provider()]);
  assert.equal(assumeRoleCalls(), 2, 'concurrent renewals are coalesced');
  assert.notEqual(renewed[0].accessKeyId, first.accessKeyId);
});

test('a changed role or external ID gets new credentials; drop forgets them', async (t) => {
  const { aws, creds, roleArn, assumeRoleCalls } = await setup(t);
  await creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' })();
  const otherRole = trustedRole(aws, '444455556666', 'ext-1234567890ab', 'Other');
  const moved = await creds.providerFor({ id: 'i', roleArn: otherRole, externalId: 'ext-1234567890ab' })();
  assert.equal(assumeRoleCalls(), 2);
  assert.equal(aws.sim.callCount({ service: 'sts', api: 'AssumeRole', accountId: '444455556666' }), 1);
  assert.ok(moved.accessKeyId);
  assert.equal(creds.size, 1);
  creds.drop('i');
  assert.equal(creds.size, 0);
});

test('a failed AssumeRole is not cached: the next use tries again', async (t) => {
  const { aws, creds, roleArn, assumeRoleCalls } = await setup(t);
  aws.sim.addFault({ kind: 'throttle', service: 'sts', api: 'AssumeRole', count: 1 });
  const provider = creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' });
  await assert.rejects(provider(), (err: Error) => err.name === 'Throttling');
  const ok = await provider();
  assert.ok(ok.accessKeyId);
  assert.equal(assumeRoleCalls(), 2);
});

test('a wrong external ID is refused by STS with AccessDenied', async (t) => {
  const { creds, roleArn } = await setup(t);
  await assert.rejects(creds.providerFor({ id: 'i', roleArn, externalId: 'wrong' })(), (err: Error) => err.name === 'AccessDenied');
});

test('session names name Skyport and the integration within STS limits; the account comes from the ARN', () => {
  assert.equal(sessionName('0b6c7a3e-1d2f-4c5b-9a8e-7f6d5c4b3a21'), 'skyport-0b6c7a3e-1d2f-4c5b-9a8e-7f6d5c4b3a21');
  assert.ok(sessionName('x'.repeat(100)).length <= 64);
  assert.equal(sessionName('a b/c'), 'skyport-a-b-c');
  assert.equal(accountOfRole('arn:aws:iam::123456789012:role/path/name'), '123456789012');
});

test('sweep forgets integrations idle for longer than asked, and keeps the rest', async (t) => {
  const { clock, aws, creds, roleArn } = await setup(t);
  const other = trustedRole(aws, '444455556666', 'ext-1234567890ab', 'Other');
  await creds.providerFor({ id: 'old', roleArn, externalId: 'ext-1234567890ab' })();
  clock.advance(3 * 3_600_000);
  await creds.providerFor({ id: 'recent', roleArn: other, externalId: 'ext-1234567890ab' })();
  assert.equal(creds.sweep(2 * 3_600_000), 1);
  assert.equal(creds.size, 1);
  assert.equal(creds.sweep(2 * 3_600_000), 0);
});

test('SDK clients kept across runs use renewed credentials: the SDK does not hold a stale copy', async (t) => {
  const { aws, clock, creds, roleArn, assumeRoleCalls } = await setup(t);
  const { createAwsClientFactory } = await import('../../../src/services/collection/aws/clientFactory.ts');
  const { createRateLimiter } = await import('../../../src/services/collection/aws/rateLimiter.ts');
  const factory = createAwsClientFactory({ settings: aws.settings, limiter: createRateLimiter() });
  t.after(() => factory.close());
  const provider = creds.providerFor({ id: 'i', roleArn, externalId: 'ext-1234567890ab' });
  const first = factory.forRole(ACCOUNT, provider).cloudwatch('us-east-1');
  await first.send(new ListMetricsCommand({}));
  clock.advance(2 * 3_600_000); // the first session has expired by the simulator's clock
  const again = factory.forRole(ACCOUNT, provider).cloudwatch('us-east-1');
  assert.equal(again, first, 'the same client, reused');
  await again.send(new ListMetricsCommand({}));
  assert.equal(assumeRoleCalls(), 2, 'renewed once');
  assert.equal(aws.sim.callCount({ service: 'cloudwatch', error: 'ExpiredToken' }), 0);
});
