import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIGatewayClient, CreateApiKeyCommand, GetApiKeysCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { MAX_API_KEYS_PER_REGION } from '../../src/simulator/apigateway/store.ts';
import { RECOMMENDED_ACCESS_LOG_FORMAT } from '../../src/services/apigateway/policy.ts';
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

test("invoke writes the stage's access-log line (its format, $context variables filled in) to the log group when it exists, admitted or not", async (t) => {
  const w = await world();
  t.after(() => w.sim.close());
  const format = RECOMMENDED_ACCESS_LOG_FORMAT;
  const arn = (group: string) => `arn:aws:logs:us-east-1:${CUSTOMER_ACCOUNT}:log-group:${group}`;
  const api = w.sim.apigateway.createRestApi({
    accountId: CUSTOMER_ACCOUNT,
    region: 'us-east-1',
    name: 'shop',
    resources: [{ path: '/pets', methods: ['GET'] }, { path: '/pets/{petId}', methods: ['GET'] }],
    stages: [
      { name: 'prod', accessLogSettings: { destinationArn: arn('shop-prod'), format } },
      { name: 'beta', accessLogSettings: { destinationArn: arn('no-such-group'), format } },
    ],
  });
  const plan = w.sim.apigateway.createUsagePlan({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'gold', apiStages: [{ apiId: api.id, stage: 'prod' }, { apiId: api.id, stage: 'beta' }] });
  const key = w.sim.apigateway.createApiKey({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', name: 'k' });
  w.sim.apigateway.addUsagePlanKey(plan.id, key.id);
  w.sim.logs.createGroup({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', logGroupName: 'shop-prod' });

  assert.equal(w.sim.apigateway.invoke({ restApiId: api.id, stage: 'prod', apiKey: key.value, method: 'get', path: '/pets/42' }).status, 200);
  assert.equal(w.sim.apigateway.invoke({ restApiId: api.id, stage: 'prod', apiKey: 'wrong-key-value-00000000000000000000000' }).status, 403);
  assert.equal(w.sim.apigateway.invoke({ restApiId: api.id, stage: 'beta', apiKey: key.value }).status, 200);

  const creds = await assume(w);
  const logs = new CloudWatchLogsClient(cfg(w.sim, creds));
  const got = await logs.send(new FilterLogEventsCommand({ logGroupName: 'shop-prod' }));
  const lines = (got.events ?? []).map((e) => JSON.parse(e.message!));
  assert.equal(lines.length, 2, 'one line per request of the stage');
  assert.match(got.events![0].logStreamName!, /^[0-9a-f]{32}$/);
  const [admitted, refused] = lines;
  assert.deepEqual(
    [admitted.apiId, admitted.stage, admitted.httpMethod, admitted.resourcePath, admitted.path, admitted.status, admitted.apiKeyId, admitted.routeKey],
    [api.id, 'prod', 'GET', '/pets/{petId}', '/prod/pets/42', '200', key.id, '-'],
  );
  assert.ok(Number(admitted.responseLatency) > 0);
  assert.ok(Math.abs(Number(admitted.requestTimeEpoch) - w.sim.now()) < 60_000, 'stamped with the simulator clock');
  assert.deepEqual([refused.status, refused.apiKeyId, refused.resourcePath], ['403', '-', '/']);
  assert.equal(w.sim.logs.group(CUSTOMER_ACCOUNT, 'us-east-1', 'no-such-group'), undefined, 'API Gateway does not create the group');
});
