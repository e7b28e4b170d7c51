// The calls vmware/terraform-provider-wavefront makes for wavefront_cloud_integration_* resources, in order:
// external ID → create → read by search → update → read → delete (skipTrash) → read gives nothing / 404.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertError, ok, suiteApp, tenant } from './fixtures.ts';

const URL = '/api/v2/cloudintegration';
const SEARCH = '/api/v2/search/cloudintegration';
const byId = (id: string) => ({ query: [{ key: 'id', value: id, matchingMethod: 'EXACT' }] });

describe('the Terraform flow', () => {
  const ctx = suiteApp();

  for (const [service, configKey, config] of [
    ['CLOUDWATCH', 'cloudWatch', { namespaces: ['AWS/EC2', 'AWS/RDS'], metricFilterRegex: '^aws.(ec2|rds).*' }],
    ['CLOUDTRAIL', 'cloudTrail', { bucketName: 'tf-trail', region: 'us-west-2', prefix: 'tf' }],
    ['EC2', 'ec2', { hostNameTags: ['Name'] }],
  ] as const) {
    test(`${service}: create, search by id at once, update, delete with skipTrash, then 404`, async () => {
      const { call } = await tenant(ctx().app);
      // resource "wavefront_cloud_integration_aws_external_id"
      const externalId = ok<string>(await call('POST', `${URL}/awsExternalId`));
      assert.equal(ok(await call('GET', `${URL}/awsExternalId/${externalId}`)), externalId);

      const roleArn = 'arn:aws:iam::123456789012:role/terraform-managed';
      const create = {
        name: 'tf integration',
        service,
        serviceRefreshRateInMins: 5,
        additionalTags: { managed_by: 'terraform' },
        forceSave: true,
        [configKey]: { baseCredentials: { roleArn, externalId }, ...config },
      };
      const created = ok(await call('POST', URL, create));

      // Read right after create: the provider searches by id.
      const found = ok(await call('POST', SEARCH, byId(created.id)));
      assert.equal(found.totalItems, 1);
      const read = found.items[0];
      assert.deepEqual(read, created);
      assert.deepEqual(read[configKey], { baseCredentials: { roleArn, externalId }, ...config });
      assert.deepEqual(read.additionalTags, { managed_by: 'terraform' });
      assert.equal(read.forceSave, false);

      // Plan: nothing changed, so a second read must be identical (no perpetual diff).
      assert.deepEqual(ok(await call('POST', SEARCH, byId(created.id))).items[0], read);

      // Update in place: same external ID, new name and tags.
      const update = { ...create, name: 'tf integration renamed', additionalTags: { managed_by: 'terraform', env: 'prod' } };
      const updated = ok(await call('PUT', `${URL}/${created.id}`, update));
      assert.equal(updated.id, created.id);
      const reread = ok(await call('POST', SEARCH, byId(created.id))).items[0];
      assert.equal(reread.name, 'tf integration renamed');
      assert.deepEqual(reread.additionalTags, { managed_by: 'terraform', env: 'prod' });
      assert.equal(reread[configKey].baseCredentials.externalId, externalId, 'externalId unchanged: no replacement');

      // Destroy: the integration for good, then the external ID.
      ok(await call('DELETE', `${URL}/${created.id}?skipTrash=true`));
      assertError(await call('GET', `${URL}/${created.id}`), 404);
      assert.equal(ok(await call('POST', SEARCH, byId(created.id))).totalItems, 0);
      assert.equal(ok(await call('POST', `${SEARCH}/deleted`, byId(created.id))).totalItems, 0);
      assert.equal(ok(await call('DELETE', `${URL}/awsExternalId/${externalId}`)), externalId);
      assertError(await call('GET', `${URL}/awsExternalId/${externalId}`), 404);
    });
  }

  test('destroy in the other order (external ID first, then the integration) also works', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = ok<string>(await call('POST', `${URL}/awsExternalId`));
    const created = ok(await call('POST', URL, { name: 'tf', service: 'EC2', ec2: { baseCredentials: { roleArn: 'arn:aws:iam::123456789012:role/tf', externalId } } }));
    ok(await call('DELETE', `${URL}/awsExternalId/${externalId}`));
    assert.equal(ok(await call('POST', SEARCH, byId(created.id))).items[0].ec2.baseCredentials.externalId, externalId);
    ok(await call('DELETE', `${URL}/${created.id}?skipTrash=true`));
    assertError(await call('GET', `${URL}/${created.id}`), 404);
  });

  test('a resource deleted outside Terraform reads as gone (search finds nothing, GET is a 404)', async () => {
    const { call } = await tenant(ctx().app);
    const externalId = ok<string>(await call('POST', `${URL}/awsExternalId`));
    const created = ok(await call('POST', URL, { name: 'tf', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: 'arn:aws:iam::123456789012:role/tf', externalId } } }));
    ok(await call('DELETE', `${URL}/${created.id}`));
    assert.equal(ok(await call('POST', SEARCH, byId(created.id))).totalItems, 0, 'live search does not see the trash');
  });
});
