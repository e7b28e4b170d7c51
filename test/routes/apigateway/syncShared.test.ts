import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { ok } from '../fixtures.ts';
import { accessKeyBody, BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';

function logSink() {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

async function setup(t: Pick<TestContext, 'after'>, regions: string[]) {
  const aws = await startTestAws(t);
  aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1', 'eu-west-1'] });
  const { lines, logger } = logSink();
  const testApp = await buildTestApp(t, { aws: aws.settings, logger, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  t.after(() => testApp.app.apigateway.sync.idle());
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const conn = ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions }, roleArn)));
  const sync = async (id = conn.id) => {
    const res = await api('POST', `${BASE}/${id}/sync?wait=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.response;
  };
  for (const region of ['us-east-1', 'eu-west-1']) {
    aws.sim.apigateway.createRestApi({ accountId: ACCOUNT, region, name: `shop-${region}`, resources: [{ path: '/a', methods: ['GET'] }], stages: ['prod'] });
  }
  return { sim: aws.sim, api, conn, roleArn, sync, lines };
}

describe('API Gateway sync on the shared collection pieces', () => {
  test('every AWS call of a run is in its awsCalls: AssumeRole once per session, DescribeRegions for ["*"]', async (t) => {
    const { sync } = await setup(t, ['*']);
    const first = await sync();
    assert.equal(first.status, 'OK', JSON.stringify(first));
    assert.deepEqual(Object.keys(first.regions).sort(), ['eu-west-1', 'us-east-1'], "the account's enabled regions");
    assert.equal(first.awsCalls['sts:AssumeRole'], 1);
    assert.equal(first.awsCalls['ec2:DescribeRegions'], 1);
    assert.equal(first.awsCalls['apigateway:GetRestApis'], 2, 'one page per region');
    const second = await sync();
    assert.equal(second.status, 'OK');
    assert.equal(second.awsCalls['sts:AssumeRole'], undefined, 'the session is reused until it is about to expire');
    assert.equal(second.awsCalls['ec2:DescribeRegions'], undefined, 'the regions are cached');
    assert.equal(second.awsCalls['apigateway:GetStages'], 2);
  });

  test('access keys: GetCallerIdentity gives the account and is counted', async (t) => {
    const aws = await startTestAws(t);
    aws.sim.createAccount({ id: ACCOUNT, regions: ['us-east-1'] });
    aws.sim.apigateway.createRestApi({ accountId: ACCOUNT, region: 'us-east-1', name: 'shop', stages: ['prod'] });
    const { app, admin } = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
    t.after(() => app.apigateway.sync.idle());
    const api = client(app, admin);
    const user = aws.sim.createUser({ accountId: ACCOUNT, name: 'agent' });
    const conn = ok(await api('POST', BASE, accessKeyBody(user.accessKeyId, user.secretAccessKey)));
    const run = (await api('POST', `${BASE}/${conn.id}/sync?wait=true`)).body.response;
    assert.equal(run.status, 'OK', JSON.stringify(run));
    assert.equal(run.awsCalls['sts:GetCallerIdentity'], 1);
    const [item] = ok(await api('GET', '/api/v2/apigatewayapi')).items;
    assert.equal(item.accountId, ACCOUNT);
  });

  test('denied in one region only: that region fails (PARTIAL), the connection stays enabled', async (t) => {
    const { sim, sync, api, conn } = await setup(t, ['us-east-1', 'eu-west-1']);
    sim.addFault({ kind: 'access-denied', service: 'apigateway', region: 'eu-west-1' });
    const run = await sync();
    assert.equal(run.status, 'PARTIAL', JSON.stringify(run));
    assert.equal(run.regions['us-east-1'].status, 'OK');
    assert.match(run.regions['eu-west-1'].error, /AccessDenied/);
    assert.equal(ok(await api('GET', `${BASE}/${conn.id}`)).disabled, false);
  });

  test('denied in every region: the shared credential-failure rule disables the connection with a credentials event', async (t) => {
    const { sim, sync, api, conn, roleArn } = await setup(t, ['us-east-1', 'eu-west-1']);
    sim.denyRole(roleArn, { service: 'apigateway' });
    const run = await sync();
    assert.equal(run.status, 'FAILED');
    assert.match(run.error, /^credentials: (us-east-1|eu-west-1): AccessDenied/);
    const read = ok(await api('GET', `${BASE}/${conn.id}`));
    assert.equal(read.disabled, true);
    assert.equal(read.lastErrorEvent.annotations.type, 'credentials-error');
  });

  test('an expired session mid-run is assumed again and the region retried once; nothing is disabled', async (t) => {
    const { sim, sync, api, conn } = await setup(t, ['us-east-1']);
    sim.addFault({ kind: 'expired-token', service: 'apigateway', api: 'GetRestApis', count: 1 });
    const run = await sync();
    assert.equal(run.status, 'OK', JSON.stringify(run));
    assert.equal(run.awsCalls['sts:AssumeRole'], 2, 'the role assumed again');
    assert.equal(run.awsCalls['apigateway:GetRestApis'], 2);
    assert.equal(ok(await api('GET', `${BASE}/${conn.id}`)).disabled, false);
    assert.equal(ok(await api('GET', '/api/v2/apigatewayapi')).totalItems, 1);
  });

  test('each run is one log line: connection, status, duration, AWS calls and changes', async (t) => {
    const { sim, sync, conn, lines } = await setup(t, ['us-east-1']);
    const run = await sync();
    const logged = lines.filter((l) => l.syncRunId === run.id);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].connectionId, conn.id);
    assert.equal(logged[0].status, 'OK');
    assert.equal(typeof logged[0].durationMs, 'number');
    assert.equal(logged[0].awsCalls, Object.values(run.awsCalls as Record<string, number>).reduce((a, b) => a + b, 0));
    assert.equal(logged[0].changes, Object.values(run.changes as Record<string, number>).reduce((a, b) => a + b, 0));
    sim.addFault({ kind: 'server-error', service: 'apigateway', api: 'GetRestApis' });
    const failed = await sync();
    const warn = lines.find((l) => l.syncRunId === failed.id);
    assert.equal(warn?.level, 40, 'a failed run is a warning');
    assert.match(warn?.msg, /FAILED/);
  });
});
