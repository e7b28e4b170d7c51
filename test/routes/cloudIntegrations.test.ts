// SPEC §3 rows 4-6, 9-10 and §4: creating and reading integrations, and every input rule of the model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  ec2Body,
  integrationCount,
  issueExternalId,
  ok,
  suiteApp,
  tenant,
  ROLE_ARN,
  UUID_LOWER,
  type Call,
} from './fixtures.ts';

const URL = '/api/v2/cloudintegration';

describe('create and read', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });

  test('a CloudWatch integration: stored, returned with server fields, readable by id', async () => {
    const { call, customerId } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, { name: 'Prod / eu-west-1' }));
    assert.match(created.id, UUID_LOWER);
    assert.equal(created.name, 'Prod / eu-west-1');
    assert.equal(created.service, 'CLOUDWATCH');
    assert.equal(created.serviceRefreshRateInMins, 5);
    assert.equal(created.forceSave, false);
    assert.deepEqual(created.cloudWatch, { baseCredentials: { roleArn: ROLE_ARN, externalId } });
    assert.equal(created.creatorId, `writer-${customerId}`);
    assert.equal(created.updaterId, `writer-${customerId}`);
    assert.equal(created.createdEpochMillis, clock.now());
    assert.equal(created.updatedEpochMillis, clock.now());
    assert.equal(created.disabled, false);
    assert.equal(created.deleted, false);
    assert.equal(created.inTrash, false);
    for (const key of ['cloudTrail', 'ec2', 'additionalTags', 'lastError', 'lastErrorMs', 'lastErrorEvent', 'lastMetricCount', 'lastProcessingTimestamp', 'lastProcessorId', 'lastReceivedDataPointMs']) {
      assert.ok(!(key in created), `${key} is not invented`);
    }
    assert.deepEqual(ok(await call('GET', `${URL}/${created.id}`)), created);
  });

  test('CloudTrail and EC2 integrations: each under its own config key', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const trail = await createIntegration(call, cloudTrailBody(externalId));
    assert.equal(trail.service, 'CLOUDTRAIL');
    assert.deepEqual(trail.cloudTrail, { baseCredentials: { roleArn: ROLE_ARN, externalId }, bucketName: 'acme-trail-logs', region: 'us-east-1' });
    assert.ok(!('cloudWatch' in trail) && !('ec2' in trail));
    const ec2 = await createIntegration(call, ec2Body(externalId));
    assert.equal(ec2.service, 'EC2');
    assert.deepEqual(ec2.ec2, { baseCredentials: { roleArn: ROLE_ARN, externalId } });
    assert.deepEqual(ok(await call('GET', `${URL}/${trail.id}`)), trail);
    assert.deepEqual(ok(await call('GET', `${URL}/${ec2.id}`)), ec2);
  });

  test('service is case-insensitive on input and uppercase on output', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const cases: Array<[unknown, string]> = [
      [{ ...cloudTrailBody(externalId), service: 'cloudTrail' }, 'CLOUDTRAIL'],
      [{ ...ec2Body(externalId), service: 'ec2' }, 'EC2'],
      [{ ...cloudWatchBody(externalId), service: 'CloudWatch' }, 'CLOUDWATCH'],
      [{ ...cloudWatchBody(externalId), service: 'cloudwatch' }, 'CLOUDWATCH'],
      [{ ...ec2Body(externalId), service: 'Ec2' }, 'EC2'],
    ];
    for (const [body, service] of cases) {
      const created = await createIntegration(call, body);
      assert.equal(created.service, service);
      assert.equal(ok(await call('GET', `${URL}/${created.id}`)).service, service);
    }
  });

  test('the other Wavefront services are a 400 that says Skyport collects from AWS only', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const service of ['GCP', 'GCPBILLING', 'AZURE', 'AZUREACTIVITYLOG', 'NEWRELIC', 'APPDYNAMICS', 'VROPS', 'SNOWFLAKE', 'DYNATRACE', 'gcp', 'Azure']) {
      assertError(await call('POST', URL, { ...cloudWatchBody(externalId), service }), 400, 'AWS only', service.toUpperCase());
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('an unknown service is a 400 naming the valid ones', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const service of ['S3', 'CLOUD_WATCH', 'tesla', ' ', 'CLOUDWATCH2', '']) {
      assertError(await call('POST', URL, { ...cloudWatchBody(externalId), service }), 400, 'service');
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('required fields: name, service, and the config object of the service', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const { name: _n, ...noName } = cloudWatchBody(externalId);
    assertError(await call('POST', URL, noName), 400, 'name');
    assertError(await call('POST', URL, { ...cloudWatchBody(externalId), name: '' }), 400, 'name');
    assertError(await call('POST', URL, { ...cloudWatchBody(externalId), name: '   ' }), 400, 'name');
    const { service: _s, ...noService } = cloudWatchBody(externalId);
    assertError(await call('POST', URL, noService), 400, 'service');
    assertError(await call('POST', URL, { name: 'x', service: 'CLOUDWATCH' }), 400, 'cloudWatch');
    assertError(await call('POST', URL, { name: 'x', service: 'CLOUDTRAIL' }), 400, 'cloudTrail');
    assertError(await call('POST', URL, { name: 'x', service: 'EC2' }), 400, 'ec2');
    // The config object of another service does not count.
    assertError(await call('POST', URL, { name: 'x', service: 'EC2', cloudWatch: cloudWatchBody(externalId).cloudWatch }), 400, 'ec2');
    assertError(await call('POST', URL, { name: 'x', service: 'CLOUDTRAIL', ec2: ec2Body(externalId).ec2 }), 400, 'cloudTrail');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('baseCredentials.roleArn is required, and externalId is required on create', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', URL, { name: 'x', service: 'CLOUDWATCH', cloudWatch: {} }), 400, 'roleArn');
    assertError(await call('POST', URL, { name: 'x', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { externalId } } }), 400, 'cloudWatch.baseCredentials.roleArn');
    assertError(await call('POST', URL, { name: 'x', service: 'EC2', ec2: { baseCredentials: { roleArn: ROLE_ARN, externalId: '' } } }), 400, 'ec2.baseCredentials.externalId');
    assertError(await call('POST', URL, cloudWatchBody(undefined)), 400, 'cloudWatch.baseCredentials.externalId');
    assertError(await call('POST', URL, cloudTrailBody(undefined)), 400, 'cloudTrail.baseCredentials.externalId');
    assertError(await call('POST', URL, ec2Body(undefined)), 400, 'ec2.baseCredentials.externalId');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('cloudTrail needs bucketName and region, both well-formed', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const { bucketName: _b, ...noBucket } = cloudTrailBody(externalId).cloudTrail;
    assertError(await call('POST', URL, { ...cloudTrailBody(externalId), cloudTrail: noBucket }), 400, 'cloudTrail.bucketName');
    const { region: _r, ...noRegion } = cloudTrailBody(externalId).cloudTrail;
    assertError(await call('POST', URL, { ...cloudTrailBody(externalId), cloudTrail: noRegion }), 400, 'cloudTrail.region');
    assertError(await call('POST', URL, cloudTrailBody(externalId, {}, { bucketName: '' })), 400, 'bucketName');
    assertError(await call('POST', URL, cloudTrailBody(externalId, {}, { region: '' })), 400, 'region');
    assertError(await call('POST', URL, cloudTrailBody(externalId, {}, { bucketName: 'Not_A_Bucket!' })), 400, 'bucketName');
    assertError(await call('POST', URL, cloudTrailBody(externalId, {}, { region: 'moon-base-1a' })), 400, 'region');
    assert.equal(await integrationCount(testApp, customerId), 0);
    const ok1 = await createIntegration(call, cloudTrailBody(externalId, {}, { bucketName: 'my.trail-bucket-01', region: 'eu-central-1', prefix: 'org/AWSLogs', filterRule: '^ec2\\.amazonaws\\.com:(Run|Terminate)Instances$' }));
    assert.equal(ok1.cloudTrail.prefix, 'org/AWSLogs');
    assert.equal(ok1.cloudTrail.filterRule, '^ec2\\.amazonaws\\.com:(Run|Terminate)Instances$');
    assert.equal(ok1.cloudTrail.region, 'eu-central-1');
  });

  test('a malformed roleArn is a 400 naming the field; IAM role ARNs of every partition and with paths are fine', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const bad = [
      'arn:aws::1234567:role/example-arn',
      'arn:aws:iam::12345678901:role/short-account',
      'arn:aws:iam::1234567890123:role/long-account',
      'arn:aws:iam::123456789012:user/not-a-role',
      'arn:aws:s3:::bucket',
      'arn:aws:iam::123456789012:role/',
      'role/name',
      'arn:aws:iam::abcdefghijkl:role/x',
      ' arn:aws:iam::123456789012:role/x',
      'arn:aws:iam::123456789012:role/has space',
    ];
    for (const roleArn of bad) {
      const externalId = await issueExternalId(call);
      assertError(await call('POST', URL, cloudWatchBody(externalId, {}, { baseCredentials: { roleArn, externalId } })), 400, 'roleArn');
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
    for (const roleArn of ['arn:aws:iam::123456789012:role/x', 'arn:aws-us-gov:iam::123456789012:role/a/b/Skyport_Role+=,.@-1', 'arn:aws-cn:iam::000000000000:role/service-role/reader']) {
      const externalId = await issueExternalId(call);
      // The simulated AWS (like a Skyport whose identity lives in the aws partition) has no roles of the other
      // partitions for the credential check to assume: those are stored with forceSave, which skips only that check.
      const force = roleArn.startsWith('arn:aws:') ? {} : { forceSave: true };
      const created = await createIntegration(call, ec2Body(externalId, force, { baseCredentials: { roleArn, externalId } }));
      assert.equal(created.ec2.baseCredentials.roleArn, roleArn);
    }
  });

  test('every regular expression field is compiled on write: an invalid one is a 400 naming it', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const cases: Array<[unknown, string]> = [
      [cloudWatchBody(externalId, {}, { metricFilterRegex: '^aws.(ec2' }), 'cloudWatch.metricFilterRegex'],
      [cloudWatchBody(externalId, {}, { pointTagFilterRegex: '[a-' }), 'cloudWatch.pointTagFilterRegex'],
      [cloudWatchBody(externalId, {}, { s3BucketNameFilterRegex: '*bucket' }), 'cloudWatch.s3BucketNameFilterRegex'],
      [cloudTrailBody(externalId, {}, { filterRule: 'ec2:(Run' }), 'cloudTrail.filterRule'],
      [ec2Body(externalId, {}, { metricFilterRegex: '(?<' }), 'ec2.metricFilterRegex'],
      [ec2Body(externalId, {}, { pointTagFilterRegex: 'a{2,1}' }), 'ec2.pointTagFilterRegex'],
    ];
    for (const [body, field] of cases) assertError(await call('POST', URL, body), 400, field, 'regular expression');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('regular expressions run on RE2: lookaround and backreferences are a 400 naming the field and the reason', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const cases: Array<[unknown, string, string]> = [
      [cloudWatchBody(externalId, {}, { metricFilterRegex: 'aws\\.(?=ec2).*' }), 'cloudWatch.metricFilterRegex', '(?='],
      [cloudWatchBody(externalId, {}, { pointTagFilterRegex: '(env)\\1' }), 'cloudWatch.pointTagFilterRegex', '\\1'],
      [cloudWatchBody(externalId, {}, { s3BucketNameFilterRegex: '(?<!logs)-bucket' }), 'cloudWatch.s3BucketNameFilterRegex', '(?<!'],
      [cloudTrailBody(externalId, {}, { filterRule: '^(?!ec2).*' }), 'cloudTrail.filterRule', '(?!'],
      [ec2Body(externalId, {}, { metricFilterRegex: '(?<=aws\\.)ec2' }), 'ec2.metricFilterRegex', '(?<='],
    ];
    for (const [body, field, reason] of cases) {
      const res = await call('POST', URL, body);
      assertError(res, 400, field, 'RE2');
      assert.ok(JSON.stringify(res.body).includes(JSON.stringify(reason).slice(1, -1)), `the reason names ${reason}: ${JSON.stringify(res.body)}`);
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('tag expressions must be key=value lists', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', URL, cloudWatchBody(externalId, {}, { instanceSelectionTagsExpr: 'env=prod, oops' })), 400, 'instanceSelectionTagsExpr');
    assertError(await call('POST', URL, ec2Body(externalId, {}, { volumeSelectionTagsExpr: '=value' })), 400, 'volumeSelectionTagsExpr');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('serviceRefreshRateInMins: 1 to 1440, default 5; anything else is a 400 naming it', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const value of [0, -5, 1441, 1.5, '5', null, true, 1e20]) {
      assertError(await call('POST', URL, cloudWatchBody(externalId, { serviceRefreshRateInMins: value })), 400, 'serviceRefreshRateInMins');
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
    for (const value of [1, 1440, 15]) {
      const created = await createIntegration(call, cloudWatchBody(externalId, { serviceRefreshRateInMins: value }));
      assert.equal(created.serviceRefreshRateInMins, value);
      assert.equal(ok(await call('GET', `${URL}/${created.id}`)).serviceRefreshRateInMins, value);
    }
    assert.equal((await createIntegration(call, cloudWatchBody(externalId))).serviceRefreshRateInMins, 5);
  });

  test('forceSave is accepted and never stored: it always reads false', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, { forceSave: true }));
    assert.equal(created.forceSave, false);
    assert.equal(ok(await call('GET', `${URL}/${created.id}`)).forceSave, false);
    const stored = await testApp.database.pool.query('SELECT t::text AS row FROM integrations t WHERE id = $1', [created.id]);
    assert.doesNotMatch(stored.rows[0].row, /forceSave/);
    assertError(await call('POST', URL, cloudWatchBody(externalId, { forceSave: 'yes' })), 400, 'forceSave');
  });

  test('every optional field reads back exactly as stored', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const cloudWatch = {
      baseCredentials: { roleArn: ROLE_ARN, externalId },
      namespaces: ['AWS/EC2', 'ec2', 'AWS/ApplicationELB', 'Custom/App'],
      metricFilterRegex: '^aws\\.(ec2|elb)\\..*$',
      pointTagFilterRegex: '^(env|team)$',
      instanceSelectionTags: { env: 'prod', team: 'core' },
      instanceSelectionTagsExpr: 'env=prod, env=staging, team=core',
      volumeSelectionTags: { backup: 'true' },
      volumeSelectionTagsExpr: 'backup=true',
      s3BucketNameFilterRegex: '^logs-',
      threadDistributionInMins: 3,
    };
    const cw = await createIntegration(call, { name: 'full cw', service: 'CLOUDWATCH', serviceRefreshRateInMins: 10, additionalTags: { env: 'prod', 'k/with.odd chars': 'v=1' }, cloudWatch });
    assert.deepEqual(cw.cloudWatch, cloudWatch);
    assert.deepEqual(cw.additionalTags, { env: 'prod', 'k/with.odd chars': 'v=1' });
    assert.deepEqual(ok(await call('GET', `${URL}/${cw.id}`)).cloudWatch, cloudWatch);

    const ec2 = {
      baseCredentials: { roleArn: ROLE_ARN, externalId },
      hostNameTags: ['Name', 'hostname'],
      instanceSelectionTagsExpr: 'env=prod',
      volumeSelectionTagsExpr: 'env=prod',
      metricFilterRegex: 'cpu',
      pointTagFilterRegex: '.*',
      customNamespaces: ['LIMITS'],
    };
    const e = await createIntegration(call, { name: 'full ec2', service: 'EC2', ec2 });
    assert.deepEqual(ok(await call('GET', `${URL}/${e.id}`)).ec2, ec2);

    const empty = await createIntegration(call, { name: 'empty lists', service: 'EC2', additionalTags: {}, ec2: { baseCredentials: { roleArn: ROLE_ARN, externalId }, hostNameTags: [], customNamespaces: [] } });
    const emptyRead = ok(await call('GET', `${URL}/${empty.id}`));
    assert.deepEqual(emptyRead.ec2.hostNameTags, []);
    assert.deepEqual(emptyRead.ec2.customNamespaces, []);
    assert.deepEqual(emptyRead.additionalTags, {});
  });

  test('reads invent nothing: unset hostNameTags, namespaces and tags stay unset', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const e = ok(await call('GET', `${URL}/${(await createIntegration(call, ec2Body(externalId))).id}`));
    assert.deepEqual(Object.keys(e.ec2), ['baseCredentials']);
    assert.ok(!('hostNameTags' in e.ec2));
    assert.ok(!('additionalTags' in e));
    const cw = ok(await call('GET', `${URL}/${(await createIntegration(call, cloudWatchBody(externalId))).id}`));
    assert.deepEqual(Object.keys(cw.cloudWatch), ['baseCredentials']);
    const list = ok(await call('GET', URL));
    assert.ok(list.items.every((i: any) => !('hostNameTags' in (i.ec2 ?? {})) && !('namespaces' in (i.cloudWatch ?? {}))));
  });

  test('unknown fields are ignored and not stored, at every level', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const body = {
      ...cloudWatchBody(externalId),
      surprise: 'top',
      gcp: { projectId: 'p' },
      cloudTrail: { bucketName: 'other-service-config' },
      ec2: { hostNameTags: ['x'] },
      cloudWatch: { baseCredentials: { roleArn: ROLE_ARN, externalId, secretKey: 'leak?' }, namespaces: ['AWS/EC2'], bogus: 1 },
    };
    const created = await createIntegration(call, body);
    const read = ok(await call('GET', `${URL}/${created.id}`));
    for (const it of [created, read]) {
      assert.ok(!('surprise' in it) && !('gcp' in it) && !('cloudTrail' in it) && !('ec2' in it));
      assert.deepEqual(it.cloudWatch, { baseCredentials: { roleArn: ROLE_ARN, externalId }, namespaces: ['AWS/EC2'] });
    }
    const stored = await testApp.database.pool.query('SELECT t::text AS row FROM integrations t WHERE id = $1', [created.id]);
    assert.doesNotMatch(stored.rows[0].row, /surprise|bogus|leak|other-service-config|projectId/);
  });

  test('read-only fields on create are ignored', async () => {
    const { call, customerId } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, cloudWatchBody(externalId, {
      id: '11111111-1111-1111-1111-111111111111',
      creatorId: 'mallory',
      updaterId: 'mallory',
      createdEpochMillis: 1,
      updatedEpochMillis: 2,
      disabled: true,
      deleted: true,
      inTrash: true,
      lastError: 'boom',
      lastErrorMs: 3,
      lastErrorEvent: null,
      lastMetricCount: 4,
      lastProcessingTimestamp: 5,
      lastProcessorId: 'replica-x',
      lastReceivedDataPointMs: 6,
    }));
    assert.notEqual(created.id, '11111111-1111-1111-1111-111111111111');
    assert.equal(created.creatorId, `writer-${customerId}`);
    assert.equal(created.createdEpochMillis, clock.now());
    assert.equal(created.disabled, false);
    assert.equal(created.inTrash, false);
    assert.equal(created.deleted, false);
    for (const key of ['lastError', 'lastErrorMs', 'lastErrorEvent', 'lastMetricCount', 'lastProcessingTimestamp', 'lastProcessorId', 'lastReceivedDataPointMs']) {
      assert.ok(!(key in created), key);
    }
    assertError(await call('GET', `${URL}/11111111-1111-1111-1111-111111111111`), 404);
    assert.equal(ok(await call('GET', URL)).totalItems, 1, 'listed: not in the trash');
  });

  test('wrong JSON types are a 400 naming the field (the body is strictly typed)', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const cases: Array<[unknown, string]> = [
      [{ ...cloudWatchBody(externalId), name: 42 }, 'name'],
      [{ ...cloudWatchBody(externalId), service: ['CLOUDWATCH'] }, 'service'],
      [cloudWatchBody(externalId, { additionalTags: { env: 1 } }), 'additionalTags'],
      [cloudWatchBody(externalId, { additionalTags: ['env=prod'] }), 'additionalTags'],
      [{ ...cloudWatchBody(externalId), cloudWatch: 'arn:aws:iam::123456789012:role/x' }, 'cloudWatch'],
      [cloudWatchBody(externalId, {}, { namespaces: 'AWS/EC2' }), 'namespaces'],
      [cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: ROLE_ARN, externalId: 1234 } }), 'externalId'],
      [cloudWatchBody(externalId, {}, { threadDistributionInMins: '3' }), 'threadDistributionInMins'],
      [ec2Body(externalId, {}, { hostNameTags: [1, 2] }), 'hostNameTags'],
      [cloudTrailBody(externalId, {}, { region: 1 }), 'region'],
    ];
    for (const [body, field] of cases) assertError(await call('POST', URL, body), 400, field);
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('overlong strings and oversized collections are a 400', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const cases: Array<[unknown, string]> = [
      [{ ...cloudWatchBody(externalId), name: 'n'.repeat(257) }, 'name'],
      [cloudWatchBody(externalId, {}, { metricFilterRegex: 'a'.repeat(1025) }), 'metricFilterRegex'],
      [cloudTrailBody(externalId, {}, { bucketName: 'b'.repeat(64) }), 'bucketName'],
      [cloudWatchBody(externalId, { additionalTags: { ['k'.repeat(129)]: 'v' } }), 'additionalTags'],
      [cloudWatchBody(externalId, { additionalTags: { k: 'v'.repeat(257) } }), 'additionalTags'],
      [cloudWatchBody(externalId, { additionalTags: many }), 'additionalTags'],
      [cloudWatchBody(externalId, {}, { baseCredentials: { roleArn: ROLE_ARN, externalId: 'e'.repeat(65) } }), 'externalId'],
      [cloudWatchBody(externalId, {}, { namespaces: Array.from({ length: 201 }, (_, i) => `NS/${i}`) }), 'namespaces'],
    ];
    for (const [body, field] of cases) assertError(await call('POST', URL, body), 400, field);
    assert.equal(await integrationCount(testApp, customerId), 0);
    const longest = await createIntegration(call, { ...cloudWatchBody(externalId), name: 'n'.repeat(256) });
    assert.equal(longest.name.length, 256);
  });

  test('blank entries in namespaces, hostNameTags and customNamespaces are a 400', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    assertError(await call('POST', URL, cloudWatchBody(externalId, {}, { namespaces: ['AWS/EC2', ''] })), 400, 'namespaces');
    assertError(await call('POST', URL, ec2Body(externalId, {}, { hostNameTags: [' '] })), 400, 'hostNameTags');
    assertError(await call('POST', URL, ec2Body(externalId, {}, { customNamespaces: [''] })), 400, 'customNamespaces');
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('text PostgreSQL cannot store (NUL, unpaired surrogates) is a 400, not a 500', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const externalId = await issueExternalId(call);
    for (const body of [
      { ...cloudWatchBody(externalId), name: 'a\u0000b' },
      cloudWatchBody(externalId, { additionalTags: { env: '\ud800' } }),
      cloudWatchBody(externalId, { additionalTags: { '\udc00': 'v' } }),
      cloudWatchBody(externalId, {}, { namespaces: ['AWS/\u0000'] }),
    ]) {
      assertError(await call('POST', URL, body), 400);
    }
    assert.equal(await integrationCount(testApp, customerId), 0);
    const emoji = await createIntegration(call, { ...cloudWatchBody(externalId), name: 'prod 🚀 Zürich \\u0000 literal' });
    assert.equal(ok(await call('GET', `${URL}/${emoji.id}`)).name, 'prod 🚀 Zürich \\u0000 literal');
  });

  test('the name is stored exactly as sent', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = await issueExternalId(call);
    const created = await createIntegration(call, { ...cloudWatchBody(externalId), name: '  padded  ' });
    assert.equal(ok(await call('GET', `${URL}/${created.id}`)).name, '  padded  ');
  });
});

describe('disable and enable', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });

  async function nextRunAt(id: string): Promise<number> {
    const res = await ctx().database.pool.query('SELECT next_run_at FROM integrations WHERE id = $1', [id]);
    return (res.rows[0].next_run_at as Date).getTime();
  }

  async function make(call: Call) {
    return createIntegration(call, cloudWatchBody(await issueExternalId(call)));
  }

  test('a new integration is due for collection at once', async () => {
    const { call } = await tenant(ctx().app);
    const created = await make(call);
    assert.equal(await nextRunAt(created.id), clock.now());
  });

  test('disable sets disabled; it stays listed and searchable; enable clears it and schedules a collection at once', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const created = await make(call);
    clock.advance(60_000);
    const disabled = ok(await call('POST', `${URL}/${created.id}/disable`));
    assert.equal(disabled.disabled, true);
    assert.equal(disabled.updatedEpochMillis, clock.now());
    assert.equal(ok(await call('GET', `${URL}/${created.id}`)).disabled, true);
    assert.equal(ok(await call('GET', URL)).items[0].disabled, true);
    const search = ok(await call('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'disabled', value: 'true', matchingMethod: 'EXACT' }] }));
    assert.deepEqual(search.items.map((i: any) => i.id), [created.id]);
    assert.equal(ok(await call('POST', `${URL}/${created.id}/disable`)).disabled, true, 'disable is idempotent');

    // The scheduler had pushed the next run far out; enable brings it to now.
    await testApp.database.pool.query("UPDATE integrations SET next_run_at = now() + interval '7 days' WHERE customer_id = $1", [customerId]);
    clock.advance(5 * 60_000);
    const enabled = ok(await call('POST', `${URL}/${created.id}/enable`));
    assert.equal(enabled.disabled, false);
    assert.equal(await nextRunAt(created.id), clock.now());
    assert.equal(ok(await call('GET', `${URL}/${created.id}`)).disabled, false);
    assert.equal(ok(await call('POST', `${URL}/${created.id}/enable`)).disabled, false, 'enable is idempotent');
  });

  test('enable of an integration that is already enabled still schedules a collection at once', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const created = await make(call);
    await testApp.database.pool.query("UPDATE integrations SET next_run_at = now() + interval '1 day' WHERE id = $1", [created.id]);
    clock.advance(1000);
    ok(await call('POST', `${URL}/${created.id}/enable`));
    assert.equal(await nextRunAt(created.id), clock.now());
  });

  test('the action POSTs answer the whole integration', async () => {
    const { call } = await tenant(ctx().app);
    const created = await make(call);
    const disabled = ok(await call('POST', `${URL}/${created.id}/disable`));
    assert.deepEqual({ ...disabled, disabled: false, updatedEpochMillis: created.updatedEpochMillis }, created);
  });
});
