// Issue 9, item 8: small 500s become 4xx, and a start that cannot work says why.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { BIN, childEnv, freePort } from '../helpers/process.ts';
import { assertError, suiteApp, tenant } from './fixtures.ts';

describe('hostile input gets a 4xx in the envelope', () => {
  const ctx = suiteApp();

  test('GET and DELETE /awsExternalId/%00 (a NUL in the path) are 400, not 500', async () => {
    const { call } = await tenant(ctx().app);
    for (const method of ['GET', 'DELETE'] as const) {
      for (const id of ['%00', 'abc%00def']) {
        assertError(await call(method, `/api/v2/cloudintegration/awsExternalId/${id}`), 400, 'NUL');
      }
    }
  });

  test('a NUL in a search value is 400, not 500', async () => {
    const { read } = await tenant(ctx().app);
    assertError(await read('POST', '/api/v2/search/cloudintegration', { query: [{ key: 'name', value: 'a\u0000b' }] }), 400, 'NUL');
  });

  test('an over-long URL gets a 431 in the Wavefront envelope, not Fastify\'s plain one', async (t) => {
    const { app } = ctx();
    const { token } = await tenant(app);
    // Through a real socket: the limit is Node's HTTP parser's, which app.inject bypasses.
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.server.close());
    const res = await fetch(`${address}/api/v2/cloudintegration/awsExternalId/${'x'.repeat(20_000)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 431);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const body = (await res.json()) as { status: { result: string; code: number; message: string } };
    assert.deepEqual(Object.keys(body), ['status']);
    assert.equal(body.status.result, 'ERROR');
    assert.equal(body.status.code, 431);
    assert.match(body.status.message, /larger than this server accepts/);
  });
});

describe('the embedded PostgreSQL as root, from a folder the postgres user cannot enter', () => {
  const root = process.getuid?.() === 0;
  test('the start fails with a message saying what is wrong and what to do, not a spawn EACCES stack', { skip: !root && 'only root runs PostgreSQL as another user' }, async (t) => {
    const folder = await mkdtemp(join(tmpdir(), 'skyport-noaccess-')); // mode 0700, owner root
    t.after(() => rm(folder, { recursive: true, force: true }));
    assert.equal((await stat(folder)).mode & 0o777, 0o700);
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: folder, // the data directory is ./data: inside the folder
      env: childEnv({ PORT: String(port), SKYPORT_EMBEDDED_PG_PORT: String(await freePort()) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /cannot start the embedded PostgreSQL/);
    assert.ok(stderr.includes(`cannot enter ${folder} (mode 0700`), stderr);
    assert.match(stderr, /chmod o\+x/);
    assert.match(stderr, /DATABASE_URL/);
    assert.doesNotMatch(stderr, /EACCES|\n\s+at /, 'no raw spawn error or stack');
  });
});
