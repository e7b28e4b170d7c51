// Issue 9, item 10: one Ctrl-C drains and cleans up, even when it arrives twice (tsx relays the terminal's
// SIGINT to the child that already got it); a second one, seconds later, may force the exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { onShutdownSignals } from '../src/lib/shutdownSignals.ts';
import { createTestDatabase } from './helpers/db.ts';
import { BIN, ROOT, childEnv, freePort, startServer } from './helpers/process.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the exit, or rejects after `ms`. */
function exitWithin(exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, ms: number, what: () => string) {
  return Promise.race([
    exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within ${ms} ms\n${what()}`)), ms).unref()),
  ]);
}

describe('Ctrl-C', () => {
  test('serve: SIGINT twice in quick succession (as tsx relays it) drains: the request in flight is answered, exit 0', async (t) => {
    const database = await createTestDatabase(1);
    t.after(() => database.close());
    const token = 'ctrl-c-drain-test-token-0123456789';
    const server = await startServer({ DATABASE_URL: database.url, SKYPORT_BOOTSTRAP_TOKEN: token, SKYPORT_SHUTDOWN_GRACE: '5s' });
    t.after(server.kill);
    assert.equal((await fetch(`${server.base}/readyz`)).status, 200);

    // A request in flight: it waits for a table lock the test holds.
    const side = new pg.Client({ connectionString: database.url });
    side.on('error', () => {});
    await side.connect();
    t.after(() => side.end().catch(() => {}));
    await side.query('BEGIN');
    await side.query('LOCK TABLE integrations IN ACCESS EXCLUSIVE MODE');
    const inFlight = fetch(`${server.base}/api/v2/cloudintegration`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 200; i++) {
      const waiting = await side.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (waiting.rows[0].n > 0) break;
      await sleep(25);
    }

    server.child.kill('SIGINT');
    await sleep(20);
    server.child.kill('SIGINT');
    await sleep(500);
    assert.equal(server.child.exitCode, null, `still draining after the second SIGINT\n${server.stdout()}`);
    await side.query('ROLLBACK');
    const answered = await inFlight;
    assert.equal(answered.status, 200, 'the request in flight when Ctrl-C came is answered');

    const { code } = await exitWithin(server.exited, 30_000, () => server.stdout() + server.stderr());
    const out = server.stdout();
    assert.equal(code, 0, `exit code 0 (a drain), got ${code}\n${out}\n${server.stderr()}`);
    assert.match(out, /"msg":"shutting down"/);
    assert.match(out, /repeated signal ignored/);
    assert.match(out, /"msg":"shut down"/, 'the drain ran to its end');
    assert.doesNotMatch(out + server.stderr(), /second SIGINT, exiting/);
  });

  test('a repeat within the window is ignored; one after it forces', async () => {
    const calls: string[] = [];
    const log = { info: () => calls.push('ignored'), warn: () => {} };
    const remove = onShutdownSignals({ log, drain: () => calls.push('drain'), force: () => calls.push('force') }, 100);
    try {
      process.emit('SIGHUP', 'SIGHUP');
      process.emit('SIGHUP', 'SIGHUP');
      await sleep(150);
      process.emit('SIGHUP', 'SIGHUP');
    } finally {
      remove();
    }
    assert.deepEqual(calls, ['drain', 'ignored', 'force']);
  });

  test('demo: SIGINT twice drains, stops its embedded PostgreSQL and removes its throw-away data', async (t) => {
    const tmp = await mkdtemp(join(tmpdir(), 'skyport-demo-test-'));
    await chmod(tmp, 0o755); // as root, the embedded PostgreSQL runs as the postgres user, which must enter it
    t.after(() => rm(tmp, { recursive: true, force: true }));
    const port = await freePort();
    const pgPort = await freePort();
    const child = spawn(process.execPath, [BIN, 'demo'], {
      cwd: ROOT,
      env: childEnv({ TMPDIR: tmp, HOST: '127.0.0.1', PORT: String(port), SKYPORT_EMBEDDED_PG_PORT: String(pgPort - 1), SKYPORT_SHUTDOWN_GRACE: '5s' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const deadline = Date.now() + 120_000;
    while (!out.includes('Skyport demo is running')) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `the demo did not come up:\n${out}`);
      await sleep(100);
    }
    assert.equal((await readdir(tmp)).filter((f) => f.startsWith('skyport-demo-')).length, 1, 'the demo made its data directory');

    child.kill('SIGINT');
    await sleep(20);
    child.kill('SIGINT');
    const { code } = await exitWithin(exited, 60_000, () => out);
    assert.equal(code, 0, `exit code 0, got ${code}\n${out}`);
    assert.deepEqual((await readdir(tmp)).filter((f) => f.startsWith('skyport-demo-')), [], 'no throw-away data left behind');
    // Its PostgreSQL is gone too: nothing listens on its port any more.
    const stillUp = await fetch(`http://127.0.0.1:${pgPort}`).then(() => true, (err: Error & { cause?: { code?: string } }) => err.cause?.code !== 'ECONNREFUSED');
    assert.equal(stillUp, false, 'the embedded PostgreSQL stopped');
  });
});
