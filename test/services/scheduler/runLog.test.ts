import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Writable } from 'node:stream';
import { adviceFor, logFailedRun } from '../../../src/services/collection/scheduler/runLog.ts';

/** A real pino logger at `level` writing JSON lines into an array. */
function capture(level: string) {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

const run = { id: '0b6d6a43-7d47-4d5e-9a39-111111111111', name: 'prod', service: 'CLOUDWATCH' };
const thrown = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

test('a failed collection is one warn line with the integration, the AWS code and what to do; the stack only at debug', () => {
  const info = capture('info');
  logFailedRun(info.log, run, { kind: 'other', code: 'CredentialsProviderError', message: thrown.message }, thrown);
  assert.equal(info.lines.length, 1);
  const [line] = info.lines;
  assert.equal(line.level, 40);
  assert.equal(line.integrationId, run.id);
  assert.equal(line.code, 'CredentialsProviderError');
  assert.match(line.msg, /^collection of "prod" failed: CredentialsProviderError: Could not load credentials from any providers\. Skyport has no AWS credentials/);
  assert.ok(!JSON.stringify(line).includes('    at '), 'no stack at info');

  const debug = capture('debug');
  logFailedRun(debug.log, run, { kind: 'other', code: 'CredentialsProviderError', message: thrown.message }, thrown);
  assert.equal(debug.lines.length, 2);
  assert.match(debug.lines[1].err.stack, /CredentialsProviderError/);
});

test('the advice fits the kind of failure', () => {
  assert.match(adviceFor({ kind: 'credentials', code: 'AccessDenied', message: '' }, run.id), new RegExp(`trust policy.*/api/v2/cloudintegration/${run.id}/enable`));
  assert.match(adviceFor({ kind: 'denied', code: 'UnauthorizedOperation', message: '' }, run.id), /permissions policy/);
  assert.match(adviceFor({ kind: 'transient', code: 'Throttling', message: '' }, run.id), /back-off/);
  assert.match(adviceFor({ kind: 'other', code: 'ValidationError', message: '' }, run.id), /\/run/);
});
