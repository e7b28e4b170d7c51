import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIGatewayClient, CreateApiKeyCommand, GetApiKeysCommand } from '@aws-sdk/client-api-gateway';
import { MAX_API_KEYS_PER_REGION } from '../../src/simulator/apigateway/store.ts';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world } from './helpers.ts';

test('API keys: at most 10,000 per account and region (LimitExceededException 429); nameQuery is a name prefix; no values unless asked', async (t) => {
  const w = await world();
  t.after(() => w.sim.close());
  const creds = await assume(w);
  const apigw = new APIGatewayClient(cfg(w.sim, creds));
  for (let i = 0; i < MAX_API_KEYS_PER_REGION - 1; i++) w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: `k-${i}` });
  const last = await apigw.send(new CreateApiKeyCommand({ name: 'skyport-last', enabled: true }));
  assert.ok(last.value);
  const err = await errorOf(() => apigw.send(new CreateApiKeyCommand({ name: 'one-too-many' })));
  assert.equal(err.name, 'LimitExceededException');
  assert.equal(err.$metadata?.httpStatusCode, 429);
  const west = new APIGatewayClient(cfg(w.sim, creds, 'us-west-2'));
  assert.ok((await west.send(new CreateApiKeyCommand({ name: 'elsewhere' }))).id, 'another region has its own quota');
  const listed = await apigw.send(new GetApiKeysCommand({ nameQuery: 'skyport-', includeValues: false }));
  assert.deepEqual(listed.items?.map((k) => [k.name, k.value]), [['skyport-last', undefined]]);
});

test('invoke: a key is admitted only while it exists, is enabled and is in a plan over the stage; admitted requests count in GetUsage', async (t) => {
  const w = await world();
  t.after(() => w.sim.close());
  const api = w.sim.apigateway.createRestApi({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'shop', stages: ['prod', 'beta'] });
  const plan = w.sim.apigateway.createUsagePlan({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'gold', apiStages: [{ apiId: api.id, stage: 'prod' }] });
  const key = w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'k' });
  const invoke = (stage = 'prod', apiKey = key.value) => w.sim.apigateway.invoke({ restApiId: api.id, stage, apiKey }).status;
  assert.equal(invoke(), 403, 'not in a plan yet');
  w.sim.apigateway.addUsagePlanKey(plan.id, key.id);
  assert.equal(invoke(), 200);
  assert.equal(invoke('beta'), 403, 'the plan does not cover beta');
  assert.equal(invoke('prod', 'x'.repeat(40)), 403, 'unknown value');
  w.sim.apigateway.setApiKeyEnabled(key.id, false);
  assert.equal(invoke(), 403, 'disabled');
  const res = await fetch(`${w.sim.url}/_simulator/apigateway/invoke`, { method: 'POST', body: JSON.stringify({ restApiId: api.id, stage: 'prod', apiKey: key.value }) });
  assert.deepEqual(await res.json(), { status: 403, message: 'Forbidden' });
  assert.equal([...w.sim.apigateway.usagePlan(plan.id).usage.get(key.id)!.values()].reduce((a, b) => a + b, 0), 1);
});
