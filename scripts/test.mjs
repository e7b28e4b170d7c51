// Runs every test file under test/ with node:test through tsx.
// Tests need a PostgreSQL server: TEST_DATABASE_URL when set (CI points it at the local server), otherwise
// an embedded one is started here for the run and removed afterwards, so a newcomer needs nothing but Node.
// Node 20's --test does not expand globs itself, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startThrowawayPostgres } from './throwawayPostgres.mjs';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('test').sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

let embedded;
if (!process.env.TEST_DATABASE_URL) {
  console.log('TEST_DATABASE_URL is not set: starting an embedded PostgreSQL for this run');
  embedded = await startThrowawayPostgres('skyport-test-pg-');
}
const env = {
  ...process.env,
  TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? embedded.url,
  // The pinned AWS SDK warns once per process that its 2027 releases need Node 22; tests run on Node 20.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
if (embedded) await embedded.stop();
process.exit(code);
