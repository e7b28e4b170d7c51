// SPEC §3 rows 12-14: search over live and trashed integrations, and facets.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { manualClock } from '../helpers/app.ts';
import {
  assertError,
  cloudTrailBody,
  cloudWatchBody,
  createIntegration,
  ec2Body,
  issueExternalId,
  ok,
  suiteApp,
  tenant,
  type Call,
} from './fixtures.ts';

const SEARCH = '/api/v2/search/cloudintegration';
const DELETED = `${SEARCH}/deleted`;

describe('search', () => {
  const clock = manualClock();
  const ctx = suiteApp({ clock });
  let call: Call;
  // Live: prod-eu (CW), prod-us (CT, disabled), Staging EU (EC2), dev_1 (CW), dev%2 (EC2). Trashed: old-prod (CW), old-dev (CT).
  const live: Record<string, any> = {};
  const trashed: Record<string, any> = {};

  before(async () => {
    ({ call } = await tenant(ctx().app));
    const externalId = await issueExternalId(call);
    const make = async (name: string, body: (e: string, x: Record<string, unknown>) => unknown) => {
      clock.advance(1000);
      return createIntegration(call, body(externalId, { name }));
    };
    live['prod-eu'] = await make('prod-eu', cloudWatchBody);
    live['prod-us'] = await make('prod-us', cloudTrailBody);
    live['Staging EU'] = await make('Staging EU', ec2Body);
    live['dev_1'] = await make('dev_1', cloudWatchBody);
    live['dev%2'] = await make('dev%2', ec2Body);
    trashed['old-prod'] = await make('old-prod', cloudWatchBody);
    trashed['old-dev'] = await make('old-dev', cloudTrailBody);
    ok(await call('POST', `/api/v2/cloudintegration/${live['prod-us'].id}/disable`));
    for (const t of Object.values(trashed)) ok(await call('DELETE', `/api/v2/cloudintegration/${t.id}`));
  });

  const names = (page: any) => page.items.map((i: any) => i.name);
  const search = async (body: unknown, url = SEARCH) => ok(await call('POST', url, body));

  test('an empty request returns every live integration in creation order, with paging fields', async () => {
    const page = await search({});
    assert.deepEqual(names(page), ['prod-eu', 'prod-us', 'Staging EU', 'dev_1', 'dev%2']);
    assert.equal(page.offset, 0);
    assert.equal(page.limit, 100);
    assert.equal(page.totalItems, 5);
    assert.equal(page.moreItems, false);
    assert.deepEqual(page.items[0], live['prod-eu']);
  });

  test('id EXACT finds exactly that integration (the Terraform read)', async () => {
    const id = live['Staging EU'].id;
    const page = await search({ query: [{ key: 'id', value: id, matchingMethod: 'EXACT' }] });
    assert.deepEqual(page.items.map((i: any) => i.id), [id]);
    assert.equal(page.totalItems, 1);
    assert.equal((await search({ query: [{ key: 'id', value: id.slice(0, 8), matchingMethod: 'EXACT' }] })).totalItems, 0);
  });

  test('name: EXACT matches the whole name, CONTAINS (the default) and STARTSWITH ignore case', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'prod-eu', matchingMethod: 'EXACT' }] })), ['prod-eu']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'prod', matchingMethod: 'EXACT' }] })), []);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'EU' }] })), ['prod-eu', 'Staging EU']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'eu', matchingMethod: 'CONTAINS' }] })), ['prod-eu', 'Staging EU']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'PROD', matchingMethod: 'STARTSWITH' }] })), ['prod-eu', 'prod-us']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'eu', matchingMethod: 'STARTSWITH' }] })), []);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'prod', matchingMethod: 'startsWith' }] })), ['prod-eu', 'prod-us']);
  });

  test('LIKE wildcards in values are literal characters', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: '%' }] })), ['dev%2']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'dev_', matchingMethod: 'STARTSWITH' }] })), ['dev_1']);
  });

  test('service and disabled', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'service', value: 'EC2', matchingMethod: 'EXACT' }] })), ['Staging EU', 'dev%2']);
    assert.deepEqual(names(await search({ query: [{ key: 'service', value: 'cloudwatch', matchingMethod: 'EXACT' }] })), ['prod-eu', 'dev_1']);
    assert.deepEqual(names(await search({ query: [{ key: 'disabled', value: 'true', matchingMethod: 'EXACT' }] })), ['prod-us']);
    assert.equal((await search({ query: [{ key: 'disabled', value: 'false', matchingMethod: 'EXACT' }] })).totalItems, 4);
  });

  test('negated keeps what does not match', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'prod', negated: true }] })), ['Staging EU', 'dev_1', 'dev%2']);
    assert.deepEqual(names(await search({ query: [{ key: 'service', value: 'CLOUDWATCH', matchingMethod: 'EXACT', negated: true }] })), ['prod-us', 'Staging EU', 'dev%2']);
    assert.equal((await search({ query: [{ key: 'name', value: 'no-such', negated: true }] })).totalItems, 5);
  });

  test('values: any of them matches; value and values together', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'name', values: ['prod-eu', 'dev_1'], matchingMethod: 'EXACT' }] })), ['prod-eu', 'dev_1']);
    assert.deepEqual(names(await search({ query: [{ key: 'service', values: ['EC2', 'CLOUDTRAIL'], matchingMethod: 'EXACT' }] })), ['prod-us', 'Staging EU', 'dev%2']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'Staging', values: ['dev_'] }] })), ['Staging EU', 'dev_1']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', values: ['prod', 'dev'], negated: true }] })), ['Staging EU']);
  });

  test('several conditions are AND-ed', async () => {
    const page = await search({ query: [{ key: 'name', value: 'prod' }, { key: 'service', value: 'CLOUDWATCH', matchingMethod: 'EXACT' }] });
    assert.deepEqual(names(page), ['prod-eu']);
  });

  test('freetext matches name or service', async () => {
    assert.deepEqual(names(await search({ query: [{ key: 'freetext', value: 'trail' }] })), ['prod-us']);
    assert.deepEqual(names(await search({ query: [{ key: 'freetext', value: 'staging' }] })), ['Staging EU']);
  });

  test('sort ascending and descending; ties fall back to creation order', async () => {
    // The collation decides where upper case sorts; the two directions must mirror each other.
    const asc = names(await search({ sort: { field: 'name', ascending: true } }));
    const desc = names(await search({ sort: { field: 'name', ascending: false } }));
    assert.deepEqual(desc, [...asc].reverse());
    assert.equal(asc.length, 5);
    assert.ok(asc.indexOf('prod-eu') < asc.indexOf('prod-us'));
    assert.deepEqual(names(await search({ sort: { field: 'name' } })), asc, 'ascending by default');
    assert.deepEqual(names(await search({ sort: { field: 'createdEpochMillis', ascending: false } })), ['dev%2', 'dev_1', 'Staging EU', 'prod-us', 'prod-eu']);
    // service ties (two CLOUDWATCH, two EC2) keep creation order inside each group.
    assert.deepEqual(names(await search({ sort: { field: 'service', ascending: true } })), ['prod-us', 'prod-eu', 'dev_1', 'Staging EU', 'dev%2']);
  });

  test('paging: limit, offset, totalItems and moreItems', async () => {
    const first = await search({ limit: 2 });
    assert.deepEqual(names(first), ['prod-eu', 'prod-us']);
    assert.equal(first.totalItems, 5);
    assert.equal(first.moreItems, true);
    assert.equal(first.limit, 2);
    const last = await search({ limit: 2, offset: 4 });
    assert.deepEqual(names(last), ['dev%2']);
    assert.equal(last.offset, 4);
    assert.equal(last.moreItems, false);
    const filtered = await search({ query: [{ key: 'name', value: 'prod' }], limit: 1, offset: 1 });
    assert.deepEqual(names(filtered), ['prod-us']);
    assert.equal(filtered.totalItems, 2);
    assert.equal((await search({ limit: 1000 })).limit, 1000);
  });

  test('limit over 1000 and negative offsets are a 400', async () => {
    assertError(await call('POST', SEARCH, { limit: 1001 }), 400, 'limit');
    assertError(await call('POST', SEARCH, { limit: 0 }), 400, 'limit');
    assertError(await call('POST', SEARCH, { offset: -1 }), 400, 'offset');
    assertError(await call('POST', DELETED, { limit: 1001 }), 400, 'limit');
    assertError(await call('POST', SEARCH, { limit: '10' }), 400, 'limit');
  });

  test('an unknown key, sort field or matching method is a 400 naming it', async () => {
    for (const key of ['bogus', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'roleArn']) {
      assertError(await call('POST', SEARCH, { query: [{ key, value: 'x' }] }), 400, 'key');
      assertError(await call('POST', DELETED, { query: [{ key, value: 'x' }] }), 400, 'key');
    }
    for (const field of ['bogus', 'constructor', 'toString', 'valueOf']) {
      assertError(await call('POST', SEARCH, { sort: { field } }), 400, 'sort.field', field);
    }
    assertError(await call('POST', SEARCH, { query: [{ key: 'name', value: 'x', matchingMethod: 'REGEX' }] }), 400, 'matchingMethod');
    assertError(await call('POST', SEARCH, { query: [{ key: 'name' }] }), 400, 'value');
    assertError(await call('POST', SEARCH, { query: [{ key: 'name', values: [] }] }), 400, 'value');
    assertError(await call('POST', SEARCH, { query: [{ value: 'x' }] }), 400, 'key');
    assertError(await call('POST', SEARCH, { query: [{ key: 'name', value: 5 }] }), 400, 'value');
    assertError(await call('POST', SEARCH, { query: { key: 'name', value: 'x' } }), 400, 'query');
    assertError(await call('POST', SEARCH, { query: [{ key: 'name', value: 'a\u0000' }] }), 400);
  });

  test('unknown fields in the request are ignored', async () => {
    const page = await search({ query: [{ key: 'name', value: 'prod-eu', matchingMethod: 'EXACT', extra: 1 }], sort: { field: 'name', default: true }, whatever: [] });
    assert.deepEqual(names(page), ['prod-eu']);
  });

  test('search/deleted sees only the trash, with the same query language', async () => {
    const all = await search({}, DELETED);
    assert.deepEqual(names(all), ['old-prod', 'old-dev']);
    assert.ok(all.items.every((i: any) => i.inTrash === true && i.deleted === true));
    assert.deepEqual(names(await search({ query: [{ key: 'service', value: 'CLOUDTRAIL', matchingMethod: 'EXACT' }] }, DELETED)), ['old-dev']);
    assert.deepEqual(names(await search({ query: [{ key: 'id', value: trashed['old-prod'].id, matchingMethod: 'EXACT' }] }, DELETED)), ['old-prod']);
    assert.deepEqual(names(await search({ query: [{ key: 'id', value: live['prod-eu'].id, matchingMethod: 'EXACT' }] }, DELETED)), []);
    assert.deepEqual(names(await search({ sort: { field: 'name', ascending: false }, limit: 1 }, DELETED)), ['old-prod']);
    assert.deepEqual(names(await search({ query: [{ key: 'name', value: 'old' }] }, SEARCH)), []);
  });

  test('facets: distinct values of several fields, over live or trashed integrations', async () => {
    const res = ok(await call('POST', `${SEARCH}/facets`, { facets: ['service', 'disabled'] }));
    assert.deepEqual(res.facets, { service: ['CLOUDTRAIL', 'CLOUDWATCH', 'EC2'], disabled: ['false', 'true'] });
    assert.equal(res.limit, 100);
    const deleted = ok(await call('POST', `${DELETED}/facets`, { facets: ['name', 'service'] }));
    assert.deepEqual(deleted.facets, { name: ['old-dev', 'old-prod'], service: ['CLOUDTRAIL', 'CLOUDWATCH'] });
  });

  test('facets: every facet field by default; query, facetQuery and limit narrow the values', async () => {
    const all = ok(await call('POST', `${SEARCH}/facets`, {}));
    for (const key of ['name', 'service', 'disabled', 'id']) assert.ok(Array.isArray(all.facets[key]), key);
    assert.equal(all.facets.name.length, 5);
    assert.equal(all.facets.id.length, 5);
    const narrowed = ok(await call('POST', `${SEARCH}/facets`, { facets: ['name'], query: [{ key: 'service', value: 'EC2', matchingMethod: 'EXACT' }] }));
    assert.deepEqual(narrowed.facets.name.sort(), ['Staging EU', 'dev%2'].sort());
    const byText = ok(await call('POST', `${SEARCH}/facets`, { facets: ['name'], facetQuery: 'PROD' }));
    assert.deepEqual(byText.facets.name, ['prod-eu', 'prod-us']);
    const limited = ok(await call('POST', `${SEARCH}/facets`, { facets: ['service'], limit: 2 }));
    assert.equal(limited.facets.service.length, 2);
    assert.equal(limited.limit, 2);
    assertError(await call('POST', `${SEARCH}/facets`, { facets: ['roleArn'] }), 400, 'roleArn');
    assertError(await call('POST', `${SEARCH}/facets`, { facets: ['constructor'] }), 400);
    assertError(await call('POST', `${SEARCH}/facets`, { limit: 1001 }), 400, 'limit');
  });

  test('one facet: a page of distinct values, and its deleted twin', async () => {
    const services = ok(await call('POST', `${SEARCH}/service`, {}));
    assert.deepEqual(services, { items: ['CLOUDTRAIL', 'CLOUDWATCH', 'EC2'], offset: 0, limit: 100, totalItems: 3, moreItems: false });
    const paged = ok(await call('POST', `${SEARCH}/service`, { limit: 2, offset: 1 }));
    assert.deepEqual(paged, { items: ['CLOUDWATCH', 'EC2'], offset: 1, limit: 2, totalItems: 3, moreItems: false });
    const firstTwo = ok(await call('POST', `${SEARCH}/service`, { limit: 2 }));
    assert.equal(firstTwo.moreItems, true);
    const starts = ok(await call('POST', `${SEARCH}/name`, { facetQuery: 'dev', facetQueryMatchingMethod: 'STARTSWITH' }));
    assert.deepEqual(starts.items.sort(), ['dev%2', 'dev_1']);
    const exact = ok(await call('POST', `${SEARCH}/name`, { facetQuery: 'dev_1', facetQueryMatchingMethod: 'EXACT' }));
    assert.deepEqual(exact.items, ['dev_1']);
    const deleted = ok(await call('POST', `${DELETED}/name`, {}));
    assert.deepEqual(deleted.items, ['old-dev', 'old-prod']);
    const deletedFiltered = ok(await call('POST', `${DELETED}/service`, { query: [{ key: 'name', value: 'old-prod', matchingMethod: 'EXACT' }] }));
    assert.deepEqual(deletedFiltered.items, ['CLOUDWATCH']);
    assertError(await call('POST', `${SEARCH}/roleArn`, {}), 400, 'roleArn');
    assertError(await call('POST', `${SEARCH}/constructor`, {}), 400);
    assertError(await call('POST', `${DELETED}/bogus`, {}), 400, 'bogus');
    assertError(await call('POST', `${SEARCH}/name`, { facetQueryMatchingMethod: 'FUZZY' }), 400, 'facetQueryMatchingMethod');
  });
});
