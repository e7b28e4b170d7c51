import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseLogFormat, prettyMessage } from '../src/logger.ts';
import { BIN, childEnv, createEmptyTestDatabase, freePort, ROOT, startServer, type ServerProcess } from './helpers/process.ts';

async function until(what: string, check: () => boolean, timeoutMs = 30_000, output = () => '') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM');
  await server.exited;
}

describe('log format', () => {
  test('pretty at a terminal, JSON otherwise; LOG_FORMAT decides when set', () => {
    assert.equal(chooseLogFormat(undefined, true), 'pretty');
    assert.equal(chooseLogFormat(undefined, false), 'json');
    assert.equal(chooseLogFormat('json', true), 'json');
    assert.equal(chooseLogFormat('pretty', false), 'pretty');
  });

  test('a pretty request line reads method, URL, status and time; other lines their message', () => {
    assert.equal(prettyMessage({ msg: 'request completed', req: { method: 'GET', url: '/api/v2/event' }, res: { statusCode: 200 }, responseTime: 2.6 }, 'msg'), 'GET /api/v2/event 200 3ms');
    assert.equal(prettyMessage({ msg: 'migrations applied' }, 'msg'), 'migrations applied');
  });
});

describe('skyport serve logs (child process)', () => {
  test('piped: JSON lines; probes not logged at info; one warn line per failed collection, no stack; the token banner comes last', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const closedPort = await freePort(); // nothing listens there: AWS is unreachable, and Skyport has no AWS credentials
    const server = await startServer({
      DATABASE_URL: empty.url,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      SKYPORT_SCHEDULER_POLL: '200ms',
    });
    t.after(server.kill);
    const out = () => server.stdout();
    await until('the banner', () => out().includes('First start'), 30_000, out);

    // The banner comes after the start-up lines.
    const text = out();
    const bannerAt = text.indexOf('First start');
    assert.ok(text.lastIndexOf('Swagger UI') < bannerAt && text.indexOf('migrations applied') < bannerAt, text);
    const token = /It is shown only this once:\s+(\S+)/.exec(text)![1];

    for (const path of ['/healthz', '/readyz', '/readyz', '/metrics']) assert.equal((await fetch(`${server.base}${path}`)).status, 200);
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json() as Promise<{ response: any }>);
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).response;
    const created = await api('POST', '/api/v2/cloudintegration', {
      name: 'unreachable account',
      service: 'CLOUDWATCH',
      forceSave: true,
      cloudWatch: { baseCredentials: { roleArn: 'arn:aws:iam::123456789012:role/r', externalId } },
    });
    const id = created.response.id as string;
    await until('a failed collection', () => out().includes('collection of \\"unreachable account\\" failed'), 30_000, out);
    await new Promise((r) => setTimeout(r, 1500)); // the buffered lines after it

    const lines = out().split('\n').filter((l) => l.trim() !== '');
    const logLines = lines.filter((l) => l.startsWith('{'));
    for (const l of logLines) JSON.parse(l);
    const banner = lines.filter((l) => !l.startsWith('{'));
    assert.ok(banner.every((l) => /First start|shown only this once|skp_|Try:/.test(l)), `only the banner is not JSON:\n${banner.join('\n')}`);

    const parsed = logLines.map((l) => JSON.parse(l));
    const probeLines = parsed.filter((l) => ['/healthz', '/readyz', '/metrics'].includes(l.req?.url));
    assert.deepEqual(probeLines, [], 'probes are not logged at info');
    assert.ok(parsed.some((l) => l.req?.url === '/api/v2/cloudintegration' && l.level === 30), 'API requests are');

    const failures = parsed.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('collection of "unreachable account" failed'));
    assert.ok(failures.length >= 1);
    for (const f of failures) {
      assert.equal(f.level, 40, 'warn, not error');
      assert.equal(f.integrationId, id);
      assert.equal(f.code, 'CredentialsProviderError');
      assert.match(f.msg, /CredentialsProviderError/);
      assert.match(f.msg, /AWS set-up/, 'says what to do');
      assert.equal(f.err, undefined, 'no error object (stack) at info');
    }
    assert.ok(!out().includes('    at '), 'no stack trace anywhere at info');
    await stop(server);
  });

  test('at a terminal (a pseudo-terminal from script(1)) the lines are readable: time, level name, message', async (t) => {
    const empty = await createEmptyTestDatabase();
    t.after(empty.drop);
    const port = await freePort();
    // script(1) gives the child a terminal as stdout; its own output is what the terminal showed. The shell
    // notes the server's pid (exec keeps it) so that the test can always end it.
    const pidFile = join(tmpdir(), `skyport-tty-${port}.pid`);
    const child = spawn('script', ['-qfec', `echo $$ > ${pidFile}; exec ${process.execPath} ${BIN} serve`, '/dev/null'], {
      cwd: ROOT,
      env: childEnv({ DATABASE_URL: empty.url, HOST: '127.0.0.1', PORT: String(port), SKYPORT_BOOTSTRAP_TOKEN: 'tty-test-token-0123456789', SKYPORT_SCHEDULER: 'off' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise((r) => child.once('exit', r));
    t.after(async () => {
      const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
      // Only while that pid is still this server (never a process that got the number since).
      const cmd = pid > 0 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
      if (cmd.includes('skyport.js')) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await rm(pidFile, { force: true });
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await until('Swagger UI', () => out.includes('Swagger UI'), 60_000, () => out);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v2/cloudintegration`)).status, 401);
    await until('the request line', () => out.includes('/api/v2/cloudintegration 401'), 10_000, () => out);
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
    assert.ok(!plain.includes('{"level"'), `no JSON lines at a terminal:\n${plain}`);
    assert.match(plain, /\[\d\d:\d\d:\d\d\.\d{3}\] INFO: migrations applied/);
    assert.match(plain, /INFO: GET \/api\/v2\/cloudintegration 401 \d+ms/);
    // Ctrl-C at the terminal: the server shuts down and script(1) ends with it.
    child.stdin.write('\u0003');
    await exited;
    assert.match(out.replace(/\u001b\[[0-9;]*m/g, ''), /INFO: shutting down/);
  });
});
