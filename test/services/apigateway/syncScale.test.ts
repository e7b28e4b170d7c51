import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syncRunQueries } from '../../../src/db/queries/apiGatewaySyncRuns.ts';
import { createAwsAccess } from '../../../src/services/collection/aws/access.ts';
import { createRateLimiter } from '../../../src/services/collection/aws/rateLimiter.ts';
import { createSyncRunner } from '../../../src/services/apigateway/sync/runner.ts';
import { createSecretBox } from '../../../src/services/secrets/secretBox.ts';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { ok } from '../../routes/fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from '../../routes/apigateway/fixtures.ts';

const ACCOUNT = '210987654321';

test('1,200 REST APIs in one region and a few in a second: every page followed, all found', { timeout: 240_000 }, async (t) => {
  const aws = await startTestAws(t);
  aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1', 'eu-west-1'] });
  // The simulator's quota and Skyport's own 10 requests/s would make this a two-minute test: the quota is
  // switched off and Skyport's limiter runs on a clock that its waits advance (the pacing has its own tests).
  aws.sim.apigateway.setLimits({ enabled: false });
  aws.sim.apigateway.seedRestApis({ accountId: ACCOUNT, region: 'us-east-1', count: 1_200, namePrefix: 'east' });
  aws.sim.apigateway.seedRestApis({ accountId: ACCOUNT, region: 'eu-west-1', count: 3, namePrefix: 'west' });

  const { app, admin, database } = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  const api = client(app, admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const conn = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: ['us-east-1', 'eu-west-1'] }, trustedRole(aws, ACCOUNT, externalId))));
  const customerId = (await database.pool.query('SELECT customer_id FROM apigateway_connections WHERE id = $1', [conn.id])).rows[0].customer_id as string;

  let virtualMs = 0;
  const limiter = createRateLimiter({ now: () => virtualMs, sleep: async (ms) => { virtualMs += ms; } });
  const clock = { now: () => Date.now() };
  const access = createAwsAccess({ settings: aws.settings, clock, limiter });
  t.after(() => access.close());
  const runner = createSyncRunner({
    db: database.db,
    clock,
    access,
    secrets: createSecretBox({ key: TEST_SECRET_KEY }),
    owner: 'scale-test',
  });

  const syncOnce = async () => {
    const claim = await runner.claimNow(customerId, conn.id);
    assert.ok(claim);
    const run = await syncRunQueries.insert(database.db, { id: crypto.randomUUID(), customerId, connectionId: conn.id, status: 'QUEUED', queuedMs: Date.now(), regions: {}, awsCalls: {}, changes: {} });
    await runner.run(claim, run.id);
    return (await syncRunQueries.find(database.db, customerId, conn.id, run.id))!;
  };

  const first = await syncOnce();
  assert.equal(first.status, 'OK', JSON.stringify(first.regions));
  assert.equal(first.awsCalls['apigateway:GetRestApis'], 3 + 1, 'three pages of 500 in us-east-1, one in eu-west-1');
  assert.equal(first.awsCalls['apigateway:GetStages'], 1_203);
  assert.equal(first.awsCalls['apigateway:GetExport'], 1_203);
  assert.equal(first.changes.API_ADDED, 1_203);
  const east = ok(await api('GET', '/api/v2/apigatewayapi?region=us-east-1&limit=1'));
  assert.equal(east.totalItems, 1_200);
  assert.equal(ok(await api('GET', '/api/v2/apigatewayapi?region=eu-west-1')).totalItems, 3);
  assert.ok(virtualMs >= 100_000, 'the 10 requests/s budget paced about 2,400 calls in us-east-1');

  const second = await syncOnce();
  assert.equal(second.status, 'OK');
  assert.equal(second.awsCalls['apigateway:GetExport'], undefined, 'nothing changed: no export');
  assert.deepEqual(second.changes, {});
  assert.equal(ok(await api('GET', `${BASE}/${conn.id}`)).apiCount, 1_203);
});
