import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, EnvSchema, loadConfig, type Config } from '../src/config.ts';
import { parseDuration } from '../src/lib/duration.ts';

const HOUR = 3_600_000;

/** The fields of Config these tests pin down; others (added by later layers) are tested on their own. */
const CORE = ['port', 'host', 'databaseUrl', 'dataDir', 'embeddedPgPort', 'bootstrapToken', 'externalIdTtlMs', 'trashRetentionMs', 'authCacheTtlMs', 'bodyLimit', 'metricsEnabled', 'dbPoolSize', 'logLevel'] as const;
const core = (config: Config) => Object.fromEntries(CORE.map((k) => [k, config[k]]));
const DAY = 24 * HOUR;

test('defaults: an empty environment gives a working local configuration', () => {
  const config = loadConfig({});
  assert.deepEqual(core(config), {
    port: 8080,
    host: '127.0.0.1',
    databaseUrl: undefined,
    dataDir: './data',
    embeddedPgPort: 54329,
    bootstrapToken: undefined,
    externalIdTtlMs: 24 * HOUR,
    trashRetentionMs: 30 * DAY,
    authCacheTtlMs: 5_000,
    bodyLimit: 262_144,
    metricsEnabled: true,
    dbPoolSize: 10,
    logLevel: 'info',
  });
});

test('empty strings count as unset', () => {
  const config = loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', SKYPORT_EXTERNAL_ID_TTL: '' });
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.externalIdTtlMs, 24 * HOUR);
});

test('every variable is read and converted', () => {
  const config = loadConfig({
    PORT: '9090',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://skyport@db:5432/skyport',
    SKYPORT_DATA_DIR: '/var/lib/skyport',
    SKYPORT_EMBEDDED_PG_PORT: '6543',
    SKYPORT_BOOTSTRAP_TOKEN: 'a-bootstrap-token-of-enough-length',
    SKYPORT_EXTERNAL_ID_TTL: '2h',
    SKYPORT_TRASH_RETENTION: '7d',
    SKYPORT_AUTH_CACHE_TTL: '0s',
    SKYPORT_BODY_LIMIT: '1048576',
    SKYPORT_METRICS: 'off',
    SKYPORT_DB_POOL_SIZE: '25',
    LOG_LEVEL: 'debug',
  });
  assert.deepEqual(core(config), {
    port: 9090,
    host: '0.0.0.0',
    databaseUrl: 'postgres://skyport@db:5432/skyport',
    dataDir: '/var/lib/skyport',
    embeddedPgPort: 6543,
    bootstrapToken: 'a-bootstrap-token-of-enough-length',
    externalIdTtlMs: 2 * HOUR,
    trashRetentionMs: 7 * DAY,
    authCacheTtlMs: 0,
    bodyLimit: 1_048_576,
    metricsEnabled: false,
    dbPoolSize: 25,
    logLevel: 'debug',
  });
});

test('AWS settings: STS region, endpoint override, region list', () => {
  const timeouts = { connectMs: 5_000, requestMs: 30_000 };
  assert.deepEqual(loadConfig({}).aws, { stsRegion: 'us-east-1', endpointOverride: false, regions: undefined, timeouts });
  const config = loadConfig({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', SKYPORT_AWS_REGIONS: 'us-east-1, eu-west-1' });
  assert.deepEqual(config.aws, { stsRegion: 'eu-west-1', endpointOverride: true, regions: ['us-east-1', 'eu-west-1'], timeouts });
  const short = loadConfig({ SKYPORT_AWS_CONNECT_TIMEOUT: '1s', SKYPORT_AWS_REQUEST_TIMEOUT: '2500ms', SKYPORT_RUN_DEADLINE: '90s' });
  assert.deepEqual(short.aws.timeouts, { connectMs: 1_000, requestMs: 2_500 });
  assert.equal(short.scheduler.runDeadlineMs, 90_000);
  assert.equal(loadConfig({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }).aws.endpointOverride, true);
  rejects({ SKYPORT_AWS_REGIONS: 'us-east-1;eu-west-1' }, 'SKYPORT_AWS_REGIONS');
});

test('PORT=0 (any free port) is allowed', () => {
  assert.equal(loadConfig({ PORT: '0' }).port, 0);
});

test('unknown variables are ignored', () => {
  assert.doesNotThrow(() => loadConfig({ PATH: '/usr/bin', SKYPORT_NOT_A_SETTING: 'x', HOME: '/root' }));
});

test('the schema describes every variable and gives every non-optional one a default', () => {
  for (const [name, schema] of Object.entries(EnvSchema.properties) as [string, { description?: string; default?: unknown }][]) {
    assert.ok(schema.description, `${name} has no description`);
  }
  const required = new Set<string>(EnvSchema.required ?? []);
  for (const name of ['DATABASE_URL', 'SKYPORT_BOOTSTRAP_TOKEN']) assert.ok(!required.has(name), `${name} should be optional`);
  // Everything else has a default, so an empty environment works.
  for (const [name, schema] of Object.entries(EnvSchema.properties) as [string, { default?: unknown }][]) {
    if (required.has(name)) assert.notEqual(schema.default, undefined, `${name} is required but has no default`);
  }
});

test('parseDuration: units, bare seconds, fractions, case and spaces', () => {
  const cases: [string, number][] = [
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 15 * 60_000],
    ['24h', 24 * HOUR],
    ['30d', 30 * DAY],
    ['45', 45_000],
    ['0', 0],
    ['1.5h', 1.5 * HOUR],
    ['0.5s', 500],
    ['10M', 10 * 60_000],
    [' 2 h ', 2 * HOUR],
    ['1D', DAY],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects what is not a duration', () => {
  for (const text of ['', 'abc', '10w', '-5s', '1h30m', 'h', '1e3s', '5 minutes', '0x10']) {
    assert.throws(() => parseDuration(text), /is not a duration/, JSON.stringify(text));
  }
});

test('durations in the environment are parsed', () => {
  const config = loadConfig({ SKYPORT_EXTERNAL_ID_TTL: '90m', SKYPORT_TRASH_RETENTION: '12h', SKYPORT_AUTH_CACHE_TTL: '250ms' });
  assert.equal(config.externalIdTtlMs, 90 * 60_000);
  assert.equal(config.trashRetentionMs, 12 * HOUR);
  assert.equal(config.authCacheTtlMs, 250);
});

/** loadConfig must throw a ConfigError whose message names the variable. */
function rejects(env: Record<string, string>, variable: string, detail?: RegExp) {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError, `${JSON.stringify(env)} should throw a ConfigError, got ${String(error)}`);
  assert.match(error.message, /^invalid configuration: /);
  assert.ok(error.message.includes(variable), `message should name ${variable}: ${error.message}`);
  if (detail) assert.match(error.message, detail);
  return error;
}

test('bad durations are a ConfigError naming the variable and the value', () => {
  rejects({ SKYPORT_EXTERNAL_ID_TTL: 'soon' }, 'SKYPORT_EXTERNAL_ID_TTL', /"soon" is not a duration/);
  rejects({ SKYPORT_TRASH_RETENTION: '30 days' }, 'SKYPORT_TRASH_RETENTION', /is not a duration/);
  rejects({ SKYPORT_AUTH_CACHE_TTL: '-1s' }, 'SKYPORT_AUTH_CACHE_TTL', /is not a duration/);
});

test('bad numbers are a ConfigError naming the variable', () => {
  rejects({ PORT: 'eighty' }, 'PORT');
  rejects({ PORT: '70000' }, 'PORT');
  rejects({ PORT: '-1' }, 'PORT');
  rejects({ PORT: '80.5' }, 'PORT', /whole number, got "80\.5"/);
  rejects({ PORT: '0x50' }, 'PORT');
  rejects({ PORT: '1e3' }, 'PORT');
  rejects({ SKYPORT_BODY_LIMIT: '1mb' }, 'SKYPORT_BODY_LIMIT');
  rejects({ SKYPORT_EMBEDDED_PG_PORT: '0' }, 'SKYPORT_EMBEDDED_PG_PORT');
  rejects({ SKYPORT_BODY_LIMIT: '10' }, 'SKYPORT_BODY_LIMIT');
  rejects({ SKYPORT_DB_POOL_SIZE: '0' }, 'SKYPORT_DB_POOL_SIZE');
  rejects({ SKYPORT_DB_POOL_SIZE: '1000' }, 'SKYPORT_DB_POOL_SIZE');
});

test('bad choices and short secrets are a ConfigError naming the variable', () => {
  rejects({ SKYPORT_METRICS: 'yes' }, 'SKYPORT_METRICS');
  rejects({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
  rejects({ SKYPORT_BOOTSTRAP_TOKEN: 'short' }, 'SKYPORT_BOOTSTRAP_TOKEN');
});

test('every bad variable is named at once', () => {
  const error = rejects({ PORT: 'x', LOG_LEVEL: 'loud' }, 'PORT');
  assert.ok(error.message.includes('LOG_LEVEL'), error.message);
});

test('the error never echoes the bootstrap token value', () => {
  const error = rejects({ SKYPORT_BOOTSTRAP_TOKEN: 'sekrit' }, 'SKYPORT_BOOTSTRAP_TOKEN');
  assert.ok(!error.message.includes('sekrit'), error.message);
});

test('README.md documents every variable with its default (update the Configuration table when adding one)', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const missing: string[] = [];
  for (const [name, schema] of Object.entries(EnvSchema.properties) as [string, { default?: unknown }][]) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    if (!row) {
      missing.push(`${name} (no table row)`);
      continue;
    }
    const expected = schema.default === undefined ? '(unset)' : `\`${String(schema.default)}\``;
    const cell = row.split('|')[2]?.trim();
    if (cell !== expected) missing.push(`${name} (default column says ${cell}, the schema says ${expected})`);
  }
  assert.deepEqual(missing, [], `README.md configuration table is out of date: ${missing.join('; ')}`);
});

test('SKYPORT_PUBLIC_URL: given, or derived from HOST and PORT, never a wildcard address', () => {
  assert.equal(loadConfig({}).publicUrl, 'http://127.0.0.1:8080');
  assert.equal(loadConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicUrl, 'http://localhost:9000');
  assert.equal(loadConfig({ HOST: '::' }).publicUrl, 'http://localhost:8080');
  assert.equal(loadConfig({ HOST: '::1' }).publicUrl, 'http://[::1]:8080');
  assert.equal(loadConfig({ HOST: '0.0.0.0', SKYPORT_TLS_CERT: '/c.pem', SKYPORT_TLS_KEY: '/k.pem' }).publicUrl, 'https://localhost:8080');
  assert.equal(loadConfig({ SKYPORT_PUBLIC_URL: 'https://skyport.example.com/' }).publicUrl, 'https://skyport.example.com');
  assert.throws(() => loadConfig({ SKYPORT_PUBLIC_URL: 'skyport.example.com' }), /SKYPORT_PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/);
});

test('TLS files come as a pair; DATABASE_URL must be a PostgreSQL URL', () => {
  assert.deepEqual(loadConfig({ SKYPORT_TLS_CERT: '/c.pem', SKYPORT_TLS_KEY: '/k.pem' }).tls, { certFile: '/c.pem', keyFile: '/k.pem' });
  assert.equal(loadConfig({}).tls, undefined);
  assert.throws(() => loadConfig({ SKYPORT_TLS_CERT: '/c.pem' }), /SKYPORT_TLS_CERT and SKYPORT_TLS_KEY must be set together/);
  for (const bad of ['not-a-url', 'mysql://db/x', 'postgres://']) {
    assert.throws(() => loadConfig({ DATABASE_URL: bad }), /DATABASE_URL must be a PostgreSQL URL/, bad);
  }
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/x' }).databaseUrl, 'postgresql://u:p@db:5432/x');
});

test('a bad choice lists the allowed values and the value given', () => {
  assert.throws(() => loadConfig({ LOG_LEVEL: 'verbose' }), { message: 'invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"' });
});
