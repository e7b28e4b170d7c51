// Issue 9, items 2 and 3: a dropped database connection fails one request (503), never the process; every
// wait on the database has a limit, and /readyz answers quickly when the database cannot.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openPool, type DbTimeouts } from '../../src/db/client.ts';
import { databaseUnavailable } from '../../src/plugins/errorHandler.ts';
import { client } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { assertError, createCloudWatch, ok, startApiAws } from '../routes/fixtures.ts';

const TIMEOUTS: DbTimeouts = { connectMs: 5_000, acquireMs: 10_000, statementMs: 30_000 };

/** A connection of the test's own to the same database (to lock rows and terminate the app's sessions). */
async function sideConnection(t: Pick<TestContext, 'after'>, url: string) {
  const side = new pg.Client({ connectionString: url });
  // The database is dropped WITH (FORCE) when the test ends, which ends this session too.
  side.on('error', () => {});
  await side.connect();
  t.after(() => side.end().catch(() => {}));
  return side;
}

/** Terminates every session of the app's pool (application_name skyport) on this database; returns how many. */
async function terminateAppSessions(side: pg.Client): Promise<number> {
  const res = await side.query(
    `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'skyport' AND pid <> pg_backend_pid()) t`,
  );
  return res.rows[0].n;
}

/** An app on a pool of its own (so the test decides its size and limits), with the API's simulated AWS. */
async function appWithPool(t: TestContext, poolSize: number, timeouts: DbTimeouts = TIMEOUTS) {
  const aws = await startApiAws(t);
  const database = await createTestDatabase(1);
  t.after(() => database.close());
  const appDb = openPool(database.url, poolSize, timeouts);
  const app = await buildApp({ config: loadConfig({ SKYPORT_AUTH_CACHE_TTL: '1h' }), database: appDb, aws: aws.settings });
  await app.ready();
  t.after(async () => {
    await app.close();
    await appDb.close().catch(() => {});
  });
  const { token } = await app.services.tokens.create({ name: 'admin', permissions: ['agent_management'] });
  return { app, call: client(app, token), url: database.url, pool: appDb.pool };
}

describe('a dropped database connection', () => {
  test('a checked-out client whose session is terminated fails its next query, not the process; the pool recovers', async (t) => {
    const database = await createTestDatabase(1);
    t.after(() => database.close());
    const db = openPool(database.url, 2, TIMEOUTS);
    t.after(() => db.close());
    const side = await sideConnection(t, database.url);

    // Checked out and mid-transaction, as a request's transaction is between two of its queries.
    const held = await db.pool.connect();
    await held.query('BEGIN');
    const pid = (held as unknown as { processID: number }).processID;
    const ended = new Promise((resolve) => held.once('end', resolve));
    await side.query('SELECT pg_terminate_backend($1)', [pid]);
    await ended; // pg emits 'error' on the client here: without a listener, an uncaught exception

    const failed = await held.query('SELECT 1').then(() => null, (err: Error) => err);
    assert.ok(failed, 'a query on the dead client fails');
    assert.match(failed.message, /not queryable|terminat/i);
    assert.ok(databaseUnavailable(failed), `"${failed.message}" is classified as the database being unavailable (503)`);
    held.release();

    const again = await db.pool.query('SELECT 42 AS n');
    assert.equal(again.rows[0].n, 42);
  });

  test('a request whose session is terminated mid-transaction answers 503; the next one succeeds', async (t) => {
    const { call, url } = await appWithPool(t, 1);
    const created = await createCloudWatch(call);
    const side = await sideConnection(t, url);

    // Hold the integration's row so the PUT waits inside its transaction, then cut the app's session.
    await side.query('BEGIN');
    await side.query('SELECT 1 FROM integrations WHERE id = $1 FOR UPDATE', [created.id]);
    const put = call('PUT', `/api/v2/cloudintegration/${created.id}`, {
      name: 'renamed',
      service: 'CLOUDWATCH',
      cloudWatch: { baseCredentials: { roleArn: created.cloudWatch.baseCredentials.roleArn } },
    });
    for (let i = 0; i < 100; i++) {
      const waiting = await side.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'skyport' AND wait_event_type = 'Lock'`,
      );
      if (waiting.rows[0].n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok((await terminateAppSessions(side)) >= 1, 'the app had a session to terminate');
    const res = await put;
    assertError(res, 503, 'database');
    assert.equal(res.headers['retry-after'], '5');
    await side.query('ROLLBACK');

    // The process is still here and the pool opens a new connection.
    const read = ok(await call('GET', `/api/v2/cloudintegration/${created.id}`));
    assert.equal(read.name, created.name, 'the interrupted PUT changed nothing');
  });

  test('sessions terminated again and again: every answer is 200 or 503, and the app keeps serving', async (t) => {
    const { call, url } = await appWithPool(t, 3);
    const side = await sideConnection(t, url);
    const statuses = new Map<number, number>();
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        await terminateAppSessions(side);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const workers = Array.from({ length: 3 }, async () => {
      for (let i = 0; i < 25; i++) {
        const res = await call('POST', '/api/v2/cloudintegration/awsExternalId');
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const list = await call('GET', '/api/v2/cloudintegration');
        statuses.set(list.status, (statuses.get(list.status) ?? 0) + 1);
      }
    });
    await Promise.all(workers);
    stop = true;
    await killer;
    assert.deepEqual([...statuses.keys()].filter((s) => s !== 200 && s !== 503), [], `only 200 and 503: ${JSON.stringify([...statuses])}`);
    ok(await call('GET', '/api/v2/cloudintegration'), 'after the terminations');
  });
});

describe('time limits on database waits', () => {
  test('/readyz answers 503 within about a second while a table lock starves the pool, and 200 afterwards', async (t) => {
    const { app, call, url } = await appWithPool(t, 2);
    const side = await sideConnection(t, url);
    await side.query('BEGIN');
    await side.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    // Both pooled connections end up waiting behind the lock.
    const stuck = [call('GET', '/api/v2/cloudintegration'), call('GET', '/api/v2/cloudintegration')];
    await new Promise((r) => setTimeout(r, 200));

    const started = performance.now();
    const ready = await app.inject({ url: '/readyz' });
    const ms = performance.now() - started;
    assert.equal(ready.statusCode, 503, ready.body);
    assert.match(JSON.parse(ready.body).status, /database not answering/);
    assert.ok(ms < 1_800, `/readyz answered in ${Math.round(ms)} ms`);

    await side.query('ROLLBACK');
    for (const res of await Promise.all(stuck)) ok(res, 'a request that waited for the lock');
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  });

  test('a statement stuck behind a lock ends at SKYPORT_DB_STATEMENT_TIMEOUT with a 503', async (t) => {
    const { call, url } = await appWithPool(t, 2, { ...TIMEOUTS, statementMs: 500 });
    const side = await sideConnection(t, url);
    await side.query('BEGIN');
    await side.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    const started = performance.now();
    const res = await call('GET', '/api/v2/cloudintegration');
    const ms = performance.now() - started;
    await side.query('ROLLBACK');
    assertError(res, 503, 'database');
    assert.ok(ms >= 400 && ms < 5_000, `answered after ${Math.round(ms)} ms`);
    ok(await call('GET', '/api/v2/cloudintegration'), 'once the lock is gone');
  });

  test('a request waiting for a pooled connection gives up at SKYPORT_DB_ACQUIRE_TIMEOUT with a 503', async (t) => {
    const { call, url, pool } = await appWithPool(t, 1, { ...TIMEOUTS, acquireMs: 300 });
    await call('GET', '/api/v2/cloudintegration'); // tokens verified and cached, the one connection open
    const side = await sideConnection(t, url);
    const held = await pool.connect(); // the only connection of the pool is busy
    const started = performance.now();
    const res = await call('GET', '/api/v2/cloudintegration');
    const ms = performance.now() - started;
    held.release();
    assertError(res, 503, 'database');
    assert.ok(ms >= 250 && ms < 3_000, `answered after ${Math.round(ms)} ms`);
    ok(await call('GET', '/api/v2/cloudintegration'), 'once the connection is free');
    await side.end();
  });

  test('a checkout queued behind another for the last idle connection still gives up at SKYPORT_DB_ACQUIRE_TIMEOUT', async (t) => {
    // An idle connection is handed over without a timer (src/db/client.ts); a checkout that finds it already
    // promised to an earlier one must wait, and keeps its limit.
    const database = await createTestDatabase(1);
    t.after(() => database.close());
    const db = openPool(database.url, 2, { ...TIMEOUTS, acquireMs: 300 });
    t.after(() => db.close());
    const [held, spare] = await Promise.all([db.pool.connect(), db.pool.connect()]);
    spare.release(); // the pool is full: one connection held, one idle
    const started = performance.now();
    const [first, second] = await Promise.allSettled([db.pool.connect(), db.pool.connect()]);
    const ms = performance.now() - started;
    assert.equal(first.status, 'fulfilled', 'the idle connection is handed over');
    assert.equal(second.status, 'rejected', 'the second checkout has nothing to take');
    assert.ok(databaseUnavailable(second.reason), `"${second.reason?.message}" is a 503`);
    assert.ok(ms >= 250 && ms < 3_000, `gave up after ${Math.round(ms)} ms`);
    assert.equal((await first.value.query('SELECT 1 AS one')).rows[0].one, 1, 'the handed-over connection works');
    first.value.release();
    held.release();
    // Both connections idle again: two checkouts at once get one each, at once.
    const both = await Promise.all([db.pool.connect(), db.pool.connect()]);
    for (const c of both) c.release();
    assert.equal(db.pool.options.connectionTimeoutMillis, 300, 'the limit itself is left as configured');
  });

  test('opening a connection to a server that never answers gives up at SKYPORT_DB_CONNECT_TIMEOUT', async (t) => {
    // A listening socket that accepts and says nothing, like a host behind a black-holing firewall.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const db = openPool(`postgres://nobody@127.0.0.1:${port}/nothing`, 1, { connectMs: 300, acquireMs: 10_000, statementMs: 30_000 });
    t.after(() => db.close());
    const started = performance.now();
    const err = await db.pool.query('SELECT 1').then(() => null, (e: Error) => e);
    const ms = performance.now() - started;
    assert.ok(err, 'the query fails');
    assert.ok(databaseUnavailable(err), `"${err.message}" is a 503`);
    assert.ok(ms >= 250 && ms < 3_000, `gave up after ${Math.round(ms)} ms`);
  });
});
