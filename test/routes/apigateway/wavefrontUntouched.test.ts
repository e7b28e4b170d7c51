import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApiTestApp, createCloudWatch, ok, tenant } from '../fixtures.ts';
import { accessKeyBody, BASE, createRoleConnection, TEST_SECRET_KEY } from './fixtures.ts';

const WAVEFRONT_SERVICES = new Set(['CLOUDWATCH', 'CLOUDTRAIL', 'EC2']);

test('with API Gateway connections present, cloudintegration lists, searches and facets show only Wavefront services', async (t) => {
  const { app } = await buildApiTestApp(t, { env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY, SKYPORT_AMBIENT_CUSTOMERS: '*' } });
  const { call } = await tenant(app);
  const integration = await createCloudWatch(call, { forceSave: true });
  await createRoleConnection(call, { name: 'prod account: CloudWatch' });
  ok(await call('POST', BASE, accessKeyBody('AKIAEXAMPLE000000001', 'secret', { forceSave: true })));
  ok(await call('POST', BASE, { name: 'ambient', credentials: { type: 'AMBIENT' }, regions: ['*'], forceSave: true }));
  const trashed = await createRoleConnection(call, { name: 'trashed' });
  ok(await call('DELETE', `${BASE}/${trashed.id}`));
  assert.equal(ok(await call('GET', BASE)).totalItems, 3);

  const listed = ok(await call('GET', '/api/v2/cloudintegration'));
  assert.deepEqual(listed.items.map((i: any) => i.id), [integration.id]);
  assert.equal(listed.totalItems, 1);

  const searched = ok(await call('POST', '/api/v2/search/cloudintegration', {}));
  assert.deepEqual(searched.items.map((i: any) => i.id), [integration.id]);
  // Even a search for the connection's name finds only the integration that shares it.
  const byName = ok(await call('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'name', value: 'prod account' }] }));
  assert.deepEqual(byName.items.map((i: any) => i.id), [integration.id]);
  assert.equal(ok(await call('POST', '/api/v2/search/cloudintegration/deleted', {})).totalItems, 0, 'a trashed connection is not a trashed integration');

  const facets = ok(await call('POST', '/api/v2/search/cloudintegration/facets', {}));
  assert.deepEqual(facets.facets.service, ['CLOUDWATCH']);
  assert.ok(facets.facets.service.every((s: string) => WAVEFRONT_SERVICES.has(s)));
  const serviceFacet = ok(await call('POST', '/api/v2/search/cloudintegration/service', {}));
  assert.deepEqual(serviceFacet.items, ['CLOUDWATCH']);
  const idFacet = ok(await call('POST', '/api/v2/search/cloudintegration/id', {}));
  assert.deepEqual(idFacet.items, [integration.id]);

  // A connection's id is not an integration's id.
  const connectionId = ok(await call('GET', BASE)).items[0].id;
  assert.equal((await call('GET', `/api/v2/cloudintegration/${connectionId}`)).status, 404);
});
