// Issue 9, item 11: Skyport without AWS credentials is Skyport's problem (503), a CloudTrail bucket that does
// not exist is the request's (400, at create).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTestApp, client } from '../helpers/app.ts';
import { startTestAws, trustedRole } from '../helpers/aws.ts';

const ACCOUNT = '210987654321';

describe('Skyport without AWS credentials of its own', () => {
  test('a create without forceSave is a 503 saying Skyport has no AWS credentials and how to give it some; nothing stored', async (t) => {
    // The SDK's real default credential chain, with nothing for it to find: no keys in the environment, no
    // profile files, no instance metadata.
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
      delete process.env[key];
    }
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/skyport-test/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/skyport-test/config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const aws = await startTestAws(t);
    const { app, admin, database } = await buildTestApp(t, { aws: { ...aws.settings, credentials: undefined } });
    const api = client(app, admin);
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const body = { name: 'prod', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn, externalId } } };

    const res = await api('POST', '/api/v2/cloudintegration', body);
    assert.equal(res.status, 503, JSON.stringify(res.body));
    const message = res.body.status.message as string;
    assert.match(message, /Skyport has no AWS credentials/);
    assert.match(message, /AWS_ACCESS_KEY_ID/);
    assert.match(message, /instance or ECS task role/);
    assert.doesNotMatch(message, /set forceSave to true/, 'it does not steer the user into saving an integration that cannot collect');
    assert.ok(res.headers['retry-after']);
    assert.equal((await database.pool.query('SELECT count(*)::int AS n FROM integrations')).rows[0].n, 0);
  });
});

describe('a CloudTrail integration\'s bucket, at create', () => {
  async function setup(t: Parameters<typeof buildTestApp>[0]) {
    const aws = await startTestAws(t);
    const { app, admin, database } = await buildTestApp(t, { aws: aws.settings });
    const api = client(app, admin);
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
    const roleArn = trustedRole(aws, ACCOUNT, externalId);
    const body = (bucketName: string, region: string, extra: Record<string, unknown> = {}) => ({
      name: 'trail',
      service: 'CLOUDTRAIL',
      cloudTrail: { baseCredentials: { roleArn, externalId }, bucketName, region },
      ...extra,
    });
    const stored = async () => (await database.pool.query('SELECT count(*)::int AS n FROM integrations')).rows[0].n as number;
    return { aws, api, body, stored };
  }

  test('a bucket that does not exist is a 400 naming it; nothing stored; forceSave still stores', async (t) => {
    const { aws, api, body, stored } = await setup(t);
    const res = await api('POST', '/api/v2/cloudintegration', body('no-such-trail-bucket', 'us-east-1'));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.status.message, /bucket "no-such-trail-bucket" does not exist/);
    assert.equal(await stored(), 0);
    assert.equal(aws.sim.callCount({ service: 's3', api: 'HeadBucket' }), 1, 'one cheap S3 call');
    const forced = await api('POST', '/api/v2/cloudintegration', body('no-such-trail-bucket', 'us-east-1', { forceSave: true }));
    assert.equal(forced.status, 200);
  });

  test('a bucket the role can read is accepted; one in another region or another account it may not read is a 400', async (t) => {
    const { aws, api, body, stored } = await setup(t);
    aws.sim.createBucket({ name: 'own-trail', accountId: ACCOUNT, region: 'eu-west-1' });
    aws.sim.createBucket({ name: 'someone-elses-trail', accountId: '999999999999', region: 'us-east-1' });
    assert.equal((await api('POST', '/api/v2/cloudintegration', body('own-trail', 'eu-west-1'))).status, 200);
    const wrongRegion = await api('POST', '/api/v2/cloudintegration', body('own-trail', 'us-east-1'));
    assert.equal(wrongRegion.status, 400, JSON.stringify(wrongRegion.body));
    assert.match(wrongRegion.body.status.message, /not in us-east-1/);
    const foreign = await api('POST', '/api/v2/cloudintegration', body('someone-elses-trail', 'us-east-1'));
    assert.equal(foreign.status, 400, JSON.stringify(foreign.body));
    assert.match(foreign.body.status.message, /may not list bucket "someone-elses-trail"/);
    assert.equal(await stored(), 1);
  });
});
