import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  APIGatewayClient,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetExportCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  paginateGetRestApis,
} from '@aws-sdk/client-api-gateway';
import { parse as parseYaml } from 'yaml';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, SKYPORT_ACCOUNT, world, type Credentials, type World } from './helpers.ts';

const LOG_ARN = `arn:aws:logs:us-east-1:${CUSTOMER_ACCOUNT}:log-group:access/prod`;
const LOG_FORMAT = '{"requestId":"$context.requestId","status":"$context.status"}';

type Doc = { openapi?: string; swagger?: string; basePath?: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
const parseDoc = (body: Uint8Array | undefined): Doc => JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8')) as Doc;

describe('API Gateway v1 (REST APIs)', () => {
  let w: World;
  let creds: Credentials;
  let apigw: APIGatewayClient;
  let petstoreId: string;

  before(async () => {
    w = await world();
    creds = await assume(w);
    apigw = new APIGatewayClient(cfg(w.sim, creds));
    petstoreId = w.sim.apigateway.createRestApi({
      accountId: CUSTOMER_ACCOUNT,
      region: 'us-east-1',
      name: 'petstore',
      description: 'pets',
      tags: { team: 'pets' },
      resources: [
        { path: '/pets', methods: ['GET', { httpMethod: 'POST', apiKeyRequired: true }] },
        { path: '/pets/{petId}', methods: [{ httpMethod: 'DELETE', authorizationType: 'AWS_IAM' }, 'ANY'] },
      ],
      stages: [{ name: 'prod', accessLogSettings: { destinationArn: LOG_ARN, format: LOG_FORMAT }, tags: { env: 'prod' } }, 'staging'],
    }).id;
  });
  beforeEach(() => {
    w.sim.apigateway.resetLimits();
    w.sim.clearFaults();
    w.sim.resetCounters();
  });
  after(async () => {
    apigw.destroy();
    await w.sim.close();
  });

  test('1,200 REST APIs page fully at limit 500 (3 pages) and at the default 25 (48 pages), each once', async () => {
    const seeded = w.sim.apigateway.seedRestApis({ accountId: CUSTOMER_ACCOUNT, region: 'eu-west-1', count: 1200, stages: ['prod', 'dev'] });
    const eu = new APIGatewayClient(cfg(w.sim, creds, 'eu-west-1'));
    // 48 default pages exceed the burst of 40: this test is about paging, the quota has its own test.
    w.sim.apigateway.setLimits({ enabled: false });
    try {
      const pageSizes = async (limit: number | undefined): Promise<{ sizes: number[]; ids: string[] }> => {
        const sizes: number[] = [];
        const ids: string[] = [];
        for await (const page of paginateGetRestApis({ client: eu, pageSize: limit }, {})) {
          sizes.push(page.items?.length ?? 0);
          ids.push(...(page.items ?? []).map((a) => a.id ?? ''));
        }
        return { sizes, ids };
      };
      const big = await pageSizes(500);
      assert.deepEqual(big.sizes, [500, 500, 200]);
      assert.equal(new Set(big.ids).size, 1200);
      assert.deepEqual([...big.ids].sort(), seeded.map((a) => a.id).sort());

      const small = await pageSizes(undefined);
      assert.equal(small.sizes.length, 48);
      assert.ok(small.sizes.every((n) => n === 25));
      assert.deepEqual(small.ids, big.ids, 'the same order whatever the page size');
      assert.equal(w.sim.callCount({ api: 'GetRestApis', region: 'eu-west-1' }), 51);

      // A limit above 500 is served as 500, never more.
      const capped = await eu.send(new GetRestApisCommand({ limit: 5000 }));
      assert.equal(capped.items?.length, 500);
      assert.ok(capped.position);

      // Another region of the same account holds only its own APIs.
      const east = await apigw.send(new GetRestApisCommand({ limit: 500 }));
      assert.deepEqual(east.items?.map((a) => a.name), ['petstore']);
      assert.equal(east.position, undefined, 'no position on the last page');
    } finally {
      eu.destroy();
      for (const a of seeded) w.sim.apigateway.deleteRestApi(a.id);
    }
  });

  test('a bad position or limit is BadRequestException', async () => {
    const e1 = await errorOf(() => apigw.send(new GetRestApisCommand({ position: 'not-a-position' })));
    assert.equal(e1.name, 'BadRequestException');
    assert.equal(e1.$metadata?.httpStatusCode, 400);
    const e2 = await errorOf(() => apigw.send(new GetRestApisCommand({ limit: 0 })));
    assert.equal(e2.name, 'BadRequestException');
  });

  test('GetRestApi, GetStages with access-log settings, GetStage', async () => {
    const api = await apigw.send(new GetRestApiCommand({ restApiId: petstoreId }));
    assert.equal(api.name, 'petstore');
    assert.equal(api.description, 'pets');
    assert.deepEqual(api.tags, { team: 'pets' });
    assert.deepEqual(api.endpointConfiguration?.types, ['REGIONAL']);
    assert.ok(api.createdDate instanceof Date);

    const stages = await apigw.send(new GetStagesCommand({ restApiId: petstoreId }));
    const byName = new Map((stages.item ?? []).map((s) => [s.stageName, s]));
    assert.deepEqual([...byName.keys()].sort(), ['prod', 'staging']);
    const prod = byName.get('prod');
    assert.deepEqual(prod?.accessLogSettings, { destinationArn: LOG_ARN, format: LOG_FORMAT });
    assert.deepEqual(prod?.tags, { env: 'prod' });
    assert.ok(prod?.lastUpdatedDate instanceof Date);
    assert.equal(byName.get('staging')?.accessLogSettings, undefined);
    assert.equal(prod?.deploymentId, byName.get('staging')?.deploymentId);

    const one = await apigw.send(new GetStageCommand({ restApiId: petstoreId, stageName: 'prod' }));
    assert.equal(one.deploymentId, prod?.deploymentId);
    const filtered = await apigw.send(new GetStagesCommand({ restApiId: petstoreId, deploymentId: 'nosuch' }));
    assert.deepEqual(filtered.item, []);
  });

  test('GetResources lists the draft with embed=methods; GetDeployment embed=apisummary lists what was deployed', async () => {
    const resources = await apigw.send(new GetResourcesCommand({ restApiId: petstoreId, embed: ['methods'], limit: 500 }));
    const byPath = new Map((resources.items ?? []).map((r) => [r.path, r]));
    assert.deepEqual([...byPath.keys()].sort(), ['/', '/pets', '/pets/{petId}']);
    assert.deepEqual(byPath.get('/pets/{petId}')?.resourceMethods?.DELETE, { httpMethod: 'DELETE', authorizationType: 'AWS_IAM', apiKeyRequired: false });
    assert.equal(byPath.get('/pets/{petId}')?.parentId, byPath.get('/pets')?.id);
    const plain = await apigw.send(new GetResourcesCommand({ restApiId: petstoreId }));
    assert.deepEqual(plain.items?.find((r) => r.path === '/pets')?.resourceMethods, { GET: {}, POST: {} });

    const stage = await apigw.send(new GetStageCommand({ restApiId: petstoreId, stageName: 'prod' }));
    const d = await apigw.send(new GetDeploymentCommand({ restApiId: petstoreId, deploymentId: stage.deploymentId, embed: ['apisummary'] }));
    assert.deepEqual(d.apiSummary?.['/pets'], { GET: { authorizationType: 'NONE', apiKeyRequired: false }, POST: { authorizationType: 'NONE', apiKeyRequired: true } });
    const bare = await apigw.send(new GetDeploymentCommand({ restApiId: petstoreId, deploymentId: stage.deploymentId }));
    assert.equal(bare.apiSummary, undefined);
  });

  test('GetExport in OAS 3 and Swagger 2.0 parses, with AWS method keys, security and extensions', async () => {
    const oas = await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'oas30', accepts: 'application/json' }));
    assert.equal(oas.contentType, 'application/json');
    const o = parseDoc(oas.body);
    assert.equal(o.openapi, '3.0.1');
    assert.deepEqual(Object.keys(o.paths).sort(), ['/pets', '/pets/{petId}']);
    assert.deepEqual(Object.keys(o.paths['/pets/{petId}']).sort(), ['delete', 'x-amazon-apigateway-any-method']);
    assert.deepEqual(o.paths['/pets'].post.security, [{ api_key: [] }]);
    assert.equal(o.paths['/pets'].get['x-amazon-apigateway-integration' as 'security'], undefined, 'no extensions unless asked');

    const sw = await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'swagger', accepts: 'application/json', parameters: { extensions: 'integrations' } }));
    const s = parseDoc(sw.body);
    assert.equal(s.swagger, '2.0');
    assert.equal(s.basePath, '/prod');
    assert.deepEqual(Object.keys(s.paths['/pets']).sort(), ['get', 'post']);
    assert.ok(s.paths['/pets'].get['x-amazon-apigateway-integration' as 'security'], 'integrations extension');

    const yaml = await apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'oas30', accepts: 'application/yaml' }));
    assert.equal(yaml.contentType, 'application/yaml');
    assert.equal((parseYaml(Buffer.from(yaml.body ?? new Uint8Array()).toString('utf8')) as Doc).openapi, '3.0.1');

    const bad = await errorOf(() => apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'raml' })));
    assert.equal(bad.name, 'BadRequestException');
  });

  test('GetExport reflects the deployment, not the draft, until the stage is redeployed', async () => {
    const api = w.sim.apigateway.createRestApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'drafts', resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod', 'beta'] });
    const before = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }));
    w.sim.apigateway.addResource({ restApiId: api.id, path: '/b', methods: ['PUT'] });

    const draft = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
    assert.ok(draft.items?.some((r) => r.path === '/b'), 'the draft has /b');
    const exported = parseDoc((await apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'prod', exportType: 'oas30' }))).body);
    assert.deepEqual(Object.keys(exported.paths), ['/a'], 'the deployed definition does not');

    const deployment = w.sim.apigateway.deployRestApi({ restApiId: api.id, stageName: 'prod' });
    const after = await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'prod' }));
    assert.equal(after.deploymentId, deployment.id);
    assert.notEqual(after.deploymentId, before.deploymentId);
    assert.ok((after.lastUpdatedDate?.getTime() ?? 0) >= (before.lastUpdatedDate?.getTime() ?? Infinity));
    const redeployed = parseDoc((await apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'prod', exportType: 'oas30' }))).body);
    assert.deepEqual(Object.keys(redeployed.paths).sort(), ['/a', '/b']);
    const beta = parseDoc((await apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'beta', exportType: 'swagger' }))).body);
    assert.deepEqual(Object.keys(beta.paths), ['/a'], 'the other stage keeps its deployment');

    const deployments = await apigw.send(new GetDeploymentsCommand({ restApiId: api.id }));
    assert.equal(deployments.items?.length, 2);
    w.sim.apigateway.deleteRestApi(api.id);
  });

  test('an upper-case-method quirk writes Swagger method keys as some imported specs have them', async () => {
    const api = w.sim.apigateway.createRestApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'shouty', upperCaseExportMethods: true, resources: [{ path: '/x', methods: ['GET', 'POST'] }], stages: ['v1'] });
    const doc = parseDoc((await apigw.send(new GetExportCommand({ restApiId: api.id, stageName: 'v1', exportType: 'swagger' }))).body);
    assert.deepEqual(Object.keys(doc.paths['/x']).sort(), ['GET', 'POST']);
    w.sim.apigateway.deleteRestApi(api.id);
  });

  test('unknown ids are NotFoundException: API, stage (also for GetExport), deployment; another account sees none of them', async () => {
    const cases: Array<() => Promise<unknown>> = [
      () => apigw.send(new GetRestApiCommand({ restApiId: 'nosuchapi0' })),
      () => apigw.send(new GetStagesCommand({ restApiId: 'nosuchapi0' })),
      () => apigw.send(new GetStageCommand({ restApiId: petstoreId, stageName: 'nosuch' })),
      () => apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'nosuch', exportType: 'oas30' })),
      () => apigw.send(new GetDeploymentCommand({ restApiId: petstoreId, deploymentId: 'nosuch' })),
      () => apigw.send(new GetResourcesCommand({ restApiId: 'nosuchapi0' })),
    ];
    for (const call of cases) {
      const err = await errorOf(call);
      assert.equal(err.name, 'NotFoundException');
      assert.equal(err.$metadata?.httpStatusCode, 404);
    }
    // Skyport's own account does not see the customer's API.
    const own = new APIGatewayClient(cfg(w.sim, w.base));
    try {
      assert.equal((await errorOf(() => own.send(new GetRestApiCommand({ restApiId: petstoreId })))).name, 'NotFoundException');
      assert.deepEqual((await own.send(new GetRestApisCommand({}))).items, []);
    } finally {
      own.destroy();
    }
    assert.equal(w.sim.callCount({ service: 'apigateway', error: 'NotFoundException' }), 7);
    assert.equal(w.sim.callCount({ service: 'apigateway', accountId: SKYPORT_ACCOUNT }), 2);
  });

  test('SigV4: a wrong secret is InvalidSignatureException, an unknown key UnrecognizedClientException, a disabled region too', async () => {
    const wrong = new APIGatewayClient(cfg(w.sim, { ...creds, secretAccessKey: 'x'.repeat(40) }));
    const unknown = new APIGatewayClient(cfg(w.sim, { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }));
    const optIn = new APIGatewayClient(cfg(w.sim, creds, 'ap-east-1'));
    try {
      const e1 = await errorOf(() => wrong.send(new GetRestApisCommand({})));
      assert.equal(e1.name, 'InvalidSignatureException');
      assert.equal(e1.$metadata?.httpStatusCode, 403);
      const e2 = await errorOf(() => unknown.send(new GetRestApisCommand({})));
      assert.equal(e2.name, 'UnrecognizedClientException');
      assert.equal(e2.$metadata?.httpStatusCode, 403);
      const e3 = await errorOf(() => optIn.send(new GetRestApisCommand({})));
      assert.equal(e3.name, 'UnrecognizedClientException');
    } finally {
      for (const c of [wrong, unknown, optIn]) c.destroy();
    }
    const res = await fetch(`${w.sim.url}/restapis`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  test('expired session credentials are ExpiredTokenException', async () => {
    const short = await assume(w, 900);
    const client = new APIGatewayClient(cfg(w.sim, short));
    w.sim.clock.advance(901_000);
    try {
      const err = await errorOf(() => client.send(new GetRestApisCommand({})));
      assert.equal(err.name, 'ExpiredTokenException');
    } finally {
      w.sim.clock.advance(-901_000);
      client.destroy();
    }
  });

  test('the shared quota: a burst of 40, then 429 TooManyRequestsException with Retry-After, counted', async () => {
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 55 }, () => apigw.send(new GetStagesCommand({ restApiId: petstoreId }))));
    const elapsedS = (performance.now() - t0) / 1000;
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // 40 from the burst, plus what 10/s refilled while the calls were in flight.
    assert.ok(ok >= 40 && ok <= 40 + Math.ceil(elapsedS * 10), `admitted ${ok} in ${elapsedS.toFixed(2)} s`);
    assert.ok(throttled.length > 0);
    assert.equal(throttled.length, 55 - ok);
    const err = throttled[0].reason as Error & { $metadata?: { httpStatusCode?: number }; retryAfterSeconds?: string };
    assert.equal(err.name, 'TooManyRequestsException');
    assert.equal(err.$metadata?.httpStatusCode, 429);
    assert.equal(err.retryAfterSeconds, '1');
    assert.equal(w.sim.callCount({ api: 'GetStages', error: 'TooManyRequestsException' }), throttled.length);

    // The budget is per account and region: another region is untouched.
    const west = new APIGatewayClient(cfg(w.sim, creds, 'us-west-2'));
    await west.send(new GetRestApisCommand({}));
    west.destroy();
    // Refilled after a short wait.
    await new Promise((resolve) => setTimeout(resolve, 250));
    await apigw.send(new GetRestApisCommand({}));
  });

  test('GetResources has its own 5 requests per 2 seconds', async () => {
    const results = await Promise.allSettled(Array.from({ length: 7 }, () => apigw.send(new GetResourcesCommand({ restApiId: petstoreId }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) assert.equal((r.reason as Error).name, 'TooManyRequestsException');
    // Other calls still have budget.
    await apigw.send(new GetRestApiCommand({ restApiId: petstoreId }));
  });

  test('faults and counters apply: throttle, 5xx, latency, per operation', async () => {
    w.sim.addFault({ kind: 'throttle', service: 'apigateway', api: 'GetStages', count: 1 });
    const e1 = await errorOf(() => apigw.send(new GetStagesCommand({ restApiId: petstoreId })));
    assert.equal(e1.name, 'TooManyRequestsException');
    assert.equal(e1.$metadata?.httpStatusCode, 429);
    w.sim.addFault({ kind: 'server-error', service: 'apigateway', api: 'GetExport', count: 1 });
    const e2 = await errorOf(() => apigw.send(new GetExportCommand({ restApiId: petstoreId, stageName: 'prod', exportType: 'oas30' })));
    assert.equal(e2.$metadata?.httpStatusCode, 500);
    assert.equal(e2.$fault, 'server');
    w.sim.addFault({ kind: 'unavailable', service: 'apigateway', count: 1 });
    assert.equal((await errorOf(() => apigw.send(new GetRestApisCommand({})))).name, 'ServiceUnavailableException');
    w.sim.addFault({ kind: 'latency', service: 'apigateway', api: 'GetRestApi', latencyMs: 150, count: 1 });
    const t0 = performance.now();
    await apigw.send(new GetRestApiCommand({ restApiId: petstoreId }));
    assert.ok(performance.now() - t0 >= 140);
    w.sim.addFault({ kind: 'access-denied', service: 'apigateway', roleArn: w.roleArn, count: 1 });
    assert.equal((await errorOf(() => apigw.send(new GetRestApisCommand({})))).name, 'AccessDeniedException');
    assert.deepEqual(w.sim.counters.byApi({ service: 'apigateway' }), { 'apigateway.GetStages': 1, 'apigateway.GetExport': 1, 'apigateway.GetRestApis': 2, 'apigateway.GetRestApi': 1 });
    assert.equal(w.sim.callCount({ service: 'apigateway', principal: w.roleArn, accountId: CUSTOMER_ACCOUNT }), 5);
  });
});
