import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { ok } from '../fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';

async function setup(t: Pick<TestContext, 'after'>, extra: Record<string, unknown> = {}, trustExternalId = true) {
  const aws = await startTestAws(t);
  aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1', 'eu-west-1'] });
  const testApp = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  t.after(() => testApp.app.apigateway.sync.idle());
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const roleArn = trustedRole(aws, ACCOUNT, trustExternalId ? externalId : 'some-other-external-id');
  const conn = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['us-east-1'], ...extra }, roleArn)));
  const sync = async () => {
    const res = await api('POST', `${BASE}/${conn.id}/sync?wait=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.response;
  };
  const apis = async () => ok(await api('GET', '/api/v2/apigatewayapi?limit=1000')).items;
  const endpoints = async (id: string, query = '') => ok(await api('GET', `/api/v2/apigatewayapi/${id}/endpoint?limit=1000${query}`)).items;
  return { sim: aws.sim, api, conn, sync, apis, endpoints, app: testApp.app };
}

describe('API Gateway sync cases', () => {
  test('the scheduler claims a due connection once per syncIntervalMins', async (t) => {
    const { sim, api, conn, app } = await setup(t, { syncIntervalMins: 30 });
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
    assert.equal(await app.apigateway.sync.tick(), 1, 'a new connection is due at once');
    await app.apigateway.sync.idle();
    const runs = ok(await api('GET', `${BASE}/${conn.id}/sync`));
    assert.deepEqual(runs.items.map((r: { status: string }) => r.status), ['OK']);
    assert.equal(await app.apigateway.sync.tick(), 0, 'not due again before its interval');
    const read = ok(await api('GET', `${BASE}/${conn.id}`));
    assert.equal(read.apiCount, 1);
    assert.equal(read.endpointCount, 1);
  });

  test('a stage filter keeps out what it excludes', async (t) => {
    const { sim, sync, apis, api } = await setup(t, { stages: { include: ['prod*', 'beta'], exclude: ['prod-old'] } });
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod', 'prod-old', 'prod-eu', 'beta', 'dev'] });
    const run = await sync();
    assert.equal(run.status, 'OK');
    assert.equal(run.awsCalls['apigateway:GetExport'], 3, 'excluded stages are not exported either');
    const [shop] = await apis();
    const one = ok(await api('GET', `/api/v2/apigatewayapi/${shop.id}`));
    assert.deepEqual(one.stages.map((s: { name: string }) => s.name), ['beta', 'prod', 'prod-eu']);
  });

  test('an apiFilter name regex keeps out other APIs', async (t) => {
    const { sim, sync, apis } = await setup(t, { apiFilter: { nameRegex: '^pay' } });
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'payments', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
    await sync();
    assert.deepEqual((await apis()).map((a: { name: string }) => a.name), ['payments']);
  });

  test("an HTTP API's routes are endpoints even when ExportApi fails", async (t) => {
    const { sim, sync, apis, endpoints, api } = await setup(t);
    sim.apigateway.createHttpApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'items', routes: ['GET /items/{id}', '$default'], stages: ['$default'] });
    sim.addFault({ kind: 'server-error', service: 'apigatewayv2', api: 'ExportApi', code: 'BadRequestException', status: 400 });
    const run = await sync();
    assert.equal(run.status, 'OK', JSON.stringify(run));
    const [items] = await apis();
    assert.deepEqual((await endpoints(items.id)).map((e: { method: string; path: string }) => `${e.method} ${e.path}`), ['ANY $default', 'GET /items/{id}']);
    const stage = ok(await api('GET', `/api/v2/apigatewayapi/${items.id}`)).stages[0];
    assert.equal(stage.specSource, 'ROUTES');
    assert.equal(stage.specSha256, null);
    assert.equal((await api('GET', `/api/v2/apigatewayapi/${items.id}/openapi?stage=$default`)).status, 404);
  });

  test('a Swagger 2.0 export with upper-case method keys parses', async (t) => {
    const { sim, sync, apis, endpoints, api } = await setup(t, { export: { enabled: true, format: 'swagger', extensions: 'none' } });
    sim.apigateway.createRestApi({
      accountId: ACCOUNT,
      region: 'us-east-1',
      name: 'legacy',
      upperCaseExportMethods: true,
      resources: [{ path: '/pets', methods: ['GET', 'POST'] }, { path: '/pets/{petId}', methods: [{ httpMethod: 'DELETE', authorizationType: 'AWS_IAM' }] }],
      stages: ['prod'],
    });
    await sync();
    const [legacy] = await apis();
    assert.deepEqual(
      (await endpoints(legacy.id)).map((e: { method: string; path: string; authorizationType: string }) => `${e.method} ${e.path} ${e.authorizationType}`),
      ['GET /pets NONE', 'POST /pets NONE', 'DELETE /pets/{petId} AWS_IAM'],
    );
    const doc = await api('GET', `/api/v2/apigatewayapi/${legacy.id}/openapi?stage=prod`);
    assert.equal(doc.body.swagger, '2.0');
    assert.ok(doc.body.paths['/pets'].GET, 'stored as AWS exported it');
  });

  test('when GetExport fails, the deployment summary gives the endpoints and specSource says so', async (t) => {
    const { sim, sync, apis, endpoints, api } = await setup(t);
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
    sim.addFault({ kind: 'access-denied', service: 'apigateway', api: 'GetExport' });
    const run = await sync();
    assert.equal(run.status, 'OK', JSON.stringify(run));
    const [shop] = await apis();
    assert.equal(ok(await api('GET', `/api/v2/apigatewayapi/${shop.id}`)).stages[0].specSource, 'DEPLOYMENT');
    assert.deepEqual((await endpoints(shop.id)).map((e: { method: string; path: string }) => `${e.method} ${e.path}`), ['GET /a']);
  });

  test('a role that rejects the external ID disables the connection with a credentials event', async (t) => {
    const { sim, sync, conn, api } = await setup(t, {}, false);
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', stages: ['prod'] });
    const run = await sync();
    assert.equal(run.status, 'FAILED');
    assert.match(run.error, /credentials: sts:AssumeRole: AccessDenied/);
    const read = ok(await api('GET', `${BASE}/${conn.id}`));
    assert.equal(read.disabled, true);
    assert.equal(read.lastErrorEvent.annotations.type, 'credentials-error');
    assert.equal(read.lastErrorEvent.annotations.credentialsId, conn.id);
    const events = ok(await api('GET', '/api/v2/event?earliestStartTimeEpochMillis=0&latestStartTimeEpochMillis=9999999999999'));
    assert.ok(events.items.some((e: { annotations: Record<string, string> }) => e.annotations.type === 'credentials-error' && e.annotations.credentialsId === conn.id));
    assert.equal((await api('POST', `${BASE}/${conn.id}/sync`)).status, 400, 'a disabled connection is not synced');
  });

  test('429s back off and never disable', async (t) => {
    const { sim, sync, conn, api, apis } = await setup(t);
    sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
    sim.addFault({ kind: 'throttle', service: 'apigateway', api: 'GetStages', count: 3 });
    const run = await sync();
    assert.equal(run.status, 'OK', JSON.stringify(run));
    assert.equal(run.throttled, 3);
    assert.equal(run.awsCalls['apigateway:GetStages'], 4, 'retried until it answered');
    assert.equal((await apis()).length, 1);
    assert.equal(ok(await api('GET', `${BASE}/${conn.id}`)).disabled, false);

    sim.addFault({ kind: 'throttle', service: 'apigateway', api: 'GetRestApis' });
    const throttledOut = await sync();
    assert.equal(throttledOut.status, 'FAILED');
    assert.match(throttledOut.regions['us-east-1'].error, /TooManyRequests/);
    const read = ok(await api('GET', `${BASE}/${conn.id}`));
    assert.equal(read.disabled, false, 'throttling never disables');
    assert.equal(read.apiCount, 1, 'the inventory stays as it was');
  });
});
