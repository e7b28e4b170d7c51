import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world, type Credentials, type World } from './helpers.ts';

describe('API Gateway v1 usage plans and API keys', () => {
  let w: World;
  let creds: Credentials;
  let apigw: APIGatewayClient;
  let restApiId: string;
  let planId: string;
  let otherPlanId: string;

  before(async () => {
    w = await world();
    creds = await assume(w);
    apigw = new APIGatewayClient(cfg(w.sim, creds));
    restApiId = w.sim.apigateway.createRestApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'shop', resources: [{ path: '/orders', methods: [{ httpMethod: 'GET', apiKeyRequired: true }] }], stages: ['prod', 'beta'] }).id;
    planId = w.sim.apigateway.createUsagePlan({
      accountId: CUSTOMER_ACCOUNT,
      region: 'us-east-1',
      name: 'gold',
      apiStages: [{ apiId: restApiId, stage: 'prod' }],
      throttle: { burstLimit: 20, rateLimit: 10 },
      quota: { limit: 1000, period: 'MONTH' },
      tags: { tier: 'gold' },
    }).id;
    otherPlanId = w.sim.apigateway.createUsagePlan({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'silver', apiStages: [{ apiId: restApiId, stage: 'prod' }] }).id;
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

  test('GetUsagePlans and GetUsagePlan: the plan with its stages, throttle and quota; unknown id NotFound', async () => {
    const plans = await apigw.send(new GetUsagePlansCommand({}));
    assert.deepEqual(plans.items?.map((p) => p.name).sort(), ['gold', 'silver']);
    const gold = await apigw.send(new GetUsagePlanCommand({ usagePlanId: planId }));
    assert.deepEqual(gold.apiStages, [{ apiId: restApiId, stage: 'prod' }]);
    assert.deepEqual(gold.throttle, { burstLimit: 20, rateLimit: 10 });
    assert.deepEqual(gold.quota, { limit: 1000, offset: 0, period: 'MONTH' });
    assert.deepEqual(gold.tags, { tier: 'gold' });
    const err = await errorOf(() => apigw.send(new GetUsagePlanCommand({ usagePlanId: 'nosuch' })));
    assert.equal(err.name, 'NotFoundException');
  });

  test('GetUsagePlans pages with limit/position and filters by keyId', async () => {
    const extra = Array.from({ length: 7 }, (_, i) => w.sim.apigateway.createUsagePlan({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: `bulk-${i}` }).id);
    const seen: string[] = [];
    let position: string | undefined;
    let pages = 0;
    do {
      const page = await apigw.send(new GetUsagePlansCommand({ limit: 4, position }));
      seen.push(...(page.items ?? []).map((p) => p.id ?? ''));
      position = page.position;
      pages++;
    } while (position);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 9);

    const key = w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'filter-key' });
    w.sim.apigateway.addUsagePlanKey(extra[3], key.id);
    const filtered = await apigw.send(new GetUsagePlansCommand({ keyId: key.id }));
    assert.deepEqual(filtered.items?.map((p) => p.id), [extra[3]]);
  });

  test('key lifecycle: create, add to plan, duplicate add is Conflict, disable, remove from plan, delete', async () => {
    const created = await apigw.send(new CreateApiKeyCommand({ name: 'sub-1', description: 'first', enabled: true, tags: { 'skyport:subscription': 's-1' } }));
    assert.match(created.id ?? '', /^[a-z0-9]{10}$/);
    assert.equal(created.value?.length, 40, 'the value is returned on creation');
    assert.equal(created.enabled, true);
    assert.deepEqual(created.tags, { 'skyport:subscription': 's-1' });
    const keyId = created.id ?? '';

    const added = await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' }));
    assert.deepEqual({ id: added.id, type: added.type, name: added.name, value: added.value }, { id: keyId, type: 'API_KEY', name: 'sub-1', value: created.value });
    const planKeys = await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId }));
    assert.deepEqual(planKeys.items?.map((k) => k.id), [keyId]);

    const dup = await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' })));
    assert.equal(dup.name, 'ConflictException');
    assert.equal(dup.$metadata?.httpStatusCode, 409);
    // A key cannot be in two plans that cover the same stage.
    const sameStage = await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: otherPlanId, keyId, keyType: 'API_KEY' })));
    assert.equal(sameStage.name, 'ConflictException');

    const disabled = await apigw.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    assert.equal(disabled.enabled, false);
    assert.equal(disabled.value, undefined, 'the value is not returned on update');
    const read = await apigw.send(new GetApiKeyCommand({ apiKey: keyId }));
    assert.equal(read.enabled, false);
    assert.equal(read.value, undefined);
    assert.equal((await apigw.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }))).value, created.value);

    await apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId }));
    assert.deepEqual((await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId }))).items, []);
    const again = await errorOf(() => apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId })));
    assert.equal(again.name, 'NotFoundException');

    await apigw.send(new DeleteApiKeyCommand({ apiKey: keyId }));
    const gone = await errorOf(() => apigw.send(new GetApiKeyCommand({ apiKey: keyId })));
    assert.equal(gone.name, 'NotFoundException');
    const deleteTwice = await errorOf(() => apigw.send(new DeleteApiKeyCommand({ apiKey: keyId })));
    assert.equal(deleteTwice.name, 'NotFoundException');
    assert.equal(w.sim.apigateway.apiKeys(CUSTOMER_ACCOUNT, 'us-east-1').some((k) => k.id === keyId), false);
  });

  test('CreateApiKey: AWS defaults and checks (disabled by default, value length, duplicate value); UpdateApiKey checks its patch', async () => {
    const plain = await apigw.send(new CreateApiKeyCommand({ name: 'defaults' }));
    assert.equal(plain.enabled, false, 'AWS creates keys disabled unless enabled is sent');
    const value = 'custom-value-0123456789abcdef';
    const custom = await apigw.send(new CreateApiKeyCommand({ name: 'custom', value, enabled: true }));
    assert.equal(custom.value, value);
    assert.equal((await errorOf(() => apigw.send(new CreateApiKeyCommand({ name: 'dup', value })))).name, 'ConflictException');
    assert.equal((await errorOf(() => apigw.send(new CreateApiKeyCommand({ name: 'short', value: 'too-short' })))).name, 'BadRequestException');
    const badPath = await errorOf(() => apigw.send(new UpdateApiKeyCommand({ apiKey: custom.id, patchOperations: [{ op: 'replace', path: '/value', value: 'x'.repeat(30) }] })));
    assert.equal(badPath.name, 'BadRequestException');
    const badOp = await errorOf(() => apigw.send(new UpdateApiKeyCommand({ apiKey: custom.id, patchOperations: [{ op: 'remove', path: '/enabled' }] })));
    assert.equal(badOp.name, 'BadRequestException');
    assert.equal((await errorOf(() => apigw.send(new UpdateApiKeyCommand({ apiKey: 'nosuchkey0', patchOperations: [] })))).name, 'NotFoundException');
  });

  test('CreateUsagePlanKey: unknown plan or key NotFound, wrong keyType BadRequest, and a fault switch', async () => {
    const key = await apigw.send(new CreateApiKeyCommand({ name: 'switch', enabled: true }));
    assert.equal((await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: 'nosuch', keyId: key.id, keyType: 'API_KEY' })))).name, 'NotFoundException');
    assert.equal((await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: 'nosuchkey0', keyType: 'API_KEY' })))).name, 'NotFoundException');
    assert.equal((await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id, keyType: 'OTHER' })))).name, 'BadRequestException');

    w.sim.addFault({ kind: 'server-error', service: 'apigateway', api: 'CreateUsagePlanKey', count: 1 });
    const failed = await errorOf(() => apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id, keyType: 'API_KEY' })));
    assert.equal(failed.$metadata?.httpStatusCode, 500);
    assert.equal(w.sim.apigateway.usagePlan(planId).keyIds.has(key.id ?? ''), false, 'a failed call adds nothing');
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id, keyType: 'API_KEY' }));
    assert.equal(w.sim.callCount({ api: 'CreateUsagePlanKey', error: 'InternalFailure' }), 1);
    w.sim.apigateway.removeUsagePlanKey(planId, key.id ?? '');
  });

  test('GetApiKeys: includeValues, name prefix, customerId, paging', async () => {
    for (let i = 0; i < 5; i++) await apigw.send(new CreateApiKeyCommand({ name: `list-${i}`, customerId: i % 2 === 0 ? 'acme' : 'other', enabled: true }));
    const hidden = await apigw.send(new GetApiKeysCommand({ nameQuery: 'list-' }));
    assert.equal(hidden.items?.length, 5);
    assert.ok(hidden.items?.every((k) => k.value === undefined));
    const shown = await apigw.send(new GetApiKeysCommand({ nameQuery: 'list-', includeValues: true }));
    assert.ok(shown.items?.every((k) => k.value?.length === 40));
    const acme = await apigw.send(new GetApiKeysCommand({ customerId: 'acme' }));
    assert.deepEqual(acme.items?.map((k) => k.name).sort(), ['list-0', 'list-2', 'list-4']);
    const first = await apigw.send(new GetApiKeysCommand({ nameQuery: 'list-', limit: 2 }));
    assert.equal(first.items?.length, 2);
    assert.ok(first.position);
    const rest = await apigw.send(new GetApiKeysCommand({ nameQuery: 'list-', limit: 500, position: first.position }));
    assert.equal(rest.items?.length, 3);
    assert.equal(rest.position, undefined);
  });

  test('CreateApiKey and DeleteApiKey have their own 5 per second', async () => {
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => apigw.send(new CreateApiKeyCommand({ name: `burst-${i}` }))));
    const elapsedS = (performance.now() - t0) / 1000;
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    assert.ok(ok >= 5 && ok <= 5 + Math.ceil(elapsedS * 5), `admitted ${ok}`);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      assert.equal((r.reason as Error).name, 'TooManyRequestsException');
    }
    // Reads still pass: only the key-write bucket is empty.
    await apigw.send(new GetApiKeysCommand({}));
  });

  test('GetUsage: per key one [used, remaining] pair per day; bad dates BadRequest; a key not in the plan NotFound', async () => {
    const key = w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'metered' });
    const idle = w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'idle' });
    w.sim.apigateway.addUsagePlanKey(planId, key.id);
    w.sim.apigateway.addUsagePlanKey(planId, idle.id);
    w.sim.apigateway.recordUsage({ usagePlanId: planId, keyId: key.id, day: '2026-11-02', requests: 40 });
    w.sim.apigateway.recordUsage({ usagePlanId: planId, keyId: key.id, day: '2026-11-03', requests: 60 });
    const usage = await apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: '2026-11-01', endDate: '2026-11-03' }));
    assert.equal(usage.usagePlanId, planId);
    assert.equal(usage.startDate, '2026-11-01');
    assert.equal(usage.endDate, '2026-11-03');
    assert.deepEqual(usage.items?.[key.id], [[0, 1000], [40, 960], [60, 900]]);
    assert.deepEqual(usage.items?.[idle.id], [[0, 1000], [0, 1000], [0, 1000]]);
    const one = await apigw.send(new GetUsageCommand({ usagePlanId: planId, keyId: key.id, startDate: '2026-11-03', endDate: '2026-11-03' }));
    assert.deepEqual(Object.keys(one.items ?? {}), [key.id]);

    assert.equal((await errorOf(() => apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: '2026-11-05', endDate: '2026-11-01' })))).name, 'BadRequestException');
    assert.equal((await errorOf(() => apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: 'yesterday', endDate: '2026-11-01' })))).name, 'BadRequestException');
    assert.equal((await errorOf(() => apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: '2026-01-01', endDate: '2026-11-01' })))).name, 'BadRequestException');
    assert.equal((await errorOf(() => apigw.send(new GetUsageCommand({ usagePlanId: planId, keyId: 'nosuchkey0', startDate: '2026-11-01', endDate: '2026-11-01' })))).name, 'NotFoundException');
    assert.equal((await errorOf(() => apigw.send(new GetUsageCommand({ usagePlanId: 'nosuch', startDate: '2026-11-01', endDate: '2026-11-01' })))).name, 'NotFoundException');
  });

  test('a key deleted, disabled or taken out of its plan behind the API is seen through it', async () => {
    const key = await apigw.send(new CreateApiKeyCommand({ name: 'drift', enabled: true }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId: key.id, keyType: 'API_KEY' }));
    w.sim.apigateway.setApiKeyEnabled(key.id ?? '', false);
    assert.equal((await apigw.send(new GetApiKeyCommand({ apiKey: key.id }))).enabled, false);
    w.sim.apigateway.removeUsagePlanKey(planId, key.id ?? '');
    assert.ok(!(await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: planId, limit: 500 }))).items?.some((k) => k.id === key.id));
    w.sim.apigateway.deleteApiKey(key.id ?? '');
    assert.equal((await errorOf(() => apigw.send(new GetApiKeyCommand({ apiKey: key.id })))).name, 'NotFoundException');
  });
});
