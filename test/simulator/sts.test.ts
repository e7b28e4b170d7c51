import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, EXTERNAL_ID, SKYPORT_ACCOUNT, world, type World } from './helpers.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('STS (awsQuery)', () => {
  let w: World;
  let sts: STSClient;
  before(async () => {
    w = await world({ clock: () => T0 });
    sts = new STSClient(cfg(w.sim, w.base));
  });
  after(async () => {
    sts.destroy();
    await w.sim.close();
  });

  test('GetCallerIdentity answers for an IAM user', async () => {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, SKYPORT_ACCOUNT);
    assert.equal(out.Arn, `arn:aws:iam::${SKYPORT_ACCOUNT}:user/skyport`);
    assert.equal(out.UserId, w.skyport.userId);
    assert.match(out.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
  });

  test('AssumeRole returns temporary credentials that act in the role account', async () => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 'skyport-session', ExternalId: EXTERNAL_ID, DurationSeconds: 900 }),
    );
    const c = out.Credentials;
    assert.ok(c);
    assert.match(c.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey?.length, 40);
    assert.ok((c.SessionToken?.length ?? 0) > 100);
    assert.equal(c.Expiration?.getTime(), T0 + 900_000, 'Expiration = simulator now + DurationSeconds');
    const role = w.sim.state.iam.roles.get(w.roleArn);
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/SkyportIntegration/skyport-session`);
    assert.equal(out.AssumedRoleUser?.AssumedRoleId, `${role?.roleId}:skyport-session`);

    const asRole = new STSClient(cfg(w.sim, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken }));
    const who = await asRole.send(new GetCallerIdentityCommand({}));
    asRole.destroy();
    assert.equal(who.Account, CUSTOMER_ACCOUNT);
    assert.equal(who.Arn, out.AssumedRoleUser?.Arn);
  });

  test('DurationSeconds defaults to 3600', async () => {
    const c = await assume(w);
    assert.equal(c.expiration.getTime(), T0 + 3600_000);
  });

  const deniedMessage = (roleArn: string): string =>
    `User: arn:aws:iam::${SKYPORT_ACCOUNT}:user/skyport is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;

  test('a wrong external id is AccessDenied', async () => {
    const err = await errorOf(() => sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 's1', ExternalId: 'not-the-id' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, deniedMessage(w.roleArn));
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });

  test('a missing external id is AccessDenied when the trust policy requires one', async () => {
    const err = await errorOf(() => sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 's1' })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, deniedMessage(w.roleArn));
  });

  test('a role that does not exist is AccessDenied, like AWS', async () => {
    const missing = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/DoesNotExist`;
    const err = await errorOf(() => sts.send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 's1', ExternalId: EXTERNAL_ID })));
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, deniedMessage(missing));
  });

  test('a principal the trust policy does not name is AccessDenied', async () => {
    const other = w.sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'intruder' });
    const client = new STSClient(cfg(w.sim, other));
    const err = await errorOf(() => client.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 's1', ExternalId: EXTERNAL_ID })));
    client.destroy();
    assert.equal(err.name, 'AccessDenied');
    assert.equal(err.message, `User: ${other.arn} is not authorized to perform: sts:AssumeRole on resource: ${w.roleArn}`);
  });

  test('an account-root trust lets any principal of that account assume the role', async () => {
    const role = w.sim.createRole({ accountId: CUSTOMER_ACCOUNT, name: 'RootTrusted', trustedPrincipals: [`arn:aws:iam::${SKYPORT_ACCOUNT}:root`] });
    const other = w.sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'colleague' });
    const client = new STSClient(cfg(w.sim, other));
    const out = await client.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'root-ok' }));
    client.destroy();
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${CUSTOMER_ACCOUNT}:assumed-role/RootTrusted/root-ok`);
    const stranger = w.sim.createUser({ accountId: '333333333333', name: 'stranger' });
    const c2 = new STSClient(cfg(w.sim, stranger));
    const err = await errorOf(() => c2.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'nope' })));
    c2.destroy();
    assert.equal(err.name, 'AccessDenied');
  });

  test('changing the external id on the role takes effect', async () => {
    const role = w.sim.createRole({ accountId: CUSTOMER_ACCOUNT, name: 'Rotating', trustedPrincipals: [w.skyport.arn], externalId: 'first-id' });
    await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'a1', ExternalId: 'first-id' }));
    w.sim.updateRoleTrust(role.arn, { externalId: 'second-id' });
    const err = await errorOf(() => sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'a2', ExternalId: 'first-id' })));
    assert.equal(err.name, 'AccessDenied');
    await sts.send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'a3', ExternalId: 'second-id' }));
  });

  test('DurationSeconds outside 900..43200 or above the role maximum is a ValidationError', async () => {
    for (const [duration, pattern] of [
      [899, /greater than or equal to 900/],
      [43201, /less than or equal to 43200/],
      [7200, /exceeds the MaxSessionDuration/],
    ] as const) {
      const err = await errorOf(() =>
        sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 's1', ExternalId: EXTERNAL_ID, DurationSeconds: duration })),
      );
      assert.equal(err.name, 'ValidationError', `DurationSeconds ${duration}`);
      assert.match(err.message, pattern);
      assert.equal(err.$metadata?.httpStatusCode, 400);
    }
    const long = w.sim.createRole({ accountId: CUSTOMER_ACCOUNT, name: 'LongSessions', trustedPrincipals: [w.skyport.arn], maxSessionDuration: 43200 });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 's1', DurationSeconds: 43200 }));
    assert.equal(out.Credentials?.Expiration?.getTime(), T0 + 43200_000);
  });

  test('RoleSessionName must match [\\w+=,.@-]{2,64}', async () => {
    for (const name of ['has space', 'x', 'a'.repeat(65), 'slash/no']) {
      const err = await errorOf(() => sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: name, ExternalId: EXTERNAL_ID })));
      assert.equal(err.name, 'ValidationError', name);
    }
    await sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 'ok+=,.@-_name', ExternalId: EXTERNAL_ID }));
  });

  test('role chaining is limited to one hour', async () => {
    const first = await assume(w);
    const hop = w.sim.createRole({ accountId: '444444444444', name: 'Hop', trustedPrincipals: [w.roleArn] });
    const chained = new STSClient(cfg(w.sim, first));
    const err = await errorOf(() => chained.send(new AssumeRoleCommand({ RoleArn: hop.arn, RoleSessionName: 'hop', DurationSeconds: 3601 })));
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /role chaining/);
    const out = await chained.send(new AssumeRoleCommand({ RoleArn: hop.arn, RoleSessionName: 'hop' }));
    chained.destroy();
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::444444444444:assumed-role/Hop/hop');
  });

  test('an unknown access key is InvalidClientTokenId', async () => {
    const client = new STSClient(cfg(w.sim, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }));
    const err = await errorOf(() => client.send(new GetCallerIdentityCommand({})));
    client.destroy();
    assert.equal(err.name, 'InvalidClientTokenId');
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });

  test('a wrong secret is SignatureDoesNotMatch', async () => {
    const client = new STSClient(cfg(w.sim, { accessKeyId: w.base.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret-00' }));
    const err = await errorOf(() => client.send(new GetCallerIdentityCommand({})));
    client.destroy();
    assert.equal(err.name, 'SignatureDoesNotMatch');
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });

  test('a body changed after signing is SignatureDoesNotMatch', async () => {
    const client = new STSClient(cfg(w.sim, w.base));
    // Runs after the signer: the signature covers the original body, the server receives another one.
    const tamper = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const request = (args as { request: { body: string } }).request;
      request.body = request.body.replace('skyport-session', 'tampered-sessio'); // same length
      return next(args);
    };
    client.middlewareStack.addRelativeTo(tamper as never, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
    const err = await errorOf(() =>
      client.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 'skyport-session', ExternalId: EXTERNAL_ID })),
    );
    client.destroy();
    assert.equal(err.name, 'SignatureDoesNotMatch');
  });

  test('temporary credentials without their session token are rejected', async () => {
    const c = await assume(w);
    const client = new STSClient(cfg(w.sim, { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }));
    const err = await errorOf(() => client.send(new GetCallerIdentityCommand({})));
    client.destroy();
    assert.equal(err.name, 'InvalidClientTokenId');
  });

  test('temporary credentials expire on the simulator clock: ExpiredToken', async () => {
    const c = await assume(w, 900);
    const client = new STSClient(cfg(w.sim, c));
    await client.send(new GetCallerIdentityCommand({}));
    w.sim.clock.advance(899_000);
    await client.send(new GetCallerIdentityCommand({}));
    w.sim.clock.advance(1_000);
    const err = await errorOf(() => client.send(new GetCallerIdentityCommand({})));
    client.destroy();
    w.sim.clock.reset();
    assert.equal(err.name, 'ExpiredToken');
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });

  test('a deleted access key stops working', async () => {
    const temp = w.sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'temp' });
    const client = new STSClient(cfg(w.sim, temp));
    await client.send(new GetCallerIdentityCommand({}));
    w.sim.deleteAccessKey(temp.accessKeyId);
    const err = await errorOf(() => client.send(new GetCallerIdentityCommand({})));
    client.destroy();
    assert.equal(err.name, 'InvalidClientTokenId');
  });
});
