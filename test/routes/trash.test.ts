// SPEC §3 rows 8, 11, 13 and §5 "Trash": DELETE to the trash, undelete, and skipTrash for good.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  integrationCount,
  issueExternalId,
  ok,
  suiteApp,
  tenant,
  type Call,
} from './fixtures.ts';

const URL = '/api/v2/cloudintegration';
const SEARCH = '/api/v2/search/cloudintegration';

describe('trash', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });

  const byId = (id: string) => ({ query: [{ key: 'id', value: id, matchingMethod: 'EXACT' }] });
  async function make(call: Call, name = 'to be deleted') {
    return createIntegration(call, cloudWatchBody(await issueExternalId(call), { name }));
  }

  test('DELETE moves to the trash: inTrash and deleted true, gone from list and live search, in search/deleted, GET still works', async () => {
    const { call, customerId } = await tenant(ctx().app);
    const created = await make(call);
    const kept = await make(call, 'kept');
    clock.advance(5000);
    const deleted = ok(await call('DELETE', `${URL}/${created.id}`));
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.inTrash, true);
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.updatedEpochMillis, clock.now());
    assert.equal(deleted.updaterId, `writer-${customerId}`);

    const read = ok(await call('GET', `${URL}/${created.id}`));
    assert.deepEqual(read, deleted);
    const list = ok(await call('GET', URL));
    assert.deepEqual(list.items.map((i: any) => i.id), [kept.id]);
    assert.equal(list.totalItems, 1);
    assert.equal(ok(await call('POST', SEARCH, byId(created.id))).totalItems, 0);
    assert.equal(ok(await call('POST', SEARCH, { query: [{ key: 'name', value: 'to be deleted' }] })).totalItems, 0);
    const trashed = ok(await call('POST', `${SEARCH}/deleted`, {}));
    assert.deepEqual(trashed.items.map((i: any) => i.id), [created.id]);
    assert.equal(trashed.items[0].inTrash, true);
    assert.equal(await integrationCount(ctx(), customerId), 2, 'still stored');
  });

  test('DELETE of an integration already in the trash keeps it there', async () => {
    const { call } = await tenant(ctx().app);
    const created = await make(call);
    ok(await call('DELETE', `${URL}/${created.id}`));
    const again = ok(await call('DELETE', `${URL}/${created.id}`));
    assert.equal(again.inTrash, true);
    assert.equal(ok(await call('POST', `${SEARCH}/deleted`, {})).totalItems, 1);
  });

  test('undelete restores: back in list and live search, out of search/deleted, and scheduled at once', async () => {
    const testApp = ctx();
    const { call } = await tenant(testApp.app);
    const created = await make(call);
    ok(await call('DELETE', `${URL}/${created.id}`));
    clock.advance(60_000);
    const restored = ok(await call('POST', `${URL}/${created.id}/undelete`));
    assert.equal(restored.inTrash, false);
    assert.equal(restored.deleted, false);
    assert.equal(restored.updatedEpochMillis, clock.now());
    assert.deepEqual(ok(await call('GET', URL)).items.map((i: any) => i.id), [created.id]);
    assert.equal(ok(await call('POST', SEARCH, byId(created.id))).totalItems, 1);
    assert.equal(ok(await call('POST', `${SEARCH}/deleted`, {})).totalItems, 0);
    const due = await testApp.database.pool.query('SELECT next_run_at FROM integrations WHERE id = $1', [created.id]);
    assert.equal((due.rows[0].next_run_at as Date).getTime(), clock.now());
    // The restored integration is whole: every field as before the delete.
    assert.deepEqual({ ...restored, updatedEpochMillis: created.updatedEpochMillis }, created);
    assert.equal(ok(await call('POST', `${URL}/${created.id}/undelete`)).inTrash, false, 'undelete of a live one is harmless');
  });

  for (const flag of ['true', 'True', 'TRUE']) {
    test(`skipTrash=${flag} deletes for good: every later call on the id is a 404`, async () => {
      const testApp = ctx();
      const { call, customerId } = await tenant(testApp.app);
      const created = await createIntegration(call, cloudTrailBody(await issueExternalId(call)));
      const gone = ok(await call('DELETE', `${URL}/${created.id}?skipTrash=${flag}`));
      assert.equal(gone.id, created.id);
      assert.equal(gone.name, created.name);
      assert.deepEqual(gone.cloudTrail, created.cloudTrail);
      assert.equal(await integrationCount(testApp, customerId), 0);

      assertError(await call('GET', `${URL}/${created.id}`), 404);
      assertError(await call('PUT', `${URL}/${created.id}`, cloudTrailBody(undefined)), 404);
      assertError(await call('DELETE', `${URL}/${created.id}`), 404);
      assertError(await call('DELETE', `${URL}/${created.id}?skipTrash=true`), 404);
      for (const verb of ['enable', 'disable', 'undelete']) assertError(await call('POST', `${URL}/${created.id}/${verb}`), 404);
      assert.equal(ok(await call('POST', SEARCH, byId(created.id))).totalItems, 0);
      assert.equal(ok(await call('POST', `${SEARCH}/deleted`, byId(created.id))).totalItems, 0);
    });
  }

  test('skipTrash=true also removes an integration that is already in the trash', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    const created = await make(call);
    ok(await call('DELETE', `${URL}/${created.id}`));
    ok(await call('DELETE', `${URL}/${created.id}?skipTrash=true`));
    assertError(await call('GET', `${URL}/${created.id}`), 404);
    assertError(await call('POST', `${URL}/${created.id}/undelete`), 404);
    assert.equal(ok(await call('POST', `${SEARCH}/deleted`, {})).totalItems, 0);
    assert.equal(await integrationCount(testApp, customerId), 0);
  });

  test('skipTrash=false and skipTrash=False go to the trash; a non-boolean skipTrash is a 400', async () => {
    const testApp = ctx();
    const { call, customerId } = await tenant(testApp.app);
    for (const flag of ['false', 'False']) {
      const created = await make(call);
      assert.equal(ok(await call('DELETE', `${URL}/${created.id}?skipTrash=${flag}`)).inTrash, true);
    }
    const created = await make(call);
    assertError(await call('DELETE', `${URL}/${created.id}?skipTrash=maybe`), 400, 'skipTrash');
    assert.equal(ok(await call('GET', `${URL}/${created.id}`)).inTrash, false);
    assert.equal(await integrationCount(testApp, customerId), 3);
  });
});
