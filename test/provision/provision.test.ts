import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAws, type TestAws } from '../helpers/aws.ts';
import { createEmptyTestDatabase, runCli, startServer, type ServerProcess } from '../helpers/process.ts';
import { createApi } from '../../src/provision/api.ts';
import { applyPlan } from '../../src/provision/run.ts';

const TOKEN = 'provisioning-test-token-0123456789';
const ROLE = 'arn:aws:iam::123456789012:role/skyport-reader';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/other-reader';

type Integration = { id: string; name: string; updatedEpochMillis: number; serviceRefreshRateInMins: number; cloudWatch?: Record<string, unknown>; cloudTrail?: Record<string, unknown>; inTrash: boolean };

describe('skyport plan | apply | export against a spawned server', () => {
  let aws: TestAws;
  let server: ServerProcess;
  let dir: string;
  let drop: () => Promise<void>;
  const cleanups: Array<() => unknown> = [];

  before(async () => {
    aws = await startTestAws({ after: (fn: () => unknown) => void cleanups.push(fn) } as never);
    // Roles that trust Skyport's identity (any external ID), so the credential check passes for real.
    for (const arn of [ROLE, OTHER_ROLE]) aws.sim.createRole({ accountId: '123456789012', name: arn.split('/').pop()!, trustedPrincipals: [aws.skyportArn] });
    // The CloudTrail bucket the file names: the create-time check looks for it (HeadBucket).
    aws.sim.createBucket({ name: 'prod-trail', region: 'us-east-1', accountId: '123456789012', readers: ['*'] });
    const db = await createEmptyTestDatabase();
    drop = db.drop;
    const { credentials } = aws.settings as { credentials: { accessKeyId: string; secretAccessKey: string } };
    server = await startServer({
      DATABASE_URL: db.url,
      SKYPORT_BOOTSTRAP_TOKEN: TOKEN,
      SKYPORT_SCHEDULER: 'off',
      SKYPORT_AUTH_CACHE_TTL: '0s',
      AWS_ENDPOINT_URL: aws.sim.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    dir = await mkdtemp(join(tmpdir(), 'skyport-provision-'));
  });
  after(async () => {
    await server?.kill();
    await drop?.();
    for (const fn of cleanups.reverse()) await fn();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ SKYPORT_URL: server.base, SKYPORT_TOKEN: TOKEN });
  const cli = (...args: string[]) => runCli(args, env());
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as { response: any; status: { message: string } } };
  };
  const list = async (): Promise<Integration[]> => (await api('GET', '/api/v2/cloudintegration?limit=1000')).json.response.items;
  const byName = async (name: string) => (await list()).find((i) => i.name === name);
  /** Writes since the server started, from its request log lines (one per answered request). */
  // Requests that change state: POST, PUT and DELETE under /api/v2, except the cost estimate (a POST that stores nothing).
  const writes = () =>
    server.stdout().split('\n').filter((l) => /"method":"(POST|PUT|DELETE)"/.test(l) && l.includes('/api/v2/') && !l.includes('/api/v2/cloudintegration/estimate')).length;
  // The server writes its JSON log lines in batches, at least once a second: a count is final once it holds still
  // across a flush period (bounded, so a server that never settles fails the test instead of hanging it).
  const settledWrites = async () => {
    let count = writes();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1_200));
      const next = writes();
      if (next === count) return count;
      count = next;
    }
    throw new Error('the server log never settled');
  };

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    return writeFile(path, text).then(() => path);
  };

  let main = '';
  let issued = '';

  test('an empty server and a file: apply creates what has an external ID; an entry without one gets it issued and waits', async () => {
    issued = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).json.response;
    main = await file('skyport.yaml', [
      '# Our AWS accounts',
      'integrations:',
      '  prod metrics:',
      '    service: CLOUDWATCH',
      '    cloudWatch:',
      '      baseCredentials:',
      `        roleArn: ${ROLE}`,
      `        externalId: ${issued}`,
      '      namespaces: [AWS/EC2, AWS/EBS]',
      '  prod trail:   # no external ID yet',
      '    service: CLOUDTRAIL',
      '    cloudTrail:',
      `      baseCredentials: { roleArn: "${OTHER_ROLE}" }`,
      '      bucketName: prod-trail',
      '      region: us-east-1',
      '',
    ].join('\n'));

    const res = await cli('apply', '-f', main, '--yes');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /\+ create "prod metrics" \(CLOUDWATCH\)/);
    assert.match(res.stdout, /wait "prod trail": external ID (\w{16}) issued/);
    assert.match(res.stdout, /"sts:ExternalId": "\w{16}"/);
    assert.match(res.stdout, /created "prod metrics" \([0-9a-f-]{36}\)/);
    assert.deepEqual((await list()).map((i) => i.name), ['prod metrics']);

    // The issued ID went into the file, comments kept; the next apply creates the entry (the role trusts any ID here).
    const written = await readFile(main, 'utf8');
    const newId = /wait "prod trail": external ID (\w{16})/.exec(res.stdout)![1];
    assert.match(written, new RegExp(`externalId: ${newId}`));
    assert.match(written, /# Our AWS accounts/);
    assert.match(written, /# no external ID yet/);
    const again = await cli('apply', '-f', main, '--yes');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /created "prod trail"/);
    const trail = await byName('prod trail');
    assert.equal((trail?.cloudTrail?.baseCredentials as { externalId: string }).externalId, newId);
  });

  test('a second apply changes nothing: no write at all, updatedEpochMillis untouched', async () => {
    const before = await list();
    const writesBefore = await settledWrites();
    const res = await cli('apply', '-f', main, '--yes');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /No changes: the server matches the file/);
    assert.deepEqual(await list(), before);
    assert.equal(await settledWrites(), writesBefore, 'the second apply must not write');
  });

  test('an edited field: plan shows one update with its field-level diff, apply makes it', async () => {
    await writeFile(main, (await readFile(main, 'utf8')).replace('namespaces: [AWS/EC2, AWS/EBS]', 'namespaces: [AWS/EC2]\n    serviceRefreshRateInMins: 10'));
    const plan = await cli('plan', '-f', main);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /~ update "prod metrics"/);
    assert.match(plan.stdout, /cloudWatch\.namespaces: \["AWS\/EC2","AWS\/EBS"\] -> \["AWS\/EC2"\]/);
    assert.match(plan.stdout, /serviceRefreshRateInMins: 5 -> 10/);
    assert.match(plan.stdout, /0 to create, 1 to change, 0 to delete, 1 unchanged/);
    const before = await byName('prod metrics');

    const res = await cli('apply', '-f', main, '--yes');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /updated "prod metrics"/);
    const after = await byName('prod metrics');
    assert.equal(after?.id, before?.id);
    assert.deepEqual(after?.cloudWatch?.namespaces, ['AWS/EC2']);
    assert.equal(after?.serviceRefreshRateInMins, 10);
  });

  test('--prune deletes only what the file does not list', async () => {
    const extId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).json.response;
    const made = await api('POST', '/api/v2/cloudintegration', {
      name: 'made by hand', service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn: ROLE, externalId: extId } },
    });
    assert.equal(made.status, 200, made.json.status.message);

    const plain = await cli('plan', '-f', main);
    assert.match(plain.stdout, /not in the file and stay \(apply --prune deletes them\): "made by hand"/);
    assert.doesNotMatch(plain.stdout, /- delete/);

    const res = await cli('apply', '-f', main, '--prune', '--yes');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /- delete "made by hand"/);
    assert.match(res.stdout, /0 to create, 0 to change, 1 to delete, 2 unchanged/);
    assert.deepEqual((await list()).map((i) => i.name).sort(), ['prod metrics', 'prod trail']);
    assert.equal((await api('GET', `/api/v2/cloudintegration/${made.json.response.id}`)).json.response.inTrash, true);
  });

  test('export, delete through the API, apply the export: back with the same settings and external ID; then no changes', async () => {
    const exported = join(dir, 'exported.yaml');
    const res = await cli('export', '-o', exported);
    assert.equal(res.code, 0, res.stderr);
    const text = await readFile(exported, 'utf8');
    assert.match(text, /yaml-language-server: \$schema=.*\/api-docs\/skyport-file\.schema\.json/);
    assert.ok(!text.includes(TOKEN), 'the token must never be exported');
    const data = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.doesNotMatch(data, /token|secret|forceSave|updatedEpochMillis|creatorId|lastError/i);

    const before = (await byName('prod metrics'))!;
    assert.equal((await api('DELETE', `/api/v2/cloudintegration/${before.id}?skipTrash=true`)).status, 200);

    const back = await cli('apply', '-f', exported, '--yes');
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /created "prod metrics"/);
    const after = (await byName('prod metrics'))!;
    assert.notEqual(after.id, before.id);
    assert.deepEqual(after.cloudWatch, before.cloudWatch); // the same settings, external ID included
    assert.equal(after.serviceRefreshRateInMins, before.serviceRefreshRateInMins);

    const plan = await cli('plan', '-f', exported);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /No changes/);
  });

  test('an external ID this server did not issue is refused, and nothing is written', async () => {
    const path = await file('foreign.yaml', [
      'integrations:',
      '  imported:',
      '    service: CLOUDWATCH',
      '    cloudWatch:',
      `      baseCredentials: { roleArn: "${ROLE}", externalId: NotIssuedHere123 }`,
      '',
    ].join('\n'));
    const writesBefore = await settledWrites();
    const res = await cli('apply', '-f', path, '--yes');
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /integration "imported": cloudWatch\.baseCredentials\.externalId "NotIssuedHere123" was not issued by this server/);
    assert.equal(await settledWrites(), writesBefore);
  });

  test('a file with an unknown key, a bad regex or a bad ARN fails plan with the line and the field', async () => {
    const path = await file('bad.yaml', [
      'integrations:',
      '  typo:',
      '    service: CLOUDWATCH',
      '    cloudWatch:',
      `      baseCredentials: { roleArn: "${ROLE}" }`,
      '      namespace: [AWS/EC2]',
      '',
    ].join('\n'));
    const unknown = await cli('plan', '-f', path);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /bad\.yaml:6:7: integrations\.typo\.cloudWatch\.namespace: unknown field/);

    await writeFile(path, [
      'integrations:',
      '  regex:',
      '    service: CLOUDWATCH',
      '    cloudWatch:',
      `      baseCredentials: { roleArn: "${ROLE}" }`,
      '      metricFilterRegex: "^aws.(ec2"',
      '  arn:',
      '    service: EC2',
      '    ec2:',
      '      baseCredentials:',
      '        roleArn: arn:aws:iam::1234:role/short-account',
      '',
    ].join('\n'));
    const rules = await cli('plan', '-f', path);
    assert.notEqual(rules.code, 0);
    assert.match(rules.stderr, /bad\.yaml:6:7: integrations\.regex\.cloudWatch\.metricFilterRegex: is not a valid regular expression/);
    assert.match(rules.stderr, /bad\.yaml:11:9: integrations\.arn\.ec2\.baseCredentials\.roleArn: "arn:aws:iam::1234:role\/short-account" is not an IAM role ARN/);
    assert.doesNotMatch(rules.stderr, /\n\s+at /);
  });

  test('apply without --yes away from a terminal asks for --yes and writes nothing', async () => {
    await writeFile(main, (await readFile(main, 'utf8')).replace('serviceRefreshRateInMins: 10', 'serviceRefreshRateInMins: 20'));
    const writesBefore = await settledWrites();
    const res = await cli('apply', '-f', main);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /pass --yes/);
    assert.equal(await settledWrites(), writesBefore);
  });

  test('apply shows the Warning headers of the server, and stops at the first error with what was done', async () => {
    const extId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).json.response;
    const client = createApi({ url: server.base, token: TOKEN });
    const printed: string[] = [];
    const body = (name: string, roleArn: string) =>
      ({ name, service: 'CLOUDWATCH', cloudWatch: { baseCredentials: { roleArn, externalId: extId }, namespace: ['AWS/EC2'] } }) as never;
    await assert.rejects(
      applyPlan(client, {
        steps: [
          { kind: 'create', name: 'warned', body: body('warned', ROLE) },
          // The same external ID with another role: the server refuses it (400).
          { kind: 'create', name: 'refused', body: body('refused', OTHER_ROLE) },
          { kind: 'create', name: 'never tried', body: body('never tried', ROLE) },
        ],
        errors: [], unlisted: [], unchanged: 0,
      }, (t) => void printed.push(t)),
      (err: Error) => {
        assert.match(err.message, /create "refused" \(CLOUDWATCH\) failed: .*already used with role/);
        assert.match(err.message, /done before it: created "warned"/);
        assert.match(err.message, /not done: \+ create "refused".*\+ create "never tried"/);
        return true;
      },
    );
    assert.match(printed.join(''), /created "warned"[\s\S]*warning from the server: ignored unknown field cloudWatch\.namespace/);
    assert.equal(await byName('never tried'), undefined);
  });
});
