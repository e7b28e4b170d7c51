import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, client } from '../helpers/app.ts';
import { ROLE_ARN } from './fixtures.ts';

const warnings = (headers: Record<string, unknown>): string[] => {
  const raw = headers.warning;
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
};

describe('Warning header for ignored fields', () => {
  test('every unknown key, at every depth, is named in a 299 warning; the write still succeeds', async (t) => {
    const { app, admin } = await buildTestApp(t);
    const api = client(app, admin);
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response;
    const res = await api('POST', '/api/v2/cloudintegration', {
      name: 'typos',
      service: 'CLOUDWATCH',
      forceSave: true,
      colour: 'blue',
      cloudWatch: {
        baseCredentials: { roleArn: ROLE_ARN, externalId, sessionName: 'x' },
        namespace: ['AWS/EC2'],
        instanceSelectionTags: { env: 'prod' },
      },
      ec2: { hostNameTags: ['name'] },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(warnings(res.headers).sort(), [
      '299 skyport "ignored field ec2: it does not belong to the integration\'s service"',
      '299 skyport "ignored unknown field cloudWatch.baseCredentials.sessionName"',
      '299 skyport "ignored unknown field cloudWatch.namespace"',
      '299 skyport "ignored unknown field colour"',
    ]);
    // The misspelt namespace list really was ignored: the integration collects every namespace.
    assert.equal(res.body.response.cloudWatch.namespaces, undefined);

    // PUT too, and map keys (tags) are data, never reported.
    const put = await api('PUT', `/api/v2/cloudintegration/${res.body.response.id}`, {
      name: 'typos',
      service: 'CLOUDWATCH',
      additionalTags: { anything: 'goes' },
      cloudWatch: { baseCredentials: { roleArn: ROLE_ARN }, metricFilterRegx: '^aws\\.ec2' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(warnings(put.headers), ['299 skyport "ignored unknown field cloudWatch.metricFilterRegx"']);
  });

  test('absent when every key is known, including the read-only fields of an integration sent back whole', async (t) => {
    const { app, admin } = await buildTestApp(t);
    const api = client(app, admin);
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response;
    assert.deepEqual(warnings((await api('POST', '/api/v2/cloudintegration/awsExternalId')).headers), []);
    const created = await api('POST', '/api/v2/cloudintegration', {
      name: 'clean',
      service: 'CLOUDWATCH',
      forceSave: true,
      cloudWatch: { baseCredentials: { roleArn: ROLE_ARN, externalId }, namespaces: ['AWS/EC2'] },
    });
    assert.equal(created.status, 200);
    assert.deepEqual(warnings(created.headers), []);
    const read = (await api('GET', `/api/v2/cloudintegration/${created.body.response.id}`)).body.response;
    const put = await api('PUT', `/api/v2/cloudintegration/${read.id}`, { ...read, name: 'clean again' });
    assert.equal(put.status, 200);
    assert.deepEqual(warnings(put.headers), []);
  });

  test('search bodies: an unknown key inside a query item is named with its index', async (t) => {
    const { app, admin } = await buildTestApp(t);
    const api = client(app, admin);
    const res = await api('POST', '/api/v2/search/cloudintegration', {
      query: [{ key: 'name', value: 'x', matchingMethod: 'CONTAINS', matchMode: 'x' }],
      limit: 10,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(warnings(res.headers), ['299 skyport "ignored unknown field query[0].matchMode"']);
  });

  test('a key that cannot go into a header as it is arrives quoted safely', async (t) => {
    const { app, admin } = await buildTestApp(t);
    const api = client(app, admin);
    const res = await api('POST', '/api/v2/search/cloudintegration', { 'na"me\u00e9': 1 });
    assert.equal(res.status, 200);
    assert.deepEqual(warnings(res.headers), ['299 skyport "ignored unknown field na\\"me?"']);
  });
});
