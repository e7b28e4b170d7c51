// SPEC §3 row 5: GET /api/v2/cloudintegration pages live integrations in a stable order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manualClock } from '../helpers/app.ts';
import { assertError, cloudWatchBody, createIntegration, ec2Body, issueExternalId, ok, raw, suiteApp, tenant, type Call } from './fixtures.ts';

const URL = '/api/v2/cloudintegration';

describe('GET /api/v2/cloudintegration', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });

  /** Creates `n` integrations; `sameMs` of them share a creation time (so the id decides their order). */
  async function populate(call: Call, n: number, sameMs = 0) {
    const externalId = await issueExternalId(call);
    const made: any[] = [];
    for (let i = 0; i < n; i++) {
      if (i >= sameMs) clock.advance(1000);
      made.push(await createIntegration(call, i % 2 ? ec2Body(externalId, { name: `i${i}` }) : cloudWatchBody(externalId, { name: `i${i}` })));
    }
    return made;
  }

  const order = (items: any[]) => [...items].sort((a, b) => a.createdEpochMillis - b.createdEpochMillis || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  test('an empty list: 0 items, defaults offset 0 and limit 100', async () => {
    const { call } = await tenant(ctx().app);
    assert.deepEqual(ok(await call('GET', URL)), { items: [], offset: 0, limit: 100, totalItems: 0, moreItems: false });
  });

  test('creation time, then id: the order is stable and pages join up without gaps or repeats', async () => {
    const { call } = await tenant(ctx().app);
    const made = await populate(call, 12, 6);
    const expected = order(made).map((i) => i.id);
    const all = ok(await call('GET', URL));
    assert.deepEqual(all.items.map((i: any) => i.id), expected);
    assert.equal(all.totalItems, 12);
    assert.equal(all.moreItems, false);

    const seen: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const page = ok(await call('GET', `${URL}?offset=${offset}&limit=5`));
      assert.equal(page.offset, offset);
      assert.equal(page.limit, 5);
      assert.equal(page.totalItems, 12);
      assert.equal(page.moreItems, offset + 5 < 12);
      seen.push(...page.items.map((i: any) => i.id));
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(ok(await call('GET', URL)).items.map((i: any) => i.id), expected, 'the same order on every call');
  });

  test('an offset past the end is an empty page that still counts the total', async () => {
    const { call } = await tenant(ctx().app);
    await populate(call, 3);
    assert.deepEqual(ok(await call('GET', `${URL}?offset=10`)), { items: [], offset: 10, limit: 100, totalItems: 3, moreItems: false });
  });

  test('limit is at most 1000: 1000 is fine, 1001 is a 400 naming limit; 0 and negatives are a 400', async () => {
    const { call } = await tenant(ctx().app);
    assert.equal(ok(await call('GET', `${URL}?limit=1000`)).limit, 1000);
    assertError(await call('GET', `${URL}?limit=1001`), 400, 'limit');
    assertError(await call('GET', `${URL}?limit=0`), 400, 'limit');
    assertError(await call('GET', `${URL}?offset=-1`), 400, 'offset');
    assertError(await call('GET', `${URL}?limit=ten`), 400, 'limit');
    assertError(await call('GET', `${URL}?offset=1.5`), 400, 'offset');
  });

  test('items in the trash are not listed, and the total does not count them', async () => {
    const { call } = await tenant(ctx().app);
    const [a, b, c] = await populate(call, 3);
    ok(await call('DELETE', `${URL}/${b.id}`));
    const list = ok(await call('GET', URL));
    assert.deepEqual(list.items.map((i: any) => i.id), [a.id, c.id]);
    assert.equal(list.totalItems, 2);
  });

  test('Content-Type: application/json on the GET, with no body, is fine', async () => {
    const { app } = ctx();
    const { token, call } = await tenant(app);
    await populate(call, 1);
    const res = await raw(app, token, 'GET', `${URL}?offset=0&limit=10`, undefined, { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    assert.equal(res.body.response.totalItems, 1);
  });
});
