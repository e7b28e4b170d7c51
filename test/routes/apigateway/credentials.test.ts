import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialsProviderError } from '@smithy/core/config';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole, type TestAws } from '../../helpers/aws.ts';
import { assertError, ok } from '../fixtures.ts';
import { accessKeyBody, BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';

async function setup(t: Pick<TestContext, 'after'>, env: Record<string, string> = {}, aws?: TestAws) {
  aws ??= await startTestAws(t);
  aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1', 'eu-west-1', 'ap-south-1'] });
  const testApp = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY, ...env } });
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const stored = async () => (await testApp.database.pool.query('SELECT count(*)::int AS n FROM apigateway_connections')).rows[0].n as number;
  const calls = (filter: Parameters<TestAws['sim']['callCount']>[0]) => aws.sim.callCount(filter);
  return { aws, api, externalId, stored, calls, ...testApp };
}

describe('the credentials check on write', () => {
  test('ROLE: AssumeRole with the external ID, then one GetRestApis in the first region, then stored', async (t) => {
    const { aws, api, externalId, stored, calls } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const created = ok(await api('POST', BASE, roleBody(externalId, { regions: ['eu-west-1', 'us-east-1'] }, roleArn)));
    assert.equal(created.credentials.roleArn, roleArn);
    assert.equal(calls({ service: 'sts', api: 'AssumeRole', accountId: ACCOUNT, error: false }), 1);
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', accountId: ACCOUNT, region: 'eu-west-1', error: false }), 1);
    assert.equal(calls({ service: 'apigateway' }), 1, 'nothing else');
    assert.equal(await stored(), 1);
  });

  test('ROLE with ["*"]: GetRestApis in the STS region', async (t) => {
    const { aws, api, externalId, calls } = await setup(t);
    ok(await api('POST', BASE, roleBody(externalId, { regions: ['*'] }, trustedRole(aws, ACCOUNT, externalId))));
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', region: 'us-east-1', error: false }), 1);
  });

  test('ROLE whose trust policy rejects the external ID: 400 naming AccessDenied, sts:AssumeRole and what to fix; nothing stored', async (t) => {
    const { aws, api, externalId, stored, calls } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, 'another-external-id');
    const message = assertError(await api('POST', BASE, roleBody(externalId, {}, roleArn)), 400, 'AccessDenied', 'sts:AssumeRole', 'trust policy', `sts:ExternalId = "${externalId}"`, 'forceSave');
    assert.ok(message.includes(roleArn));
    assert.equal(calls({ service: 'apigateway' }), 0, 'no API Gateway call after a failed AssumeRole');
    assert.equal(await stored(), 0);
  });

  test('a role that may not call API Gateway: 400 naming the AWS error code and the policy to attach; nothing stored', async (t) => {
    const { aws, api, externalId, stored } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    aws.sim.denyRole(roleArn, { service: 'apigateway', api: 'GetRestApis' });
    assertError(await api('POST', BASE, roleBody(externalId, {}, roleArn)), 400, 'AccessDeniedException', 'apigateway:GetRestApis', '/policy');
    assert.equal(await stored(), 0);
  });

  test('ACCESS_KEY: GetCallerIdentity with the keys, GetRestApis as that user; a wrong secret or unknown key is a 400 naming the code', async (t) => {
    const { aws, api, stored, calls } = await setup(t);
    const user = aws.sim.createUser({ accountId: ACCOUNT, name: 'gravitee-agent' });
    ok(await api('POST', BASE, accessKeyBody(user.accessKeyId, user.secretAccessKey)));
    assert.equal(calls({ service: 'sts', api: 'GetCallerIdentity', principal: user.arn, error: false }), 1);
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', principal: user.arn, error: false }), 1);

    assertError(await api('POST', BASE, accessKeyBody(user.accessKeyId, 'not-the-secret')), 400, 'SignatureDoesNotMatch', 'sts:GetCallerIdentity', user.accessKeyId);
    assertError(await api('POST', BASE, accessKeyBody('AKIAUNKNOWN000000000', 'whatever')), 400, 'InvalidClientTokenId', 'AKIAUNKNOWN000000000');
    assert.equal(await stored(), 1);
  });

  test('ACCESS_KEY with a role: the keys assume the role (with the external ID), then API Gateway as the role', async (t) => {
    const { aws, api, externalId, calls } = await setup(t);
    const user = aws.sim.createUser({ accountId: '111122223333', name: 'boomi-agent' });
    const role = aws.sim.createRole({ accountId: ACCOUNT, name: 'ApiReader', trustedPrincipals: [user.arn], externalId });
    ok(await api('POST', BASE, accessKeyBody(user.accessKeyId, user.secretAccessKey, { credentials: { type: 'ACCESS_KEY', accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, roleArn: role.arn, externalId } })));
    assert.equal(calls({ service: 'sts', api: 'AssumeRole', principal: user.arn, error: false }), 1);
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', accountId: ACCOUNT, error: false }), 1);
  });

  test('AMBIENT is a 403 saying why unless SKYPORT_AMBIENT_CUSTOMERS names the customer', async (t) => {
    const { api, stored } = await setup(t);
    const body = { name: 'ambient', credentials: { type: 'AMBIENT' }, regions: ['us-east-1'], forceSave: true };
    assertError(await api('POST', BASE, body), 403, "server's own AWS identity", 'SKYPORT_AMBIENT_CUSTOMERS', '"default"');
    assert.equal(await stored(), 0);
  });

  test('AMBIENT allowed for a listed customer: GetCallerIdentity and GetRestApis as Skyport itself', async (t) => {
    const { aws, api, calls } = await setup(t, { SKYPORT_AMBIENT_CUSTOMERS: 'acme, default' });
    const created = ok(await api('POST', BASE, { name: 'ambient', credentials: { type: 'AMBIENT' }, regions: ['us-east-1'] }));
    assert.deepEqual(created.credentials, { type: 'AMBIENT' });
    assert.equal(calls({ service: 'sts', api: 'GetCallerIdentity', principal: aws.skyportArn, error: false }), 1);
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', principal: aws.skyportArn, error: false }), 1);
    assert.equal(ok(await api('GET', `${BASE}/${created.id}/policy`)).trustPolicy, null);
  });

  test('AMBIENT with a role: Skyport\'s identity assumes it (with the external ID) before API Gateway is called', async (t) => {
    const { aws, api, externalId, calls } = await setup(t, { SKYPORT_AMBIENT_CUSTOMERS: '*' });
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const created = ok(await api('POST', BASE, { name: 'ambient role', credentials: { type: 'AMBIENT', roleArn, externalId }, regions: ['us-east-1'] }));
    assert.deepEqual(created.credentials, { type: 'AMBIENT', roleArn, externalId });
    assert.equal(calls({ service: 'sts', api: 'GetCallerIdentity', principal: aws.skyportArn, error: false }), 1);
    assert.equal(calls({ service: 'sts', api: 'AssumeRole', accountId: ACCOUNT, error: false }), 1);
    assert.equal(calls({ service: 'apigateway', api: 'GetRestApis', accountId: ACCOUNT, error: false }), 1);
    const trust = ok(await api('GET', `${BASE}/${created.id}/policy`)).trustPolicy;
    assert.equal(trust.Statement[0].Condition.StringEquals['sts:ExternalId'], externalId);
  });

  test('Skyport without AWS credentials of its own: AMBIENT and ROLE are 503s that say so, never a 400; nothing stored', async (t) => {
    const aws = await startTestAws(t);
    // What the SDK's default chain throws on a host with no AWS identity at all.
    aws.settings = { ...aws.settings, credentials: async () => { throw new CredentialsProviderError('Could not load credentials from any providers'); } };
    const { api, externalId, stored } = await setup(t, { SKYPORT_AMBIENT_CUSTOMERS: '*' }, aws);
    const ambient = await api('POST', BASE, { name: 'ambient', credentials: { type: 'AMBIENT' }, regions: ['us-east-1'] });
    assertError(ambient, 503, 'Skyport itself has no usable AWS credentials', 'CredentialsProviderError');
    const role = await api('POST', BASE, roleBody(externalId, {}, `arn:aws:iam::${ACCOUNT}:role/SkyportIntegration`));
    assertError(role, 503, 'Skyport itself has no usable AWS credentials', 'sts:AssumeRole');
    assert.equal(await stored(), 0);
  });

  test("Skyport's own key rejected by AWS: a ROLE create is a 503 naming the code, not a 400 about the role", async (t) => {
    const aws = await startTestAws(t);
    aws.settings = { ...aws.settings, credentials: { accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x'.repeat(40) } };
    const { api, externalId } = await setup(t, {}, aws);
    assertError(await api('POST', BASE, roleBody(externalId, {}, trustedRole(aws, ACCOUNT, externalId))), 503, 'InvalidClientTokenId', 'Skyport itself');
  });

  test('throttling or a 5xx from AWS is a 503 with Retry-After; nothing stored; the same request then succeeds', async (t) => {
    const { aws, api, externalId, stored } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    for (const [service, apiName, kind] of [['apigateway', 'GetRestApis', 'throttle'], ['sts', 'AssumeRole', 'server-error']] as const) {
      aws.sim.addFault({ kind, service, api: apiName, count: 1 });
      const res = await api('POST', BASE, roleBody(externalId, {}, roleArn));
      assertError(res, 503, 'nothing was stored');
      assert.ok(res.headers['retry-after'], 'says when to retry');
    }
    assert.equal(await stored(), 0);
    ok(await api('POST', BASE, roleBody(externalId, {}, roleArn)));
  });

  test('PUT checks only when the credentials change, and forceSave skips it', async (t) => {
    const { aws, api, externalId, calls } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const created = ok(await api('POST', BASE, roleBody(externalId, {}, roleArn)));
    const assumeRoles = () => calls({ service: 'sts', api: 'AssumeRole' });
    assert.equal(assumeRoles(), 1);

    ok(await api('PUT', `${BASE}/${created.id}`, roleBody(undefined, { name: 'renamed', regions: ['ap-south-1'] }, roleArn)));
    assert.equal(assumeRoles(), 1, 'same credentials: no AWS call');

    const untrusted = aws.sim.createRole({ accountId: ACCOUNT, name: 'Untrusted', trustedPrincipals: ['arn:aws:iam::123456789012:root'], externalId }).arn;
    assertError(await api('PUT', `${BASE}/${created.id}`, roleBody(undefined, {}, untrusted)), 400, 'AccessDenied');
    assert.equal(assumeRoles(), 2);
    assert.equal(ok(await api('GET', `${BASE}/${created.id}`)).credentials.roleArn, roleArn, 'nothing changed');

    const moved = ok(await api('PUT', `${BASE}/${created.id}`, roleBody(undefined, { forceSave: true }, untrusted)));
    assert.equal(moved.credentials.roleArn, untrusted);
    assert.equal(moved.credentials.externalId, externalId);
    assert.equal(assumeRoles(), 2, 'forceSave: no AWS call');
  });
});

describe('GET …/policy and POST …/check', () => {
  test('the policy covers the features switched on; the trust policy names SKYPORT_AWS_PRINCIPAL_ARN and the external ID', async (t) => {
    const principal = 'arn:aws:iam::999988887777:role/skyport-server';
    const { api, externalId } = await setup(t, { SKYPORT_AWS_PRINCIPAL_ARN: principal });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/SkyportApiGateway`;
    const plain = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['eu-west-1'] }, roleArn)));
    const policy = ok(await api('GET', `${BASE}/${plain.id}/policy`));
    assert.deepEqual(policy.permissionsPolicy.Statement, [
      {
        Sid: 'SkyportApiGatewayInventory',
        Effect: 'Allow',
        Action: ['apigateway:GET'],
        Resource: ['/restapis', '/restapis/*', '/apis', '/apis/*'].map((p) => `arn:aws:apigateway:eu-west-1::${p}`),
      },
    ]);
    assert.deepEqual(policy.trustPolicy, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } }],
    });

    const full = ok(
      await api('POST', BASE, roleBody(externalId, {
        forceSave: true, regions: ['*'], subscriptions: { enabled: true }, traffic: { enabled: true, logGroups: ['/aws/apigw/orders'] },
      }, roleArn)),
    );
    const fullPolicy = ok(await api('GET', `${BASE}/${full.id}/policy`));
    const bySid = Object.fromEntries(fullPolicy.permissionsPolicy.Statement.map((s: any) => [s.Sid, s]));
    assert.deepEqual(bySid.SkyportEnabledRegions.Action, ['ec2:DescribeRegions']);
    assert.deepEqual(bySid.SkyportUsagePlansRead.Resource, ['arn:aws:apigateway:*::/usageplans', 'arn:aws:apigateway:*::/usageplans/*']);
    assert.deepEqual(bySid.SkyportApiKeysCreate, { Sid: 'SkyportApiKeysCreate', Effect: 'Allow', Action: ['apigateway:POST'], Resource: ['arn:aws:apigateway:*::/apikeys', 'arn:aws:apigateway:*::/usageplans/*/keys'] });
    assert.deepEqual(bySid.SkyportApiKeysRevoke.Resource, ['arn:aws:apigateway:*::/apikeys/*', 'arn:aws:apigateway:*::/usageplans/*/keys/*']);
    assert.deepEqual(bySid.SkyportApiKeysSuspend.Action, ['apigateway:PATCH']);
    assert.deepEqual(bySid.SkyportAccessLogsRead.Action, ['logs:FilterLogEvents', 'logs:DescribeLogGroups']);
    assert.deepEqual(bySid.SkyportAccessLogsRead.Resource, [`arn:aws:logs:*:${ACCOUNT}:log-group:/aws/apigw/orders:*`]);
    assert.match(fullPolicy.recommendedAccessLogFormat, /\$context\.responseLatency/);
    assert.ok(fullPolicy.notes.some((n: string) => n.includes('access logging')));
  });

  test('without SKYPORT_AWS_PRINCIPAL_ARN the trust policy has a placeholder and a note; access keys without a role have no trust policy', async (t) => {
    const { api, externalId } = await setup(t);
    const role = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true })));
    const policy = ok(await api('GET', `${BASE}/${role.id}/policy`));
    assert.equal(policy.trustPolicy.Statement[0].Principal.AWS, 'REPLACE-WITH-SKYPORT-PRINCIPAL-ARN');
    assert.ok(policy.notes.some((n: string) => n.includes('SKYPORT_AWS_PRINCIPAL_ARN')));
    const keys = ok(await api('POST', BASE, accessKeyBody('AKIAEXAMPLE000000001', 'secret', { forceSave: true })));
    const keysPolicy = ok(await api('GET', `${BASE}/${keys.id}/policy`));
    assert.equal(keysPolicy.trustPolicy, null);
    assert.deepEqual(keysPolicy.permissionsPolicy.Statement[0].Resource[0], 'arn:aws:apigateway:us-east-1::/restapis');
  });

  test('check: one call per region × feature, each ok or with its AWS error code; nothing changes', async (t) => {
    const { aws, api, externalId, calls } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const created = ok(await api('POST', BASE, roleBody(externalId, {
      forceSave: true, regions: ['us-east-1', 'eu-west-1'], subscriptions: { enabled: true }, traffic: { enabled: true },
    }, roleArn)));
    aws.sim.addFault({ kind: 'access-denied', service: 'apigateway', api: 'GetUsagePlans', region: 'eu-west-1' });
    const result = ok(await api('POST', `${BASE}/${created.id}/check`));
    const rows = result.rows.map((r: any) => `${r.region} ${r.feature} ${r.operation} ${r.ok ? 'ok' : r.errorCode}`);
    assert.deepEqual(rows, [
      'us-east-1 inventory apigateway:GetRestApis ok',
      'us-east-1 subscriptions apigateway:GetUsagePlans ok',
      'us-east-1 inventory apigatewayv2:GetApis ok',
      'us-east-1 traffic logs:DescribeLogGroups ok',
      'eu-west-1 inventory apigateway:GetRestApis ok',
      'eu-west-1 subscriptions apigateway:GetUsagePlans AccessDeniedException',
      'eu-west-1 inventory apigatewayv2:GetApis ok',
      'eu-west-1 traffic logs:DescribeLogGroups ok',
    ]);
    assert.equal(result.ok, false);
    assert.match(result.rows[5].message, /\/policy/);
    assert.equal(calls({ service: 'logs', api: 'DescribeLogGroups', accountId: ACCOUNT }), 2);
    assert.deepEqual(ok(await api('GET', `${BASE}/${created.id}`)), created, 'the check changes nothing');
  });

  test('check with ["*"]: the account\'s enabled regions from EC2, then the calls per region', async (t) => {
    const { aws, api, externalId } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const created = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['*'], apiTypes: ['REST'] }, roleArn)));
    const result = ok(await api('POST', `${BASE}/${created.id}/check`));
    assert.equal(result.ok, true);
    assert.deepEqual(result.rows.map((r: any) => r.region).sort(), ['ap-south-1', 'eu-west-1', 'us-east-1']);
  });

  test('check with credentials AWS rejects: one failing credentials row, no API Gateway call', async (t) => {
    const { aws, api, externalId, calls } = await setup(t);
    const roleArn = trustedRole(aws, ACCOUNT, 'not-this-one');
    const created = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true }, roleArn)));
    const result = ok(await api('POST', `${BASE}/${created.id}/check`));
    assert.equal(result.ok, false);
    assert.equal(result.rows.length, 1);
    assert.deepEqual([result.rows[0].feature, result.rows[0].operation, result.rows[0].errorCode], ['credentials', 'sts:AssumeRole', 'AccessDenied']);
    assert.equal(calls({ service: 'apigateway' }), 0);
  });
});
