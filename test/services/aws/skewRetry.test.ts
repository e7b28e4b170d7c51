import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createStsClient } from '../../../src/services/collection/aws/settings.ts';
import { startTestAws } from '../../helpers/aws.ts';

// Skyport's clients let the SDK correct clock skew: a call AWS refuses for skew is signed again once with AWS's
// time, also when a concurrent call of the same client was the one that corrected the offset.

test('concurrent calls of one client, all signed 40 minutes off, all succeed after one corrected retry each', async (t) => {
  const aws = await startTestAws(t, { clock: () => Date.now() + 40 * 60_000 });
  aws.sim.checkClockSkew = true;
  const sts = createStsClient(aws.settings);
  t.after(() => sts.destroy());
  const out = await Promise.all(Array.from({ length: 8 }, () => sts.send(new GetCallerIdentityCommand({}))));
  assert.equal(out.length, 8);
  for (const o of out) assert.ok(o.Arn);
  assert.ok(aws.sim.callCount({ error: 'SignatureDoesNotMatch' }) <= 8, 'at most one refused attempt per call');

  // Once corrected, calls go through at the first attempt.
  aws.sim.resetCounters();
  await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(aws.sim.callCount({ error: 'SignatureDoesNotMatch' }), 0);
});

test('a wrong secret is not retried as skew: one call, SignatureDoesNotMatch', async (t) => {
  const aws = await startTestAws(t);
  aws.sim.checkClockSkew = true;
  const sts = createStsClient({ ...aws.settings, credentials: { accessKeyId: (aws.settings.credentials as { accessKeyId: string }).accessKeyId, secretAccessKey: 'x'.repeat(40) } });
  t.after(() => sts.destroy());
  await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (err: Error) => err.name === 'SignatureDoesNotMatch');
  assert.equal(aws.sim.callCount({ service: 'sts' }), 1);
});
