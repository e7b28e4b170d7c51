// SPEC §5 "Credential check": when the API runs it (which requests, with which role and external ID) and that a
// rejection stores nothing and binds nothing. AWS is the simulator: the check is Skyport's own STS AssumeRole, a
// rejecting role is a real role whose trust policy names another principal or another external ID, and "the
// check ran" is the simulator's AssumeRole counter. The answers of the check to each kind of AWS failure are in
// credentialCheck.test.ts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { trustedRole } from '../helpers/aws.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  ec2Body,
  integrationCount,
  issueExternalId,
  ok,
  rowText,
  suiteApp,
  tenant,
  OTHER_ROLE_ARN,
  ROLE_ARN,
} from './fixtures.ts';

const URL = '/api/v2/cloudintegration';
/** A real role whose trust policy names another account, not Skyport. */
const UNTRUSTING_ROLE = 'arn:aws:iam::333333333333:role/untrusting';
/** A real role that trusts Skyport, but only under an external ID this server never issues. */
const OTHER_ID_ROLE = 'arn:aws:iam::444444444444:role/other-external-id';
const accountOf = (roleArn: string) => roleArn.split(':')[4];

describe('the credential check rules', () => {
  const ctx = suiteApp();
  before(() => {
    const { aws } = ctx();
    aws.sim.createRole({ accountId: accountOf(UNTRUSTING_ROLE), name: 'untrusting', trustedPrincipals: ['arn:aws:iam::111122223333:root'] });
    aws.sim.createRole({ accountId: accountOf(OTHER_ID_ROLE), name: 'other-external-id', trustedPrincipals: [aws.skyportArn], externalId: 'not-issued-by-skyport' });
  });

  /**
   * STS AssumeRole calls Skyport has made so far (optionally: on one role's account, by outcome). The check is
   * the only caller in these tests (the collection scheduler is not started), and the tests of a block run one
   * after another, so differences of this count are the checks a request ran.
   */
  const assumeRoleCalls = (filter: { accountId?: string; error?: boolean | string } = {}) =>
    ctx().aws.sim.callCount({ service: 'sts', api: 'AssumeRole', principal: ctx().aws.skyportArn, ...filter });

  /** A role, alone in an account of its own, that trusts Skyport only under exactly `externalId`. */
  let accounts = 0;
  const roleRequiring = (externalId: string) => trustedRole(ctx().aws, `5555000000${String(++accounts).padStart(2, '0')}`, externalId, 'exact-external-id');

  test('create runs the check with the role and the external ID, for every service', async () => {
    const { call } = await tenant(ctx().app);
    for (const body of [cloudWatchBody, cloudTrailBody, ec2Body]) {
      const externalId = await issueExternalId(call);
      const roleArn = roleRequiring(externalId);
      const before = assumeRoleCalls();
      const created = await createIntegration(call, body(externalId, { name: 'checked' }, { baseCredentials: { roleArn, externalId } }));
      assert.equal(created.name, 'checked');
      assert.equal(assumeRoleCalls() - before, 1, `${created.service}: one check`);
      assert.equal(assumeRoleCalls({ accountId: accountOf(roleArn), error: false }), 1, `${created.service}: of that role, with exactly that external ID`);
    }
  });

  test('a role that refuses Skyport makes create a 400 that says so, stores nothing and does not bind the external ID', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const denied = assumeRoleCalls({ error: 'AccessDenied' });
    for (const roleArn of [UNTRUSTING_ROLE, OTHER_ID_ROLE]) {
      for (const body of [
        cloudWatchBody(externalId, {}, { baseCredentials: { roleArn, externalId } }),
        cloudTrailBody(externalId, {}, { baseCredentials: { roleArn, externalId } }),
        ec2Body(externalId, {}, { baseCredentials: { roleArn, externalId } }),
      ]) {
        assertError(await call('POST', URL, body), 400, 'AccessDenied', 'trust policy', roleArn);
      }
    }
    assert.equal(assumeRoleCalls({ error: 'AccessDenied' }) - denied, 6, 'each create was checked and refused by STS');
    assert.equal(await integrationCount(testApp, customerId), 0);
    const bound = await testApp.database.pool.query('SELECT role_arn, used_ms FROM external_ids WHERE value = $1', [externalId]);
    assert.deepEqual(bound.rows[0], { role_arn: null, used_ms: null });
    // The ID is free for the right role afterwards.
    const created = await createIntegration(call, cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId } }));
    assert.equal(created.cloudWatch.baseCredentials.roleArn, OTHER_ROLE_ARN);
  });

  test('forceSave: false runs the check like an absent forceSave', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const before = assumeRoleCalls({ accountId: accountOf(UNTRUSTING_ROLE) });
    assertError(await call('POST', URL, ec2Body(externalId, { forceSave: false }, { baseCredentials: { roleArn: UNTRUSTING_ROLE, externalId } })), 400, 'AccessDenied');
    assert.equal(assumeRoleCalls({ accountId: accountOf(UNTRUSTING_ROLE) }) - before, 1);
  });

  test('an external ID that cannot be used fails before the check runs', async () => {
    const { call } = await tenant(ctx().app);
    const before = assumeRoleCalls();
    assertError(await call('POST', URL, cloudWatchBody('NotIssuedByUs123')), 400, 'not issued');
    assertError(await call('POST', URL, cloudWatchBody(undefined)), 400, 'externalId');
    assert.equal(assumeRoleCalls(), before);
  });

  test('a PUT that keeps the roleArn does not run the check', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, { forceSave: true }, { baseCredentials: { roleArn: UNTRUSTING_ROLE, externalId } }));
    const before = assumeRoleCalls();
    const updated = ok(await call('PUT', `${URL}/${created.id}`, { ...created, name: 'renamed', serviceRefreshRateInMins: 60 }));
    assert.equal(updated.name, 'renamed');
    ok(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(undefined, { name: 'without externalId' }, { baseCredentials: { roleArn: UNTRUSTING_ROLE } })));
    assert.equal(assumeRoleCalls(), before);
  });

  test('a PUT that changes the roleArn runs the check with the stored external ID; a failure is a 400 that changes nothing', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, ec2Body(externalId));
    const before = await rowText(testApp, created.id);
    const refusedByNewRole = () => assumeRoleCalls({ accountId: accountOf(UNTRUSTING_ROLE), error: 'AccessDenied' });
    let calls = assumeRoleCalls();
    const refused = refusedByNewRole();
    assertError(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, { name: 'moved' }, { baseCredentials: { roleArn: UNTRUSTING_ROLE } })), 400, 'AccessDenied');
    assert.equal(assumeRoleCalls() - calls, 1, 'one check');
    assert.equal(refusedByNewRole() - refused, 1, 'of the new role');
    assert.equal(await rowText(testApp, created.id), before);
    const bound = await testApp.database.pool.query('SELECT role_arn FROM external_ids WHERE value = $1', [externalId]);
    assert.equal(bound.rows[0].role_arn, ROLE_ARN, 'the external ID stays bound to the old role');

    // The new role accepts only the external ID stored with the integration, which the body does not carry.
    const target = roleRequiring(externalId);
    calls = assumeRoleCalls();
    const moved = ok(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, {}, { baseCredentials: { roleArn: target } })));
    assert.equal(moved.ec2.baseCredentials.roleArn, target);
    assert.equal(assumeRoleCalls() - calls, 1, 'one check');
    assert.equal(assumeRoleCalls({ accountId: accountOf(target), error: false }), 1, 'of the new role, with the stored external ID');
  });

  test('a PUT that changes the roleArn with forceSave: true skips the check', async () => {
    const { call } = await tenant(ctx().app);
    const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
    const before = assumeRoleCalls();
    const moved = ok(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(undefined, { forceSave: true }, { baseCredentials: { roleArn: UNTRUSTING_ROLE } })));
    assert.equal(moved.cloudWatch.baseCredentials.roleArn, UNTRUSTING_ROLE);
    assert.equal(moved.forceSave, false);
    assert.equal(assumeRoleCalls(), before);
  });
});
