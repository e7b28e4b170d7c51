// SPEC §3 row 7 and §5 "PUT": a full replace of the writable fields, with the stored identity kept.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { client, manualClock } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  ec2Body,
  issueExternalId,
  ok,
  rowText,
  suiteApp,
  tenant,
  OTHER_ROLE_ARN,
  ROLE_ARN,
} from './fixtures.ts';

const URL = '/api/v2/cloudintegration';

describe('PUT /api/v2/cloudintegration/{id}', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });

  test('replaces every writable field: what the body leaves out goes back to unset or default', async () => {
    const { call, customerId } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, { serviceRefreshRateInMins: 30, additionalTags: { env: 'prod' } }, { namespaces: ['AWS/EC2'], metricFilterRegex: 'cpu' }));
    clock.advance(90_000);
    const updated = ok(await call('PUT', `${URL}/${created.id}`, { name: 'renamed', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: ROLE_ARN }, pointTagFilterRegex: '^env$' } }));
    assert.equal(updated.id, created.id);
    assert.equal(updated.name, 'renamed');
    assert.equal(updated.serviceRefreshRateInMins, 5);
    assert.ok(!('additionalTags' in updated));
    assert.deepEqual(updated.cloudWatch, { baseCredentials: { roleArn: ROLE_ARN, externalId }, pointTagFilterRegex: '^env$' });
    assert.equal(updated.createdEpochMillis, created.createdEpochMillis);
    assert.equal(updated.updatedEpochMillis, clock.now());
    assert.equal(updated.creatorId, `writer-${customerId}`);
    assert.equal(updated.forceSave, false);
    assert.deepEqual(ok(await call('GET', `${URL}/${created.id}`)), updated);
  });

  test('updaterId names the token that made the change', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const colleague = await testApp.app.services.tokens.create({ name: 'colleague', permissions: ['agent_management'], customerId });
    const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
    const updated = ok(await client(testApp.app, colleague.token)('PUT', `${URL}/${created.id}`, { ...cloudWatchBody(undefined), name: 'by colleague' }));
    assert.equal(updated.updaterId, 'colleague');
    assert.equal(updated.creatorId, `writer-${customerId}`);
  });

  test('the id in the path wins over an id in the body', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const a = await createIntegration(call, cloudWatchBody(externalId, { name: 'a' }));
    const b = await createIntegration(call, cloudWatchBody(externalId, { name: 'b' }));
    const bBefore = await rowText(testApp, b.id);
    const updated = ok(await call('PUT', `${URL}/${a.id}`, { ...cloudWatchBody(externalId), id: b.id, name: 'a2' }));
    assert.equal(updated.id, a.id);
    assert.equal(updated.name, 'a2');
    assert.equal(await rowText(testApp, b.id), bBefore, 'the integration named in the body is untouched');
    assert.equal(ok(await call('GET', `${URL}/${b.id}`)).name, 'b');
  });

  test('read-only and unknown fields in the body are ignored (disabled, inTrash, creatorId, timestamps…)', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
    clock.advance(1000);
    const updated = ok(await call('PUT', `${URL}/${created.id}`, {
      ...cloudWatchBody(undefined, { name: 'new name' }),
      disabled: true,
      deleted: true,
      inTrash: true,
      creatorId: 'mallory',
      updaterId: 'mallory',
      createdEpochMillis: 1,
      updatedEpochMillis: 1,
      lastError: 'x',
      lastErrorMs: 1,
      lastMetricCount: 99,
      lastProcessorId: 'p',
      lastProcessingTimestamp: 1,
      lastReceivedDataPointMs: 1,
      lastErrorEvent: { name: 'Credentials Error: x', startTime: 1, annotations: {} },
      whatever: { nested: true },
    }));
    assert.equal(updated.disabled, false);
    assert.equal(updated.inTrash, false);
    assert.equal(updated.deleted, false);
    assert.equal(updated.creatorId, `writer-${customerId}`);
    assert.equal(updated.updaterId, `writer-${customerId}`);
    assert.equal(updated.createdEpochMillis, created.createdEpochMillis);
    assert.equal(updated.updatedEpochMillis, clock.now());
    for (const key of ['lastError', 'lastErrorMs', 'lastMetricCount', 'lastProcessorId', 'lastProcessingTimestamp', 'lastReceivedDataPointMs', 'lastErrorEvent', 'whatever']) {
      assert.ok(!(key in updated), key);
    }
    assert.equal(ok(await call('GET', URL)).totalItems, 1, 'still live');
    assert.doesNotMatch((await rowText(testApp, created.id))!, /mallory|whatever/);
  });

  test('sending back a whole GET response (read-only fields, lastErrorEvent: null) succeeds and changes only what was edited', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const body of [
      cloudWatchBody(externalId, { additionalTags: { a: 'b' }, serviceRefreshRateInMins: 7 }, { namespaces: ['AWS/S3'], threadDistributionInMins: 2 }),
      cloudTrailBody(externalId, {}, { prefix: 'p/' }),
      ec2Body(externalId, {}, { hostNameTags: ['Name'] }),
    ]) {
      const created = await createIntegration(call, body);
      const read = ok(await call('GET', `${URL}/${created.id}`));
      clock.advance(10);
      const sentBack = ok(await call('PUT', `${URL}/${created.id}`, { ...read, lastErrorEvent: null }));
      assert.deepEqual({ ...sentBack, updatedEpochMillis: read.updatedEpochMillis }, read);
      const edited = ok(await call('PUT', `${URL}/${created.id}`, { ...read, lastErrorEvent: null, name: `${read.name} (edited)`, forceSave: true }));
      assert.deepEqual({ ...edited, updatedEpochMillis: read.updatedEpochMillis }, { ...read, name: `${read.name} (edited)` });
    }
  });

  test('a body without externalId keeps the stored one; the same externalId is fine', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, ec2Body(externalId));
    const kept = ok(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, { name: 'kept' })));
    assert.equal(kept.ec2.baseCredentials.externalId, externalId);
    const empty = ok(await call('PUT', `${URL}/${created.id}`, ec2Body('', { name: 'empty string' })));
    assert.equal(empty.ec2.baseCredentials.externalId, externalId);
    const same = ok(await call('PUT', `${URL}/${created.id}`, ec2Body(externalId, { name: 'same' })));
    assert.equal(same.ec2.baseCredentials.externalId, externalId);
  });

  test('a different externalId is a 400 and changes nothing', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const another = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId));
    const before = await rowText(testApp, created.id);
    for (const other of [another, 'NotIssuedAtAll01']) {
      assertError(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(other, { name: 'changed' })), 400, 'externalId');
    }
    assert.equal(await rowText(testApp, created.id), before);
  });

  test('a different service is a 400 and changes nothing; the same service in another case is fine', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId));
    const before = await rowText(testApp, created.id);
    assertError(await call('PUT', `${URL}/${created.id}`, ec2Body(externalId)), 400, 'service');
    assertError(await call('PUT', `${URL}/${created.id}`, cloudTrailBody(externalId)), 400, 'service');
    assertError(await call('PUT', `${URL}/${created.id}`, { ...cloudWatchBody(externalId), service: 'GCP' }), 400, 'AWS only');
    assertError(await call('PUT', `${URL}/${created.id}`, { ...cloudWatchBody(externalId), service: 'nope' }), 400, 'service');
    assert.equal(await rowText(testApp, created.id), before);
    const lower = ok(await call('PUT', `${URL}/${created.id}`, { ...cloudWatchBody(externalId), service: 'cloudwatch' }));
    assert.equal(lower.service, 'CLOUDWATCH');
  });

  test('the input rules of create apply to PUT, and a rejected PUT leaves the row byte-identical', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudTrailBody(externalId, { additionalTags: { keep: 'me' } }));
    const before = await rowText(testApp, created.id);
    const bad: Array<[unknown, string]> = [
      [cloudTrailBody(undefined, { serviceRefreshRateInMins: 0 }), 'serviceRefreshRateInMins'],
      [cloudTrailBody(undefined, { serviceRefreshRateInMins: '5' }), 'serviceRefreshRateInMins'],
      [cloudTrailBody(undefined, {}, { filterRule: '(' }), 'filterRule'],
      [cloudTrailBody(undefined, {}, { bucketName: undefined }), 'bucketName'],
      [cloudTrailBody(undefined, {}, { region: 'nowhere' }), 'region'],
      [cloudTrailBody(undefined, {}, { baseCredentials: { roleArn: 'arn:aws:iam::1:role/x' } }), 'roleArn'],
      [cloudTrailBody(undefined, {}, { baseCredentials: {} }), 'roleArn'],
      [{ name: 'x', service: 'CLOUDTRAIL' }, 'cloudTrail'],
      [{ ...cloudTrailBody(undefined), name: '' }, 'name'],
      [{ ...cloudTrailBody(undefined), name: 'n'.repeat(257) }, 'name'],
      [{ service: 'CLOUDTRAIL', cloudTrail: cloudTrailBody(undefined).cloudTrail }, 'name'],
    ];
    for (const [body, field] of bad) assertError(await call('PUT', `${URL}/${created.id}`, body), 400, field);
    assert.equal(await rowText(testApp, created.id), before);
  });

  test('a changed roleArn is stored', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, ec2Body(externalId));
    const updated = ok(await call('PUT', `${URL}/${created.id}`, ec2Body(undefined, {}, { baseCredentials: { roleArn: OTHER_ROLE_ARN } })));
    assert.deepEqual(updated.ec2.baseCredentials, { roleArn: OTHER_ROLE_ARN, externalId });
    assert.deepEqual(ok(await call('GET', `${URL}/${created.id}`)).ec2.baseCredentials, { roleArn: OTHER_ROLE_ARN, externalId });
  });

  test('PUT does not re-enable a disabled integration', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
    ok(await call('POST', `${URL}/${created.id}/disable`));
    const updated = ok(await call('PUT', `${URL}/${created.id}`, cloudWatchBody(undefined, { name: 'still disabled' })));
    assert.equal(updated.disabled, true);
  });
});
