import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LOG_REDACT, LOG_SERIALIZERS } from '../../../src/app.ts';
import { createSecretBox } from '../../../src/services/secrets/secretBox.ts';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws } from '../../helpers/aws.ts';
import { assertError, ok } from '../fixtures.ts';
import { accessKeyBody, BASE, TEST_SECRET_KEY } from './fixtures.ts';

const ACCOUNT = '210987654321';

function logSink() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // The logger as the server builds it (src/server.ts), at the most talkative level.
  return { lines, logger: pino({ level: 'trace', redact: LOG_REDACT }, sink) };
}

/** Every row of every table of the database, as text. */
async function everyRow(pool: { query: (q: string) => Promise<{ rows: any[] }> }): Promise<string> {
  const tables = (await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => r.table_name);
  const parts: string[] = [];
  for (const table of tables) parts.push(...(await pool.query(`SELECT t::text AS row FROM "${table}" t`)).rows.map((r) => r.row));
  return parts.join('\n');
}

test('the secret access key never appears in a response, a log line or the database in clear; a PUT without it keeps it', async (t) => {
  const aws = await startTestAws(t);
  const { lines, logger } = logSink();
  const { app, admin, database } = await buildTestApp(t, { aws: aws.settings, logger, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  const api = client(app, admin);
  const user = aws.sim.createUser({ accountId: ACCOUNT, name: 'agent' });
  const secret = user.secretAccessKey;
  const responses: unknown[] = [];
  const call = async (...args: Parameters<typeof api>) => {
    const res = await api(...args);
    responses.push(res.body);
    return res;
  };

  const created = ok(await call('POST', BASE, accessKeyBody(user.accessKeyId, secret)));
  assert.deepEqual(created.credentials, { type: 'ACCESS_KEY', accessKeyId: user.accessKeyId, secretAccessKey: '********' });
  const id = created.id;
  // Failing requests that carry the secret are logged as errors.
  assertError(await call('POST', BASE, accessKeyBody(user.accessKeyId, secret, { regions: ['nowhere-1'] })), 400, 'regions');
  assertError(await call('POST', BASE, accessKeyBody('AKIAUNKNOWN000000000', secret)), 400, 'InvalidClientTokenId');
  // Read back as a client would and sent back: the mask keeps the stored secret, so does leaving it out.
  const read = ok(await call('GET', `${BASE}/${id}`));
  ok(await call('PUT', `${BASE}/${id}`, { ...read, name: 'renamed' }));
  ok(await call('PUT', `${BASE}/${id}`, accessKeyBody(user.accessKeyId, undefined, { name: 'renamed again' })));
  ok(await call('GET', BASE));
  ok(await call('POST', '/api/v2/search/apigatewayconnection', { query: [{ key: 'name', value: 'renamed' }] }));
  ok(await call('GET', `${BASE}/${id}/policy`));
  const checked = ok(await call('POST', `${BASE}/${id}/check`));
  assert.equal(checked.ok, true, `the stored secret still signs: ${JSON.stringify(checked.rows)}`);
  assert.equal(aws.sim.callCount({ service: 'sts', api: 'GetCallerIdentity', principal: user.arn, error: false }), 2, 'create and check');

  // A new key id without its secret is refused; with it, the new secret is stored.
  assertError(await call('PUT', `${BASE}/${id}`, accessKeyBody('AKIAOTHER00000000000', undefined, { forceSave: true })), 400, 'secretAccessKey is required');

  assert.ok(lines.length >= responses.length, 'one log line per request at least');
  for (const line of lines) assert.ok(!line.includes(secret), `log line without the secret: ${line}`);
  for (const body of responses) assert.ok(!JSON.stringify(body).includes(secret), 'response without the secret');
  const rows = await everyRow(database.pool);
  assert.ok(!rows.includes(secret), 'no row holds the secret in clear');

  // What is stored is AES-256-GCM under the configured key, bound to the connection.
  const [{ secret_ciphertext: stored }] = (await database.pool.query('SELECT secret_ciphertext FROM apigateway_connections WHERE id = $1', [id])).rows;
  assert.match(stored, /^v1:[\w-]{8}:[\w-]+:[\w-]+:[\w-]+$/);
  const box = createSecretBox({ key: TEST_SECRET_KEY });
  assert.equal(await box.decrypt(stored, id), secret);
  await assert.rejects(box.decrypt(stored, '00000000-0000-0000-0000-000000000000'), 'bound to its connection');
});

test('the redaction paths hide a connection secret wherever a request body or credentials object is logged', () => {
  const lines: string[] = [];
  // The logger as the server builds it (src/server.ts): pino with LOG_REDACT and LOG_SERIALIZERS.
  const logger = pino({ level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
  const credentials = { type: 'ACCESS_KEY', accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'very-secret-value' };
  logger.info({ body: { credentials } }, 'body');
  logger.info({ credentials }, 'credentials');
  // A logged request keeps only its method and URL (the req serializer): its body is not logged at all.
  logger.info({ req: { method: 'POST', url: '/api/v2/apigatewayconnection', body: { credentials } } }, 'request');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.ok(!line.includes('very-secret-value'), line);
  for (const line of lines.slice(0, 2)) assert.ok(line.includes('AKIAEXAMPLE000000001'), 'the key id stays visible');
});

test('the embedded default creates its key file in the data directory with mode 0600 and reuses it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skyport-secret-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const aws = await startTestAws(t);
  const { app, admin } = await buildTestApp(t, { aws: aws.settings, env: { SKYPORT_DATA_DIR: dir } });
  ok(await client(app, admin)('POST', BASE, accessKeyBody('AKIAEXAMPLE000000001', 'the-secret', { forceSave: true })));
  const file = join(dir, 'secret.key');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const key = (await readFile(file, 'utf8')).trim();
  assert.equal(Buffer.from(key, 'base64').length, 32);

  // Another box on the same file (a restart) reads what the first wrote; another key says so.
  const first = createSecretBox({ keyFile: file });
  const sealed = await first.encrypt('s3cr3t', 'ctx');
  assert.equal(await createSecretBox({ keyFile: file }).decrypt(sealed, 'ctx'), 's3cr3t');
  assert.equal((await readFile(file, 'utf8')).trim(), key, 'the file is not rewritten');
  await assert.rejects(createSecretBox({ key: TEST_SECRET_KEY }).decrypt(sealed, 'ctx'), /another key/);
});

test('with an external database and no SKYPORT_SECRET_KEY an access key cannot be stored: a 503 that says what to set', async (t) => {
  const aws = await startTestAws(t);
  const { app, admin } = await buildTestApp(t, { aws: aws.settings, env: { DATABASE_URL: 'postgres://elsewhere/skyport' } });
  const res = await client(app, admin)('POST', BASE, accessKeyBody('AKIAEXAMPLE000000001', 'the-secret', { forceSave: true }));
  assertError(res, 503, 'SKYPORT_SECRET_KEY');
});
