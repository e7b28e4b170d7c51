// SPEC §5 "Credential check", through its seam (buildApp's credentialCheck): when it runs, and that a
// rejection stores nothing. The AWS side of the check is tested with the simulator elsewhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { badRequest } from '../../src/errors.ts';
import type { CredentialCheck } from '../../src/services/credentialCheck.ts';
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
const REJECTED_ROLE = 'arn:aws:iam::123456789012:role/untrusting';

describe('the credential check seam', () => {
  const calls: Array<Parameters<CredentialCheck>[0]> = [];
  // Plays AWS: one role does not trust Skyport.
  const check: CredentialCheck = async (input) => {
    calls.push(input);
    if (input.roleArn === REJECTED_ROLE) {
      throw badRequest(`Skyport could not assume role ${input.roleArn} (AccessDenied): check the trust policy, the external ID and the role ARN`);
    }
  };
  const ctx = suiteApp({ credentialCheck: check });
  const reset = () => void calls.splice(0);

  test('create runs the check with the role, the external ID and the name', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    reset();
    await createIntegration(call, cloudWatchBody(externalId, { name: 'checked' }));
    assert.deepEqual(calls, [{ roleArn: ROLE_ARN, externalId, integrationName: 'checked' }]);
  });

  test('a check that fails makes create a 400 with its message, stores nothing and does not bind the external ID', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const body of [
      cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } }),
      cloudTrailBody(externalId, {}, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } }),
      ec2Body(externalId, {}, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } }),
    ]) {
      assertError(await call('POST', URL, body), 400, 'AccessDenied', 'trust policy', REJECTED_ROLE);
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
    const bound = await testApp.database.pool.query('SELECT role_arn, used_ms FROM external_ids WHERE value = $1', [externalId]);
    assert.deepEqual(bound.rows[0], { role_arn: null, used_ms: null });
    // The ID is free for the right role afterwards.
    const created = await createIntegration(call, cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN, externalId } }));
    assert.equal(created.cloudWatch.baseCredentials.roleArn, OTHER_ROLE_ARN);
  });

  test('forceSave: true skips the check', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    reset();
    const created = await createIntegration(call, cloudWatchBody(externalId, { forceSave: true }, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } }));
    assert.equal(calls.length, 0);
    assert.equal(created.forceSave, false);
    assert.equal(created.cloudWatch.baseCredentials.roleArn, REJECTED_ROLE);
  });

  test('forceSave: false runs the check like an absent forceSave', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', URL, ec2Body(externalId, { forceSave: false }, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } })), 400, 'AccessDenied');
  });

  test('an external ID that cannot be used fails before the check runs', async () => {
    const { call } = await tenant(ctx().app);
    reset();
    assertError(await call('POST', URL, cloudWatchBody('NotIssuedByUs123')), 400, 'not issued');
    assertError(await call('POST', URL, cloudWatchBody(undefined)), 400, 'externalId');
    assert.equal(calls.length, 0);
  });

  test('a PUT that keeps the roleArn does not run the check', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, { forceSave: true }, { baseCredentials: { roleArn: REJECTED_ROLE, externalId } }));
    reset();
    const updated = ok(await call('PUT', `${URL}/${created.id}`, { ...created, name: 'renamed', serviceRefreshRateInMins: 60 }));
    assert.equal(updated.name, 'renamed');
    ok(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(undefined, { name: 'without externalId' }, { baseCredentials: { roleArn: REJECTED_ROLE } })));
    assert.equal(calls.length, 0);
  });

  test('a PUT that changes the roleArn runs the check with the stored external ID; a failure is a 400 that changes nothing', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, ec2Body(externalId));
    const before = await rowText(testApp, created.id);
    reset();
    assertError(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, { name: 'moved' }, { baseCredentials: { roleArn: REJECTED_ROLE } })), 400, 'AccessDenied');
    assert.deepEqual(calls, [{ roleArn: REJECTED_ROLE, externalId, integrationName: 'moved' }]);
    assert.equal(await rowText(testApp, created.id), before);
    const bound = await testApp.database.pool.query('SELECT role_arn FROM external_ids WHERE value = $1', [externalId]);
    assert.equal(bound.rows[0].role_arn, ROLE_ARN, 'the external ID stays bound to the old role');

    reset();
    const moved = ok(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN } })));
    assert.equal(moved.ec2.baseCredentials.roleArn, OTHER_ROLE_ARN);
    assert.deepEqual(calls, [{ roleArn: OTHER_ROLE_ARN, externalId, integrationName: 'prod ec2' }]);
  });

  test('a PUT that changes the roleArn with forceSave: true skips the check', async () => {
    const { call } = await tenant(ctx().app);
    const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
    reset();
    const moved = ok(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(undefined, { forceSave: true }, { baseCredentials: { roleArn: REJECTED_ROLE } })));
    assert.equal(moved.cloudWatch.baseCredentials.roleArn, REJECTED_ROLE);
    assert.equal(moved.forceSave, false);
    assert.equal(calls.length, 0);
  });
});
