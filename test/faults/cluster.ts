// The fault suite's world: a PostgreSQL server of its own (stoppable and restartable), the AWS simulator in this
// process, and Skyport replicas as child processes (`src/cli.ts serve`), all on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import { freePort, startThrowawayPostgres } from '../../scripts/throwawayPostgres.mjs';

export const TOKEN = 'fault-suite-admin-token-0000000000';
export const SKYPORT_ACCOUNT = '999900001111';
const ROOT = resolve(import.meta.dirname, '../..');
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Settings of every replica: short leases, periods and timeouts so that each scenario takes seconds. */
export const REPLICA_ENV = {
  SKYPORT_SCHEDULER_POLL: '250ms',
  SKYPORT_SCHEDULER_LEASE: '6s',
  SKYPORT_RUN_DEADLINE: '5s',
  SKYPORT_AWS_REQUEST_TIMEOUT: '2s',
  SKYPORT_AWS_CONNECT_TIMEOUT: '1s',
  SKYPORT_CLOUDWATCH_PERIOD: '10s',
  SKYPORT_CLOUDWATCH_DELAY: '30s',
  SKYPORT_CLOUDWATCH_LOOKBACK: '10m',
  SKYPORT_AWS_REGIONS: 'us-east-1',
  SKYPORT_SHUTDOWN_GRACE: '2s',
  SKYPORT_AUTH_CACHE_TTL: '0s',
  LOG_LEVEL: 'warn',
};
export const DELAY_MS = 30_000;
export const RUN_DEADLINE_MS = 5_000;

export interface FaultPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A PostgreSQL server whose data survives stop()/start() (a restart), removed by destroy(). */
export async function startPostgres(): Promise<FaultPostgres> {
  const server = await startThrowawayPostgres('skyport-faults-pg-', { restartable: true });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE skyport');
  await admin.end();
  return {
    url: server.url.replace(/\/postgres$/, '/skyport'),
    stop: server.halt,
    start: server.resume,
    destroy: server.stop,
  };
}

export interface Replica {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  log: string;
}

/** Starts `src/cli.ts serve` as a child; `skewMs` moves its wall clock (test/faults/preloadSkew.mjs). */
export async function startReplica(opts: { name: string; databaseUrl: string; sim: Simulator; skyport: { accessKeyId: string; secretAccessKey: string }; logDir: string; port?: number; skewMs?: number }): Promise<Replica> {
  const port = opts.port ?? (await freePort());
  const log = join(opts.logDir, `${opts.name}.log`);
  const out = openSync(log, 'a');
  const preload = opts.skewMs ? ['--import', join(ROOT, 'test/faults/preloadSkew.mjs')] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...REPLICA_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: opts.databaseUrl,
      SKYPORT_REPLICA_ID: opts.name,
      SKYPORT_BOOTSTRAP_TOKEN: TOKEN,
      AWS_ENDPOINT_URL: opts.sim.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: opts.skyport.accessKeyId,
      AWS_SECRET_ACCESS_KEY: opts.skyport.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(opts.skewMs ? { FAULT_CLOCK_SKEW_MS: String(opts.skewMs) } : {}),
    },
    stdio: ['ignore', out, out],
  });
  const replica: Replica = { name: opts.name, url: `http://127.0.0.1:${port}`, port, child, exited: undefined, log };
  child.on('exit', (code, signal) => {
    replica.exited = { code, signal };
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (replica.exited) throw new Error(`replica ${opts.name} exited at start (${JSON.stringify(replica.exited)}); see ${log}`);
    if ((await probe(replica, '/readyz', 1_000)).status === 200) return replica;
    await sleep(250);
  }
  throw new Error(`replica ${opts.name} not ready within 60 s; see ${log}`);
}

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
export async function stopReplica(r: Replica, graceMs = 10_000): Promise<void> {
  if (r.exited) return;
  r.child.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (!r.exited && Date.now() < deadline) await sleep(100);
  if (!r.exited) r.child.kill('SIGKILL');
  while (!r.exited) await sleep(50);
}

/** One bounded HTTP call: status (0 when no answer came), body text and time. */
export async function probe(r: Replica, path: string, timeoutMs = 5_000, init: RequestInit = {}): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(r.url + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text(), ms: performance.now() - started };
  } catch {
    return { status: 0, body: '', ms: performance.now() - started };
  }
}

export function api(r: Replica, method: string, path: string, body?: unknown, timeoutMs = 10_000) {
  return probe(r, path, timeoutMs, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** A metric's value from a replica's /metrics (sum over label sets matching `labels`). */
export async function metric(r: Replica, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const res = await probe(r, '/metrics', 5_000);
  if (res.status !== 200) return undefined;
  let sum: number | undefined;
  for (const line of res.body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/** The simulator, with Skyport's identity, checking signatures and clock skew as AWS does. */
export async function startAws(): Promise<{ sim: Simulator; skyport: { accessKeyId: string; secretAccessKey: string; arn: string } }> {
  const sim = await startSimulator({ checkClockSkew: true });
  sim.createAccount({ id: SKYPORT_ACCOUNT });
  const user = sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'skyport' });
  return { sim, skyport: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, arn: user.arn } };
}

/** Creates `count` CloudWatch integrations (one account each, 3 series) through a replica's API. */
export async function createIntegrations(r: Replica, sim: Simulator, skyportArn: string, count: number, first = 0, extra: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = first; i < first + count; i++) {
    const accountId = String(300000000000 + i);
    const ext = await api(r, 'POST', '/api/v2/cloudintegration/awsExternalId');
    const externalId = JSON.parse(ext.body).response as string;
    const seeded = sim.seedAccount({
      accountId,
      regions: ['us-east-1'],
      role: { name: `Skyport${i}`, trustedPrincipals: [skyportArn], externalId },
      seedRegions: ['us-east-1'],
      instancesPerRegion: 1,
      seriesPerRegion: 3,
    });
    const res = await api(r, 'POST', '/api/v2/cloudintegration', {
      name: `fault ${i}`,
      service: 'CLOUDWATCH',
      serviceRefreshRateInMins: 1,
      cloudWatch: { baseCredentials: { roleArn: seeded.role!.arn, externalId }, namespaces: ['AWS/EC2'], ...extra },
    });
    if (res.status !== 200) throw new Error(`create failed: ${res.status} ${res.body}`);
    ids.push(JSON.parse(res.body).response.id as string);
  }
  return ids;
}

/**
 * Makes every idle integration due now, every `everyMs`: many collection cycles in seconds instead of minutes.
 * Only the schedule is moved; windows still follow the clock (10 s periods).
 */
export function driveCycles(pool: pg.Pool, everyMs = 2_000) {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await pool.query(`UPDATE integrations SET next_run_at = now() WHERE NOT disabled AND lease_owner IS NULL AND next_run_at > now()`).catch(() => {});
      await sleep(everyMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

export function harnessPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 3, application_name: 'fault-harness', connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  return pool;
}
