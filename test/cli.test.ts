import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createEmptyTestDatabase, runCli } from './helpers/process.ts';
import { testServerUrl } from './helpers/db.ts';

const TOKEN_LINE = /^\S{20,}$/;

describe('skyport token', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let env: Record<string, string>;

  before(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url };
    // The API on the same database, to check that CLI-made tokens work (no auth cache: revocations show at once).
    app = await buildApp({ config: loadConfig({ DATABASE_URL: database.url, SKYPORT_AUTH_CACHE_TTL: '0s' }), database });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });

  const call = (token: string, method: 'GET' | 'POST', url: string) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);

  let ciToken = '';
  let ciId = '';

  test('token create prints the token alone on stdout, and the id on stderr', async () => {
    const res = await runCli(['token', 'create', '--name', 'ci', '--permission', 'agent_management'], env);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `stdout should hold only the token: ${res.stdout}`);
    ciToken = lines[0];
    assert.match(ciToken, TOKEN_LINE);
    const id = /created token ([0-9a-f-]{36}) \(ci\)/.exec(res.stderr);
    assert.ok(id, `stderr should name the new token's id: ${res.stderr}`);
    ciId = id[1];
    assert.match(res.stderr, /shown only this once/);
  });

  test('the token reads and writes through the API (Bearer and X-AUTH-TOKEN)', async () => {
    assert.equal(await call(ciToken, 'GET', '/api/v2/cloudintegration'), 200);
    assert.equal(await call(ciToken, 'POST', '/api/v2/cloudintegration/awsExternalId'), 200);
    const viaHeader = await app.inject({ method: 'GET', url: '/api/v2/cloudintegration', headers: { 'x-auth-token': ciToken } });
    assert.equal(viaHeader.statusCode, 200);
    const principal = await app.services.tokens.verify(ciToken);
    assert.deepEqual(
      { name: principal?.name, customerId: principal?.customerId, permissions: principal?.permissions },
      { name: 'ci', customerId: 'default', permissions: ['agent_management'] },
    );
  });

  test('a token created without --permission reads but cannot write', async () => {
    const res = await runCli(['token', 'create', '--name', 'dashboards'], env);
    assert.equal(res.code, 0, res.stderr);
    const token = res.stdout.trim();
    assert.equal(await call(token, 'GET', '/api/v2/cloudintegration'), 200);
    assert.equal(await call(token, 'POST', '/api/v2/cloudintegration/awsExternalId'), 403);
  });

  test('token list shows a header, the token with its creation and last use, never its value', async () => {
    const res = await runCli(['token', 'list'], env);
    assert.equal(res.code, 0, res.stderr);
    const [header] = res.stdout.split('\n');
    assert.match(header, /^ID\s+CUSTOMER\s+NAME\s+PERMISSIONS\s+CREATED\s+LAST USED\s+STATE$/);
    const line = res.stdout.split('\n').find((l) => l.startsWith(ciId));
    assert.ok(line, `token list should show ${ciId}: ${res.stdout}`);
    const cells = line.split(/\s{2,}/);
    assert.deepEqual([cells[1], cells[2], cells[3], cells[6]], ['default', 'ci', 'agent_management', 'active']);
    assert.match(cells[4], /^\d{4}-\d\d-\d\d \d\d:\d\dZ$/, 'creation time');
    // The previous test used the token through the API (recorded without waiting for it: poll briefly).
    assert.match(cells[5], /^\d{4}-\d\d-\d\d \d\d:\d\dZ$/, `last use: ${line}`);
    const dashboards = res.stdout.split('\n').find((l) => /  dashboards  /.test(l)) ?? '';
    assert.match(dashboards, /  read-only  /);
    assert.ok(!res.stdout.includes(ciToken), 'token list must never print a token value');
    assert.ok(!res.stderr.includes(ciToken), 'token list must never print a token value');
  });

  test('--customer creates the customer and scopes the token to it', async () => {
    const res = await runCli(['token', 'create', '--name', 'acme-ci', '--permission', 'agent_management', '--customer', 'acme'], env);
    assert.equal(res.code, 0, res.stderr);
    const token = res.stdout.trim();
    const { rows } = await database.pool.query(`SELECT id FROM customers WHERE id = 'acme'`);
    assert.equal(rows.length, 1, 'customer acme should exist');
    assert.equal((await app.services.tokens.verify(token))?.customerId, 'acme');

    // Tenancy: acme's external ID is a 404 for the default customer.
    const created = await app.inject({ method: 'POST', url: '/api/v2/cloudintegration/awsExternalId', headers: { authorization: `Bearer ${token}` } });
    assert.equal(created.statusCode, 200);
    const externalId = created.json().response as string;
    assert.equal(await call(token, 'GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`), 200);
    assert.equal(await call(ciToken, 'GET', `/api/v2/cloudintegration/awsExternalId/${externalId}`), 404);

    const listed = await runCli(['token', 'list', '--customer', 'acme'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    assert.equal(lines.length, 2, listed.stdout);
    assert.match(lines[1], / acme\s+acme-ci\s+agent_management\s+\S+ \S+\s+\S+ \S+\s+active$/);
  });

  test('token revoke makes the token fail with 401, and list shows it revoked', async () => {
    const res = await runCli(['token', 'revoke', ciId], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`revoked ${ciId}`));
    assert.equal(await call(ciToken, 'GET', '/api/v2/cloudintegration'), 401);
    const listed = await runCli(['token', 'list'], env);
    assert.match(listed.stdout.split('\n').find((l) => l.startsWith(ciId)) ?? '', /revoked \d{4}-\d\d-\d\d \d\d:\d\dZ$/);

    const again = await runCli(['token', 'revoke', ciId], env);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /^skyport: no active token with id/m);
  });

  test('revoking an id that is not a token id is a clear error, not a stack trace', async () => {
    const res = await runCli(['token', 'revoke', 'not-a-uuid'], env);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /^skyport: /);
    assert.doesNotMatch(res.stderr, /\n\s+at /, `no stack trace expected: ${res.stderr}`);
  });

  test('a bad permission exits non-zero with a clear message and creates nothing', async () => {
    const before = (await database.pool.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n;
    const res = await runCli(['token', 'create', '--name', 'x', '--permission', 'admin'], env);
    assert.notEqual(res.code, 0);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^skyport: unknown permission "admin" \(known: agent_management\)/m);
    const after = (await database.pool.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n;
    assert.equal(after, before);
  });

  test('usage errors exit non-zero with a clear message', async () => {
    const [noName, badCustomer, noId, unknownSub, unknownOption] = await Promise.all([
      runCli(['token', 'create'], env),
      runCli(['token', 'create', '--name', 'x', '--customer', 'Not A Customer'], env),
      runCli(['token', 'revoke'], env),
      runCli(['token', 'rotate'], env),
      runCli(['token', 'create', '--name', 'x', '--colour', 'blue'], env),
    ]);
    assert.notEqual(noName.code, 0);
    assert.match(noName.stderr, /token create needs --name NAME/);

    assert.notEqual(badCustomer.code, 0);
    assert.match(badCustomer.stderr, /customer "Not A Customer" must be/);

    assert.notEqual(noId.code, 0);
    assert.match(noId.stderr, /token revoke needs a token id/);

    assert.notEqual(unknownSub.code, 0);
    assert.match(unknownSub.stderr, /^skyport: unknown command 'rotate'/);
    assert.match(unknownSub.stderr, /skyport token --help/);

    assert.notEqual(unknownOption.code, 0);
    assert.match(unknownOption.stderr, /^skyport: unknown option '--colour'/);
    assert.doesNotMatch(unknownOption.stderr, /\n\s+at /, `no stack trace expected: ${unknownOption.stderr}`);
  });
});

describe('skyport commands', () => {
  test('an unknown command names the bad word and where the usage is', async () => {
    const res = await runCli(['frobnicate'], {});
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /^skyport: unknown command 'frobnicate'/);
    assert.match(res.stderr, /skyport --help/);
    const typo = await runCli(['token', 'lst'], {});
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /^skyport: unknown command 'lst'\n\(Did you mean list\?\)/);
  });

  test('a bare skyport, help and --help print the help and exit 0; --version prints the version', async () => {
    const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const [bare, help, dashHelp, ver] = await Promise.all([runCli([], {}), runCli(['help'], {}), runCli(['--help'], {}), runCli(['--version'], {})]);
    for (const res of [bare, help, dashHelp]) {
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /^Usage: skyport \[options\] \[command\]/);
      for (const command of ['serve', 'migrate', 'token', 'tls', 'plan', 'apply', 'export']) assert.match(res.stdout, new RegExp(`\\n  ${command}\\b`));
    }
    assert.equal(ver.code, 0);
    assert.equal(ver.stdout.trim(), version);
  });

  test('--help works on every subcommand and names its options', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--help'], /Usage: skyport serve/],
      [['token', '--help'], /Usage: skyport token[\s\S]*create[\s\S]*list[\s\S]*revoke/],
      [['token', 'create', '--help'], /--name <name>[\s\S]*--permission[\s\S]*--customer/],
      [['token', 'revoke', '--help'], /Usage: skyport token revoke \[options\] \[id\]/],
      [['tls', 'self-signed', '--help'], /--host <name\.\.\.>[\s\S]*--out <dir>/],
      [['plan', '--help'], /--file <path>[\s\S]*--prune/],
      [['apply', '--help'], /--yes/],
      [['export', '--help'], /--output <path>/],
    ];
    // Two at a time: each is a Node process starting tsx, and the machine may be busy.
    for (let i = 0; i < cases.length; i += 2) {
      const batch = cases.slice(i, i + 2);
      const results = await Promise.all(batch.map(([args]) => runCli(args, { PORT: 'not checked for help' }, 120_000)));
      results.forEach((res, j) => {
        assert.equal(res.code, 0, `${batch[j][0].join(' ')}: ${res.stderr}`);
        assert.match(res.stdout, batch[j][1], batch[j][0].join(' '));
      });
    }
  });

  test('configuration mistakes are one line naming the variable and what is allowed', async () => {
    const [url, level] = await Promise.all([
      runCli(['migrate'], { DATABASE_URL: 'not-a-url' }),
      runCli(['migrate'], { LOG_LEVEL: 'verbose' }),
    ]);
    assert.notEqual(url.code, 0);
    assert.equal(url.stderr, 'skyport: invalid configuration: DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database\n');
    assert.notEqual(level.code, 0);
    assert.equal(level.stderr, 'skyport: invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"\n');
  });

  test('a database user the server refuses is one clear line, not a stack', async () => {
    const u = new URL(testServerUrl());
    u.username = 'no_such_skyport_user';
    const res = await runCli(['migrate'], { DATABASE_URL: u.toString() }, 30_000);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /^skyport: the database refused the login \(28\w+\): .*no_such_skyport_user.*; check the user and password in DATABASE_URL\n$/);
  });

  test('a busy port is one clear line, not a stack', async (t) => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    t.after(() => busy.close());
    const port = (busy.address() as { port: number }).port;
    const database = await createTestDatabase();
    t.after(() => database.close());
    const res = await runCli(['serve'], { DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', SKYPORT_SCHEDULER: 'off', SKYPORT_BOOTSTRAP_TOKEN: 'busy-port-test-token-123' }, 60_000);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, new RegExp(`^skyport: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another process \\(stop it, or set PORT to another port\\)\\n$`, 'm'));
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });

  test('a bad environment is reported before anything runs', async () => {
    const res = await runCli(['migrate'], { PORT: 'eighty' });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /^skyport: invalid configuration: PORT/);
  });

  test('migrate on a fresh database applies the migrations, and a second run is a no-op', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const first = await runCli(['migrate'], { DATABASE_URL: empty.url });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /migrations applied/);
    const second = await runCli(['migrate'], { DATABASE_URL: empty.url });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /migrations applied/);

    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: empty.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      const { countMigrations } = await import('../src/db/migrate.ts');
      assert.equal(rows[0].n, countMigrations(), 'each migration is recorded once');
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
      const names = tables.rows.map((r: { table_name: string }) => r.table_name);
      for (const table of ['customers', 'tokens', 'external_ids', 'integrations']) assert.ok(names.includes(table), `${table} missing`);
    } finally {
      await client.end();
    }
  });

  test('an unreachable DATABASE_URL is a non-zero exit, not a hang', async () => {
    const res = await runCli(['migrate'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' }, 30_000);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /ECONNREFUSED|connect/);
  });
});
