import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { APIGatewayClient, GetRestApisCommand, GetStagesCommand as GetRestStagesCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, ExportApiCommand, GetApiCommand, GetApisCommand, GetRoutesCommand, GetStagesCommand } from '@aws-sdk/client-apigatewayv2';
import { parse as parseYaml } from 'yaml';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world, type Credentials, type World } from './helpers.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };
const parseDoc = (body: Uint8Array | undefined): Doc => JSON.parse(Buffer.from(body ?? new Uint8Array()).toString('utf8')) as Doc;

describe('API Gateway v2 (HTTP and WebSocket APIs)', () => {
  let w: World;
  let creds: Credentials;
  let v2: ApiGatewayV2Client;
  let httpApiId: string;
  let wsApiId: string;
  const accessLog = { destinationArn: `arn:aws:logs:us-east-1:${CUSTOMER_ACCOUNT}:log-group:items`, format: '$context.requestId' };

  before(async () => {
    w = await world();
    creds = await assume(w);
    v2 = new ApiGatewayV2Client(cfg(w.sim, creds));
    httpApiId = w.sim.apigateway.createHttpApi({
      accountId: CUSTOMER_ACCOUNT,
      region: 'us-east-1',
      name: 'items',
      tags: { team: 'items' },
      routes: [{ routeKey: 'GET /items/{id}', apiKeyRequired: false, authorizationType: 'JWT' }, '$default'],
      stages: [{ name: '$default', autoDeploy: true, accessLogSettings: accessLog }, { name: 'manual', autoDeploy: false }],
    }).apiId;
    wsApiId = w.sim.apigateway.createWebSocketApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'chat', routes: ['$connect', '$disconnect', 'sendMessage'], stages: ['production'] }).apiId;
  });
  beforeEach(() => {
    w.sim.apigateway.resetLimits();
    w.sim.clearFaults();
    w.sim.resetCounters();
  });
  after(async () => {
    v2.destroy();
    await w.sim.close();
  });

  test('GetApis lists HTTP and WebSocket APIs (not REST ones), GetApi reads one', async () => {
    w.sim.apigateway.createRestApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'rest-only' });
    const apis = await v2.send(new GetApisCommand({}));
    const byName = new Map((apis.Items ?? []).map((a) => [a.Name, a]));
    assert.deepEqual([...byName.keys()].sort(), ['chat', 'items']);
    assert.equal(byName.get('items')?.ProtocolType, 'HTTP');
    assert.equal(byName.get('chat')?.ProtocolType, 'WEBSOCKET');
    assert.equal(byName.get('chat')?.RouteSelectionExpression, '$request.body.action');
    assert.equal(byName.get('items')?.ApiEndpoint, `https://${httpApiId}.execute-api.us-east-1.amazonaws.com`);
    assert.equal(apis.NextToken, undefined);
    const one = await v2.send(new GetApiCommand({ ApiId: httpApiId }));
    assert.deepEqual(one.Tags, { team: 'items' });
    assert.ok(one.CreatedDate instanceof Date);
  });

  test('v2 paging: maxResults/nextToken strings over 23 APIs, a bad token is BadRequestException', async () => {
    const extra = Array.from({ length: 21 }, (_, i) => w.sim.apigateway.createHttpApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-west-2', name: `page-${i}` }).apiId);
    const west = new ApiGatewayV2Client(cfg(w.sim, creds, 'us-west-2'));
    try {
      const ids: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await west.send(new GetApisCommand({ MaxResults: '5', NextToken: token }));
        assert.ok((page.Items?.length ?? 0) <= 5);
        ids.push(...(page.Items ?? []).map((a) => a.ApiId ?? ''));
        token = page.NextToken;
        pages++;
      } while (token);
      assert.equal(pages, 5);
      assert.deepEqual([...ids].sort(), [...extra].sort());
      const bad = await errorOf(() => west.send(new GetApisCommand({ NextToken: 'bogus' })));
      assert.equal(bad.name, 'BadRequestException');
      const badMax = await errorOf(() => west.send(new GetApisCommand({ MaxResults: 'ten' })));
      assert.equal(badMax.name, 'BadRequestException');
    } finally {
      west.destroy();
    }
  });

  test('GetRoutes (paged) and GetStages with access logs, deployment ids and autoDeploy', async () => {
    const first = await v2.send(new GetRoutesCommand({ ApiId: httpApiId, MaxResults: '1' }));
    assert.equal(first.Items?.length, 1);
    assert.ok(first.NextToken);
    const second = await v2.send(new GetRoutesCommand({ ApiId: httpApiId, MaxResults: '1', NextToken: first.NextToken }));
    assert.equal(second.NextToken, undefined);
    const keys = [...(first.Items ?? []), ...(second.Items ?? [])].map((r) => r.RouteKey).sort();
    assert.deepEqual(keys, ['$default', 'GET /items/{id}']);
    const get = [...(first.Items ?? []), ...(second.Items ?? [])].find((r) => r.RouteKey === 'GET /items/{id}');
    assert.equal(get?.AuthorizationType, 'JWT');

    const stages = await v2.send(new GetStagesCommand({ ApiId: httpApiId }));
    const byName = new Map((stages.Items ?? []).map((s) => [s.StageName, s]));
    assert.deepEqual(byName.get('$default')?.AccessLogSettings, { DestinationArn: accessLog.destinationArn, Format: accessLog.format });
    assert.equal(byName.get('$default')?.AutoDeploy, true);
    assert.equal(byName.get('manual')?.AutoDeploy, false);
    assert.ok(byName.get('manual')?.DeploymentId);
    assert.ok(byName.get('$default')?.LastUpdatedDate instanceof Date);

    const ws = await v2.send(new GetRoutesCommand({ ApiId: wsApiId }));
    assert.deepEqual(ws.Items?.map((r) => r.RouteKey).sort(), ['$connect', '$disconnect', 'sendMessage']);
  });

  test('ExportApi: OAS 3 of a stage deployment, $default as the any-method, YAML, and a new route only where deployed', async () => {
    const out = await v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: '$default', IncludeExtensions: false }));
    const doc = parseDoc(out.body);
    assert.equal(doc.openapi, '3.0.1');
    assert.deepEqual(Object.keys(doc.paths['/items/{id}']), ['get']);
    assert.deepEqual(Object.keys(doc.paths['/$default']), ['x-amazon-apigateway-any-method']);

    w.sim.apigateway.addRoute({ apiId: httpApiId, routeKey: 'POST /items' });
    const auto = parseDoc((await v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: '$default' }))).body);
    assert.ok(auto.paths['/items'], 'an auto-deploying stage has the new route at once');
    const manual = parseDoc((await v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: 'manual' }))).body);
    assert.equal(manual.paths['/items'], undefined, 'a manual stage keeps its deployment');
    w.sim.apigateway.deployV2Api({ apiId: httpApiId, stageName: 'manual' });
    const redeployed = parseDoc((await v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: 'manual' }))).body);
    assert.ok(redeployed.paths['/items']);

    const yaml = await v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'YAML' }));
    assert.equal((parseYaml(Buffer.from(yaml.body ?? new Uint8Array()).toString('utf8')) as Doc).openapi, '3.0.1');
  });

  test('ExportApi errors: unknown stage or API NotFound, a WebSocket API BadRequest, and a fault switch', async () => {
    const e1 = await errorOf(() => v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: 'nosuch' })));
    assert.equal(e1.name, 'NotFoundException');
    const e2 = await errorOf(() => v2.send(new ExportApiCommand({ ApiId: 'nosuchapi0', Specification: 'OAS30', OutputType: 'JSON' })));
    assert.equal(e2.name, 'NotFoundException');
    const e3 = await errorOf(() => v2.send(new ExportApiCommand({ ApiId: wsApiId, Specification: 'OAS30', OutputType: 'JSON' })));
    assert.equal(e3.name, 'BadRequestException');

    w.sim.addFault({ kind: 'server-error', service: 'apigatewayv2', api: 'ExportApi', code: 'BadRequestException', status: 400, message: 'Export failed', count: 1 });
    const e4 = await errorOf(() => v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: '$default' })));
    assert.equal(e4.name, 'BadRequestException');
    assert.equal(e4.message, 'Export failed');
    // Routes still answer while the export fails.
    w.sim.addFault({ kind: 'server-error', service: 'apigatewayv2', api: 'ExportApi' });
    await v2.send(new GetRoutesCommand({ ApiId: httpApiId }));
    assert.equal((await errorOf(() => v2.send(new ExportApiCommand({ ApiId: httpApiId, Specification: 'OAS30', OutputType: 'JSON' })))).$metadata?.httpStatusCode, 500);
    assert.deepEqual(w.sim.counters.byApi({ service: 'apigatewayv2', error: true }), { 'apigatewayv2.ExportApi': 5 });
  });

  test('v1 and v2 calls draw from one quota per account and region, counted apart', async () => {
    const v1 = new APIGatewayClient(cfg(w.sim, creds));
    try {
      const calls = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? v2.send(new GetApisCommand({})) : v1.send(new GetRestApisCommand({}))));
      const t0 = performance.now();
      const results = await Promise.allSettled(calls);
      const elapsedS = (performance.now() - t0) / 1000;
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      assert.ok(ok >= 40 && ok <= 40 + Math.ceil(elapsedS * 10), `admitted ${ok}`);
      assert.ok(w.sim.callCount({ service: 'apigatewayv2', error: 'TooManyRequestsException' }) + w.sim.callCount({ service: 'apigateway', error: 'TooManyRequestsException' }) === 50 - ok);
      const throttled = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal((throttled?.reason as Error).name, 'TooManyRequestsException');
    } finally {
      v1.destroy();
    }
  });

  test('SigV4 and credentials: a wrong secret is rejected on /v2 too', async () => {
    const wrong = new ApiGatewayV2Client(cfg(w.sim, { ...creds, secretAccessKey: 'y'.repeat(40) }));
    try {
      const err = await errorOf(() => wrong.send(new GetApisCommand({})));
      assert.equal(err.name, 'InvalidSignatureException');
      assert.equal(err.$metadata?.httpStatusCode, 403);
    } finally {
      wrong.destroy();
    }
  });

  test('admin HTTP API: create a REST API with stages, add a resource, redeploy, a usage plan, an HTTP API, delete', async () => {
    const post = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${w.sim.url}/_simulator/apigateway/${path}`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(res.status, 200, `${path}: ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const api = await post('restapis', { accountId: CUSTOMER_ACCOUNT, region: 'eu-west-1', name: 'admin-made', resources: [{ path: '/a', methods: ['GET'] }], stages: [{ name: 'prod', accessLogSettings: accessLog }] });
    const id = String(api.id);
    const before = (api.stages as Array<{ deploymentId: string }>)[0].deploymentId;
    await post('restapis/resources', { restApiId: id, path: '/a/{x}', methods: [{ httpMethod: 'DELETE', apiKeyRequired: true }] });
    const deployed = await post('restapis/deploy', { restApiId: id, stageName: 'prod' });
    assert.notEqual(deployed.deploymentId, before);
    const plan = await post('usageplans', { accountId: CUSTOMER_ACCOUNT, region: 'eu-west-1', name: 'p', apiStages: [{ apiId: id, stage: 'prod' }] });
    assert.ok(plan.id);
    await post('v2apis', { accountId: CUSTOMER_ACCOUNT, region: 'eu-west-1', name: 'h', protocolType: 'HTTP', routes: ['GET /x'], stages: ['$default'] });
    const seeded = await post('restapis/seed', { accountId: CUSTOMER_ACCOUNT, region: 'eu-west-1', count: 3, namePrefix: 'bulk' });
    assert.equal((seeded.ids as string[]).length, 3);

    const eu = new APIGatewayClient(cfg(w.sim, creds, 'eu-west-1'));
    const euV2 = new ApiGatewayV2Client(cfg(w.sim, creds, 'eu-west-1'));
    try {
      const stages = await eu.send(new GetRestStagesCommand({ restApiId: id }));
      assert.equal(stages.item?.[0].deploymentId, deployed.deploymentId);
      assert.equal((await eu.send(new GetRestApisCommand({}))).items?.length, 4);
      assert.equal((await euV2.send(new GetApisCommand({}))).Items?.length, 1);
      assert.deepEqual(await post('restapis/delete', { restApiId: id }), { deleted: true });
      assert.equal((await errorOf(() => eu.send(new GetRestStagesCommand({ restApiId: id })))).name, 'NotFoundException');
    } finally {
      eu.destroy();
      euV2.destroy();
    }
    const bad = await fetch(`${w.sim.url}/_simulator/apigateway/restapis/resources`, { method: 'POST', body: JSON.stringify({ restApiId: 'nosuchapi0', path: '/x' }) });
    assert.equal(bad.status, 400);
    const limits = await fetch(`${w.sim.url}/_simulator/apigateway/limits`);
    assert.deepEqual(await limits.json(), { accountRps: 10, accountBurst: 40, keyWriteRps: 5, getResourcesPer2s: 5, enabled: true });
    const state = (await (await fetch(`${w.sim.url}/_simulator/state`)).json()) as { apigateway: { restApis: number } };
    // 'rest-only' from the first test and the 3 seeded ones; the deleted one is gone.
    assert.equal(state.apigateway.restApis, 4);
  });
});
