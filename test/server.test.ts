import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openPool } from '../src/db/client.ts';
import { countMigrations, migrationsApplied, runMigrations } from '../src/db/migrate.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createEmptyTestDatabase, startServer, type ServerProcess } from './helpers/process.ts';

const BANNER = /First start: created an admin API token/g;
const BANNER_TOKEN = /It is shown only this once:\s+(\S+)/;

async function get(server: ServerProcess, path: string, token?: string) {
  const res = await fetch(`${server.base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function post(server: ServerProcess, path: string, token: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const res = await fetch(`${server.base}${path}`, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as { status: { code: number }; response?: unknown } };
}

/** SIGTERM, then the exit code; fails the test if the process does not end in time. */
async function terminate(server: ServerProcess, timeoutMs = 20_000) {
  server.child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no exit ${timeoutMs} ms after SIGTERM\nstdout: ${server.stdout()}\nstderr: ${server.stderr()}`)), timeoutMs).unref(),
  );
  return Promise.race([server.exited, timeout]);
}

async function migrationRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0].n as number;
  } finally {
    await client.end();
  }
}

describe('skyport serve (child process)', () => {
  test('first start: migrations, health, readiness, an admin token printed once; SIGTERM exits 0; a restart prints none', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const env = { DATABASE_URL: empty.url };

    const first = await startServer(env);
    t.after(first.kill);

    const healthz = await get(first, '/healthz');
    assert.equal(healthz.status, 200);
    assert.deepEqual(JSON.parse(healthz.text), { status: 'ok' });
    const readyz = await get(first, '/readyz');
    assert.equal(readyz.status, 200, readyz.text);
    assert.deepEqual(JSON.parse(readyz.text), { status: 'ok' });
    assert.equal(await migrationRows(empty.url), countMigrations());

    const metrics = await get(first, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(metrics.text, /skyport_http_requests_total/);
    assert.equal((await get(first, '/api-docs')).status, 200);

    // The banner with the token is printed exactly once, on stdout.
    const out = first.stdout();
    assert.equal(out.match(BANNER)?.length, 1, `expected one first-start banner:\n${out}`);
    const token = BANNER_TOKEN.exec(out)?.[1];
    assert.ok(token, `no token in the banner:\n${out}`);
    assert.ok(!first.stderr().includes(token), 'the token must not be written to stderr');
    // Logs (pino JSON lines) never contain it.
    for (const line of out.split('\n').filter((l) => l.startsWith('{'))) assert.ok(!line.includes(token), `token in a log line: ${line}`);

    // The printed token is an admin token of the default customer: reads and writes work.
    assert.equal((await get(first, '/api/v2/cloudintegration', token)).status, 200);
    const created = await post(first, '/api/v2/cloudintegration/awsExternalId', token);
    assert.equal(created.status, 200);
    assert.match(String(created.body.response), /^[A-Za-z0-9]{16}$/);
    assert.equal((await get(first, '/api/v2/cloudintegration')).status, 401);

    const exit = await terminate(first);
    assert.deepEqual(exit, { code: 0, signal: null }, `stdout: ${first.stdout()}\nstderr: ${first.stderr()}`);
    assert.match(first.stdout(), /"msg":"shutting down"/);
    assert.match(first.stdout(), /"signal":"SIGTERM"/);

    // Second start on the same database: tokens exist, so nothing is printed; the old token still works.
    const second = await startServer(env);
    t.after(second.kill);
    assert.equal((await get(second, '/readyz')).status, 200);
    assert.equal(second.stdout().match(BANNER), null, `no banner expected on a second start:\n${second.stdout()}`);
    assert.equal((await get(second, '/api/v2/cloudintegration', token)).status, 200);
    assert.equal(await migrationRows(empty.url), countMigrations(), 'a restart applies nothing twice');
    assert.deepEqual(await terminate(second), { code: 0, signal: null });
  });

  test('SKYPORT_BOOTSTRAP_TOKEN: that token works with agent_management and nothing is printed', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const bootstrap = 'ci-bootstrap-token-0123456789abcdef';
    const env = { DATABASE_URL: empty.url, SKYPORT_BOOTSTRAP_TOKEN: bootstrap };

    const server = await startServer(env);
    t.after(server.kill);
    assert.equal(server.stdout().match(BANNER), null, server.stdout());
    assert.ok(!server.stdout().includes(bootstrap) && !server.stderr().includes(bootstrap), 'the bootstrap token must never be printed');
    assert.equal((await get(server, '/api/v2/cloudintegration', bootstrap)).status, 200);
    // Both header styles, and a write (agent_management).
    const write = await post(server, '/api/v2/cloudintegration/awsExternalId', bootstrap, { 'x-auth-token': bootstrap });
    assert.equal(write.status, 200);
    assert.equal((await get(server, '/api/v2/cloudintegration', 'not-the-bootstrap-token')).status, 401);
    assert.deepEqual(await terminate(server), { code: 0, signal: null });

    // Starting again with the same value is fine (the token already exists).
    const again = await startServer(env);
    t.after(again.kill);
    assert.equal((await get(again, '/api/v2/cloudintegration', bootstrap)).status, 200);
    assert.deepEqual(await terminate(again), { code: 0, signal: null });
  });

  test('two replicas started together on one fresh database both come up', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const bootstrap = 'replica-bootstrap-token-0123456789';
    const env = { DATABASE_URL: empty.url, SKYPORT_BOOTSTRAP_TOKEN: bootstrap };

    const results = await Promise.allSettled([startServer(env), startServer(env)]);
    for (const r of results) if (r.status === 'fulfilled') t.after(r.value.kill);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(failed.map((r) => String(r.reason)), [], 'both replicas should start');
    const replicas = results.map((r) => (r as PromiseFulfilledResult<ServerProcess>).value);

    for (const replica of replicas) {
      assert.equal((await get(replica, '/readyz')).status, 200);
      assert.equal((await get(replica, '/api/v2/cloudintegration', bootstrap)).status, 200);
    }
    assert.equal(await migrationRows(empty.url), countMigrations(), 'each migration applied exactly once');

    // What one replica writes, the other reads.
    const created = await post(replicas[0], '/api/v2/cloudintegration/awsExternalId', bootstrap);
    assert.equal(created.status, 200);
    assert.equal((await get(replicas[1], `/api/v2/cloudintegration/awsExternalId/${created.body.response}`, bootstrap)).status, 200);

    const exits = await Promise.all(replicas.map((r) => terminate(r)));
    assert.deepEqual(exits, [{ code: 0, signal: null }, { code: 0, signal: null }]);
  });

  test('a bad configuration stops the start with a clear message', async () => {
    await assert.rejects(startServer({ PORT: '8080', SKYPORT_TRASH_RETENTION: 'forever' }, { timeoutMs: 20_000 }), (err: Error) => {
      assert.match(err.message, /exited before it was up/);
      assert.match(err.message, /skyport: invalid configuration: SKYPORT_TRASH_RETENTION/);
      return true;
    });
  });
});

describe('migrations and readiness (in process)', () => {
  test('runMigrations run concurrently on a fresh database: both succeed, each migration applied once', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const pools = [openPool(empty.url, 2), openPool(empty.url, 2), openPool(empty.url, 2)];
    t.after(() => Promise.all(pools.map((p) => p.close())));
    await Promise.all(pools.map((p) => runMigrations(p.pool)));
    assert.equal(await migrationRows(empty.url), countMigrations());
    assert.equal(await migrationsApplied(pools[0].pool, countMigrations()), true);
    // And once more, now that everything is applied.
    await runMigrations(pools[0].pool);
    assert.equal(await migrationRows(empty.url), countMigrations());
  });

  test('/readyz is 503 on a database without migrations, and 200 once they are applied', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const database = openPool(empty.url, 2);
    const app = await buildApp({ config: loadConfig({}), database });
    t.after(async () => {
      await app.close();
      await database.close();
    });
    const before = await app.inject({ url: '/readyz' });
    assert.equal(before.statusCode, 503);
    assert.deepEqual(before.json(), { status: 'migrations not applied' });
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    await runMigrations(database.pool);
    const after = await app.inject({ url: '/readyz' });
    assert.equal(after.statusCode, 200);
  });

  test('/readyz is 503 when the database is unreachable; /healthz stays 200', async (t) => {
    const database = openPool('postgres://nobody@127.0.0.1:1/nothing', 1);
    const app = await buildApp({ config: loadConfig({}), database });
    t.after(async () => {
      await app.close();
      await database.close();
    });
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'database unreachable' });
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  });

  test('while shutting down, /readyz answers 503 and API calls a 503 in the Wavefront envelope', async (t) => {
    const database = await createTestDatabase();
    t.after(database.close);
    const app = await buildApp({ config: loadConfig({ SKYPORT_AUTH_CACHE_TTL: '0s' }), database });
    const { token } = await app.services.tokens.create({ name: 't', permissions: [] });
    let seen: { readyz?: [number, unknown]; api?: [number, unknown, string | null] } = {};
    // preClose runs after close() has begun and before the listener stops accepting connections.
    app.addHook('preClose', async () => {
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const readyz = await fetch(`${base}/readyz`);
      const api = await fetch(`${base}/api/v2/cloudintegration`, { headers: { authorization: `Bearer ${token}` } });
      seen = { readyz: [readyz.status, await readyz.json()], api: [api.status, await api.json(), api.headers.get('retry-after')] };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    await app.close();
    assert.deepEqual(seen.readyz, [503, { status: 'shutting down' }]);
    assert.equal(seen.api?.[0], 503);
    assert.deepEqual(seen.api?.[1], { status: { result: 'ERROR', message: 'the server is shutting down; retry on another replica', code: 503 } });
    assert.equal(seen.api?.[2], '1');
  });

  test('SKYPORT_METRICS=off removes /metrics', async (t) => {
    const database = openPool('postgres://unused@127.0.0.1:1/unused', 1);
    const off = await buildApp({ config: loadConfig({ SKYPORT_METRICS: 'off' }), database });
    const on = await buildApp({ config: loadConfig({}), database });
    t.after(async () => {
      await off.close();
      await on.close();
      await database.close();
    });
    assert.equal((await off.inject({ url: '/metrics' })).statusCode, 404);
    const metrics = await on.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /process_cpu_user_seconds_total/);
  });
});
