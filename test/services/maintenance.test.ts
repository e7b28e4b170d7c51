// SPEC §5 "Trash" (purge after SKYPORT_TRASH_RETENTION) and the clean-up of dead external IDs, driven by
// createMaintenance with a hand-moved clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, manualClock } from '../helpers/app.ts';
import { createMaintenance } from '../../src/services/api/maintenance.ts';
import { assertError, buildApiTestApp, cloudWatchBody, createIntegration, ec2Body, issueExternalId, ok, tenant } from '../routes/fixtures.ts';

const DAY = 86_400_000;
const URL = '/api/v2/cloudintegration';

async function setup(t: Parameters<typeof buildApiTestApp>[0]) {
  const clock = manualClock();
  const testApp = await buildApiTestApp(t, { clock, env: { SKYPORT_TRASH_RETENTION: '2d', SKYPORT_EXTERNAL_ID_TTL: '1h' } });
  const run = createMaintenance({ services: testApp.app.services, apigateway: testApp.app.apigateway, clock, trashRetentionMs: testApp.config.trashRetentionMs });
  const call = client(testApp.app, testApp.admin);
  const count = async (sql: string) => (await testApp.database.pool.query(sql)).rows[0].n as number;
  return { clock, testApp, run, call, count };
}

test('trash older than SKYPORT_TRASH_RETENTION is purged; younger trash and live integrations stay', async (t) => {
  const { clock, run, call, count } = await setup(t);
  const externalId = await issueExternalId(call);
  const early = await createIntegration(call, cloudWatchBody(externalId, { name: 'trashed first' }));
  const late = await createIntegration(call, cloudWatchBody(externalId, { name: 'trashed a day later' }));
  const live = await createIntegration(call, ec2Body(externalId, { name: 'live' }));
  const restored = await createIntegration(call, ec2Body(externalId, { name: 'restored' }));

  ok(await call('DELETE', `${URL}/${early.id}`));
  ok(await call('DELETE', `${URL}/${restored.id}`));
  clock.advance(DAY);
  ok(await call('DELETE', `${URL}/${late.id}`));
  ok(await call('POST', `${URL}/${restored.id}/undelete`));

  clock.advance(DAY);
  assert.equal((await run()).purgedIntegrations, 0, 'exactly at the retention nothing goes yet');
  clock.advance(1);
  assert.equal((await run()).purgedIntegrations, 1);
  assertError(await call('GET', `${URL}/${early.id}`), 404);
  assertError(await call('POST', `${URL}/${early.id}/undelete`), 404);
  const trash = ok(await call('POST', '/api/v2/search/cloudintegration/deleted', {}));
  assert.deepEqual(trash.items.map((i: any) => i.id), [late.id]);
  assert.equal(ok(await call('GET', `${URL}/${late.id}`)).inTrash, true);

  clock.advance(DAY);
  assert.equal((await run()).purgedIntegrations, 1);
  assertError(await call('GET', `${URL}/${late.id}`), 404);
  // Created in the same millisecond: their order is by id.
  assert.deepEqual(ok(await call('GET', URL)).items.map((i: any) => i.id), [live.id, restored.id].sort());

  clock.advance(365 * DAY);
  assert.equal((await run()).purgedIntegrations, 0, 'live and undeleted integrations are never purged');
  assert.equal(await count('SELECT count(*)::int AS n FROM integrations'), 2);
});

test('an undeleted integration that is trashed again gets the full retention from the new delete', async (t) => {
  const { clock, run, call } = await setup(t);
  const created = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
  ok(await call('DELETE', `${URL}/${created.id}`));
  clock.advance(DAY + DAY / 2);
  ok(await call('POST', `${URL}/${created.id}/undelete`));
  ok(await call('DELETE', `${URL}/${created.id}`));
  clock.advance(DAY);
  assert.equal((await run()).purgedIntegrations, 0);
  assert.equal(ok(await call('GET', `${URL}/${created.id}`)).inTrash, true);
});

test('purging covers every customer', async (t) => {
  const { clock, testApp, run, call } = await setup(t);
  const other = await tenant(testApp.app, 'acme');
  const mine = await createIntegration(call, cloudWatchBody(await issueExternalId(call)));
  const theirs = await createIntegration(other.call, cloudWatchBody(await issueExternalId(other.call)));
  ok(await call('DELETE', `${URL}/${mine.id}`));
  ok(await other.call('DELETE', `${URL}/${theirs.id}`));
  clock.advance(3 * DAY);
  assert.equal((await run()).purgedIntegrations, 2);
  assertError(await other.call('GET', `${URL}/${theirs.id}`), 404);
});

test('external IDs that expired unused or were deleted are removed a day later; used ones stay', async (t) => {
  const { clock, run, call, count } = await setup(t);
  const unused = await issueExternalId(call);
  const used = await issueExternalId(call);
  const deletedUsed = await issueExternalId(call);
  const integration = await createIntegration(call, cloudWatchBody(used));
  const other = await createIntegration(call, ec2Body(deletedUsed));
  ok(await call('DELETE', `${URL}/awsExternalId/${deletedUsed}`));

  clock.advance(DAY); // unused expired 23 h ago; deletedUsed deleted 24 h ago (not yet "more than a day")
  assert.equal((await run()).purgedExternalIds, 0);
  clock.advance(DAY);
  assert.equal((await run()).purgedExternalIds, 2);
  const left = await count(`SELECT count(*)::int AS n FROM external_ids WHERE value = '${used}'`);
  assert.equal(left, 1);
  assert.equal(await count('SELECT count(*)::int AS n FROM external_ids'), 1);
  assertError(await call('GET', `${URL}/awsExternalId/${unused}`), 404);
  assertError(await call('POST', URL, cloudWatchBody(unused)), 400);
  assert.equal(ok(await call('GET', `${URL}/awsExternalId/${used}`)), used, 'a used ID outlives its TTL and every purge');

  // Integrations keep their stored copy of a purged ID and keep working.
  const read = ok(await call('GET', `${URL}/${other.id}`));
  assert.equal(read.ec2.baseCredentials.externalId, deletedUsed);
  assert.equal(ok(await call('PUT', `${URL}/${other.id}`, { ...read, name: 'after purge' })).name, 'after purge');
  assert.equal(ok(await call('GET', `${URL}/${integration.id}`)).cloudWatch.baseCredentials.externalId, used);
  assertError(await call('POST', URL, ec2Body(deletedUsed)), 400, 'not issued');
});
