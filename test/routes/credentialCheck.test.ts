import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, client } from '../helpers/app.ts';
import { startTestAws, trustedRole } from '../helpers/aws.ts';

const ACCOUNT = '210987654321';

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const aws = await startTestAws(t);
  const { app, admin, database } = await buildTestApp(t, { aws: aws.settings });
  const api = client(app, admin);
  const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
  const body = (roleArn: string, extra: Record<string, unknown> = {}) => ({
    name: 'prod account',
    service: 'CLOUDWATCH',
    cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'] },
    ...extra,
  });
  const stored = async () => (await database.pool.query('SELECT count(*)::int AS n FROM integrations')).rows[0].n as number;
  const assumeRoleCalls = () => aws.sim.callCount({ service: 'sts', api: 'AssumeRole' });
  return { aws, api, externalId, body, stored, assumeRoleCalls };
}

test('a role that trusts Skyport with the issued external ID is assumed once, then stored', async (t) => {
  const { aws, api, externalId, body, stored, assumeRoleCalls } = await setup(t);
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const res = await api('POST', '/api/v2/cloudintegration', body(roleArn));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.response.cloudWatch.baseCredentials.roleArn, roleArn);
  assert.equal(assumeRoleCalls(), 1);
  assert.equal(aws.sim.callCount({ service: 'sts', api: 'AssumeRole', accountId: ACCOUNT, error: false }), 1);
  assert.equal(await stored(), 1);
});

test('a role that rejects the external ID is a 400 naming AccessDenied and what to check; nothing stored', async (t) => {
  const { aws, api, body, stored, assumeRoleCalls } = await setup(t);
  const roleArn = trustedRole(aws, ACCOUNT, 'some-other-external-id');
  const res = await api('POST', '/api/v2/cloudintegration', body(roleArn));
  assert.equal(res.status, 400);
  assert.equal(res.body.status.result, 'ERROR');
  assert.match(res.body.status.message, /AccessDenied/);
  assert.match(res.body.status.message, /trust policy/);
  assert.match(res.body.status.message, /sts:ExternalId/);
  assert.ok(res.body.status.message.includes(aws.skyportArn), 'names the principal the trust policy must allow');
  assert.equal(assumeRoleCalls(), 1);
  assert.equal(await stored(), 0);
});

test('a role that does not exist is a 400; nothing stored', async (t) => {
  const { api, body, stored } = await setup(t);
  const res = await api('POST', '/api/v2/cloudintegration', body(`arn:aws:iam::${ACCOUNT}:role/NoSuchRole`));
  assert.equal(res.status, 400);
  assert.match(res.body.status.message, /could not assume role/);
  assert.equal(await stored(), 0);
});

test('forceSave stores without any STS call, and reads back false', async (t) => {
  const { api, body, stored, assumeRoleCalls } = await setup(t);
  const res = await api('POST', '/api/v2/cloudintegration', body(`arn:aws:iam::${ACCOUNT}:role/NotYetCreated`, { forceSave: true }));
  assert.equal(res.status, 200);
  assert.equal(res.body.response.forceSave, false);
  assert.equal(assumeRoleCalls(), 0);
  assert.equal(await stored(), 1);
});

test('a transient STS failure is a 503 with Retry-After; nothing stored', async (t) => {
  const { aws, api, externalId, body, stored } = await setup(t);
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  for (const kind of ['throttle', 'server-error'] as const) {
    aws.sim.addFault({ kind, service: 'sts', api: 'AssumeRole', count: 1 });
    const res = await api('POST', '/api/v2/cloudintegration', body(roleArn));
    assert.equal(res.status, 503, kind);
    assert.ok(res.headers['retry-after'], 'says when to retry');
    assert.match(res.body.status.message, /nothing was stored/);
  }
  assert.equal(await stored(), 0);
  // Once STS answers again, the same request stores.
  assert.equal((await api('POST', '/api/v2/cloudintegration', body(roleArn))).status, 200);
});

test('an update checks the role only when roleArn changes', async (t) => {
  const { aws, api, externalId, body, assumeRoleCalls } = await setup(t);
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const created = (await api('POST', '/api/v2/cloudintegration', body(roleArn))).body.response;
  assert.equal(assumeRoleCalls(), 1);

  const renamed = await api('PUT', `/api/v2/cloudintegration/${created.id}`, { ...body(roleArn), name: 'renamed' });
  assert.equal(renamed.status, 200);
  assert.equal(assumeRoleCalls(), 1, 'same role: no STS call');

  const untrusted = `arn:aws:iam::${ACCOUNT}:role/Untrusted`;
  aws.sim.createRole({ accountId: ACCOUNT, name: 'Untrusted', trustedPrincipals: ['arn:aws:iam::123456789012:root'], externalId });
  const refused = await api('PUT', `/api/v2/cloudintegration/${created.id}`, body(untrusted));
  assert.equal(refused.status, 400);
  assert.match(refused.body.status.message, /AccessDenied/);
  assert.equal(assumeRoleCalls(), 2);
  const after = await api('GET', `/api/v2/cloudintegration/${created.id}`);
  assert.equal(after.body.response.cloudWatch.baseCredentials.roleArn, roleArn, 'nothing changed');
  assert.equal(after.body.response.name, 'renamed');

  const moved = trustedRole(aws, ACCOUNT, externalId, 'Moved');
  const ok = await api('PUT', `/api/v2/cloudintegration/${created.id}`, body(moved));
  assert.equal(ok.status, 200);
  assert.equal(ok.body.response.cloudWatch.baseCredentials.roleArn, moved);
  assert.equal(assumeRoleCalls(), 3);
});
