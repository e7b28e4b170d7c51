// npm run bench:scheduler -- [--integrations 2000] [--replicas 2] [--cycles 3] [--warmup-cycles 1] [--series 50]
//                            [--latency-ms 30] [--concurrency 32] [--pool 10] [--delay 5m] [--lookback 1m]
//                            [--setup-concurrency 16] [--log-level info] [--cpu-prof] [--keep]
//
// The scheduler under production conditions: the AWS simulator (bench/scheduler-sim.ts, its own process) with one
// simulated account per integration (a trusted cross-account role, 10 instances, `--series` AWS/EC2 series) and a
// latency fault of `--latency-ms` on every call; `--replicas` Skyport processes (`node bin/skyport.js serve`)
// sharing one fresh PostgreSQL database and reaching AWS the production way (AWS_ENDPOINT_URL, Skyport's identity
// in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the SDK's default chain, SKYPORT_AWS_REGIONS=us-east-1);
// integrations created through the HTTP API (forceSave) with a 1-minute refresh.
//
// A cycle is any 60-second span: every integration has exactly one slot in it (its slots are k·60 s + a fixed
// jitter offset). After every integration has run once and `--warmup-cycles` more minutes, `--cycles` cycles are
// measured: [T0, T0 + cycles·60 s). Runs and claims are recorded by bench-only triggers in the bench database
// (statement triggers on `integrations`, a row trigger on `collector_cursors`), GetMetricData calls by the
// simulator process, CPU from /proc. The last line of output is one JSON object. See docs/PERFORMANCE.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { summarise } from './cpu-top.ts';
import { acquireBenchDatabase, freePort, type BenchDatabase } from './postgres.ts';
import {
  allProcesses,
  buckets,
  byLabel,
  cpuSeconds,
  diffBuckets,
  histogramQuantile,
  machineCpu,
  machineSplit,
  parseProm,
  percentile,
  pgCpuSampler,
  postmasterOf,
  processDelta,
  round,
  sum,
  type Sample,
} from './scheduler-measure.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CYCLE_MS = 60_000;
const STATS_PER_METRIC = 4; // Sum, SampleCount, Minimum, Maximum: every output statistic of the collector

const { values: flags } = parseArgs({
  options: {
    integrations: { type: 'string', default: '2000' },
    replicas: { type: 'string', default: '2' },
    cycles: { type: 'string', default: '3' },
    'warmup-cycles': { type: 'string', default: '1' },
    series: { type: 'string', default: '50' },
    instances: { type: 'string', default: '10' },
    'latency-ms': { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '32' },
    pool: { type: 'string', default: '10' },
    delay: { type: 'string', default: '5m' },
    lookback: { type: 'string', default: '1m' },
    'setup-concurrency': { type: 'string', default: '16' },
    'drain-timeout': { type: 'string', default: '180' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-audit': { type: 'boolean', default: false },
  },
});
const AUDIT = !flags['no-audit'];
const N = Number(flags.integrations);
const REPLICAS = Number(flags.replicas);
const CYCLES = Number(flags.cycles);
const WARMUP_CYCLES = Number(flags['warmup-cycles']);
const SERIES = Number(flags.series);
const INSTANCES = Number(flags.instances);
const LATENCY_MS = Number(flags['latency-ms']);
const SETUP_CONCURRENCY = Number(flags['setup-concurrency']);
const QUERIES_PER_WINDOW = SERIES * STATS_PER_METRIC;
if (!(N > 0 && REPLICAS > 0 && CYCLES >= 1 && SERIES > 0)) throw new Error('--integrations, --replicas, --cycles and --series must be positive');

const SKYPORT_ACCOUNT = '111111111111';
const SKYPORT_KEY = { accessKeyId: 'AKIASKYPORTBENCH0001', secretAccessKey: 'skyport-bench-secret-access-key-00000000' };

const started = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// ---------------------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: string;
  proc: ChildProcess;
  logPath: string;
  exited: boolean;
  stop(): Promise<void>;
}

const childProcs: Child[] = [];

function tail(path: string, lines = 30) {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

function spawnChild(name: string, args: string[], env: Record<string, string>, dir: string, stdout: 'file' | 'pipe' = 'file'): Child {
  const logPath = join(dir, `${name}.log`);
  const fd = openSync(logPath, 'w');
  // Logs go straight to a file, as a process manager would take them: the benchmark never reads them live.
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', stdout === 'pipe' ? 'pipe' : fd, fd] });
  closeSync(fd);
  const exit = new Promise<void>((done) => proc.once('exit', () => ((child.exited = true), done())));
  const child: Child = {
    name,
    proc,
    logPath,
    exited: false,
    async stop() {
      if (child.exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 40_000);
      await exit;
      clearTimeout(timer);
    },
  };
  childProcs.push(child);
  return child;
}

async function waitReady(child: Child, url: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited) throw new Error(`${child.name} exited during start-up:\n${tail(child.logPath)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} did not become ready:\n${tail(child.logPath)}`);
    await sleep(200);
  }
}

async function startSimulator(dir: string): Promise<{ child: Child; url: string; stats: string }> {
  const child = spawnChild('simulator', ['--import', 'tsx', 'bench/scheduler-sim.ts'], {}, dir, 'pipe');
  const lines = createInterface({ input: child.proc.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    sleep(60_000).then(() => ''),
  ]);
  lines.close();
  if (!first) throw new Error(`the simulator did not start:\n${tail(child.logPath)}`);
  const { url, stats } = JSON.parse(first) as { url: string; stats: string };
  return { child, url, stats };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP helpers

async function json<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Runs `fn` over 0..n-1 with at most `limit` at once. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Bench-only audit triggers in the bench database (created after Skyport's migrations, dropped with the database)

const AUDIT_TABLES_SQL = `
CREATE TABLE bench_claims (id uuid, due timestamptz, claimed timestamptz, owner text);
CREATE TABLE bench_runs (id uuid, due timestamptz, finished timestamptz, owner text, ok boolean, tx bigint);
CREATE TABLE bench_cursor_moves (integration_id uuid, scope text, old_position text, new_position text, tx bigint, at timestamptz);
`;
const AUDIT_TRIGGERS_SQL = `
CREATE FUNCTION bench_audit_integrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- a claim: a new lease token (OLD.next_run_at is the slot it is due for)
  INSERT INTO bench_claims
    SELECT n.id, o.next_run_at, clock_timestamp(), n.lease_owner FROM new_rows n JOIN old_rows o USING (id)
     WHERE n.lease_token IS NOT NULL AND n.lease_token IS DISTINCT FROM o.lease_token;
  -- a recorded run: lastProcessingTimestamp moved (OLD.next_run_at is the slot it ran for)
  INSERT INTO bench_runs
    SELECT n.id, o.next_run_at, clock_timestamp(), n.last_processor_id, n.consecutive_failures = 0 AND NOT n.disabled, txid_current()
      FROM new_rows n JOIN old_rows o USING (id)
     WHERE n.last_processing_timestamp IS DISTINCT FROM o.last_processing_timestamp;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_audit_integrations AFTER UPDATE ON integrations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_audit_integrations();
CREATE FUNCTION bench_audit_cursors() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bench_cursor_moves VALUES (NEW.integration_id, NEW.scope, CASE WHEN TG_OP = 'UPDATE' THEN OLD.position END, NEW.position, txid_current(), clock_timestamp());
  RETURN NULL;
END $$;
CREATE TRIGGER bench_audit_cursors AFTER INSERT OR UPDATE ON collector_cursors FOR EACH ROW EXECUTE FUNCTION bench_audit_cursors();
`;

// ---------------------------------------------------------------------------------------------------------
// Snapshots

interface Snapshot {
  at: number;
  hrUs: number;
  replicaCpu: number[];
  simCpu: number;
  benchCpu: number;
  machine: { busy: number; total: number };
  split: Record<string, number>;
  procs: ReturnType<typeof allProcesses>;
  metrics: Sample[][];
  counters: Record<string, number>;
  pgStat: Record<string, number>;
}

async function snapshot(replicaPorts: number[], replicaPids: number[], simPid: number, simUrl: string, db: pg.Pool, dbName: string): Promise<Snapshot> {
  const [metrics, counters, pgStat] = await Promise.all([
    Promise.all(replicaPorts.map(async (port) => parseProm(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()))),
    json<{ byApi: Record<string, number> }>('GET', `${simUrl}/_simulator/counters`).then((c) => c.byApi),
    db
      .query(
        `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, blks_read, blks_hit, active_time, session_time, blk_write_time, blk_read_time
           FROM pg_stat_database WHERE datname = $1`,
        [dbName],
      )
      .then((r) => Object.fromEntries(Object.entries(r.rows[0] as Record<string, unknown>).map(([k, v]) => [k, Number(v)]))),
  ]);
  return {
    at: Date.now(),
    hrUs: Number(process.hrtime.bigint() / 1000n),
    replicaCpu: replicaPids.map(cpuSeconds),
    simCpu: cpuSeconds(simPid),
    benchCpu: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineCpu(),
    split: machineSplit(),
    procs: allProcesses(),
    metrics,
    counters,
    pgStat,
  };
}

const delta = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys({ ...a, ...b }).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));

function replicaSum(s: Snapshot, name: string, where: Record<string, string> = {}) {
  return s.metrics.reduce((a, m) => a + sum(m, name, where), 0);
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'skyport-bench-scheduler-'));
  const profileDir = join(dir, 'profiles');
  let database: BenchDatabase | undefined;
  let admin: pg.Pool | undefined;
  let stopSampler: (() => void) | undefined;
  const cleanup = async () => {
    stopSampler?.();
    for (const child of [...childProcs].reverse()) await child.stop().catch(() => {});
    await admin?.end().catch(() => {});
    admin = undefined;
    if (database) await database.drop().catch((err) => log(`could not drop the bench database: ${err}`));
    database = undefined;
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    database = await acquireBenchDatabase(log);
    const dbName = new URL(database.url).pathname.slice(1);
    log(`PostgreSQL ${database.serverVersion} (${database.source}), database ${dbName}`);

    // ---- the simulated AWS -------------------------------------------------------------------------------
    const sim = await startSimulator(dir);
    log(`simulator ${sim.url} (pid ${sim.child.proc.pid})`);
    const skyportUser = await json<{ arn: string }>('POST', `${sim.url}/_simulator/users`, { accountId: SKYPORT_ACCOUNT, name: 'skyport', ...SKYPORT_KEY });
    if (LATENCY_MS > 0) await json('POST', `${sim.url}/_simulator/faults`, { kind: 'latency', latencyMs: LATENCY_MS });

    // ---- the replicas ------------------------------------------------------------------------------------
    const token = randomBytes(24).toString('hex');
    const ports = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()));
    const baseEnv = (i: number): Record<string, string> => {
      const env: Record<string, string> = {
        DATABASE_URL: database!.url,
        PORT: String(ports[i]),
        HOST: '127.0.0.1',
        SKYPORT_REPLICA_ID: `replica-${i + 1}`,
        SKYPORT_BOOTSTRAP_TOKEN: token,
        SKYPORT_SCHEDULER_CONCURRENCY: flags.concurrency!,
        SKYPORT_DB_POOL_SIZE: flags.pool!,
        SKYPORT_CLOUDWATCH_DELAY: flags.delay!,
        SKYPORT_CLOUDWATCH_LOOKBACK: flags.lookback!,
        SKYPORT_AWS_REGIONS: 'us-east-1',
        LOG_LEVEL: flags['log-level']!,
        AWS_ENDPOINT_URL: sim.url,
        AWS_ACCESS_KEY_ID: SKYPORT_KEY.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SKYPORT_KEY.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      // The environment we inherit may carry Skyport or AWS settings: production defaults unless set above.
      for (const key of Object.keys(process.env)) {
        if ((key.startsWith('SKYPORT_') || key.startsWith('AWS_') || key === 'LOG_LEVEL') && !(key in env)) env[key] = '';
      }
      return env;
    };
    if (flags['cpu-prof']) mkdirSync(profileDir, { recursive: true });
    const replicas = ports.map((_, i) =>
      spawnChild(
        `replica-${i + 1}`,
        [...(flags['cpu-prof'] && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'bin/skyport.js', 'serve'],
        baseEnv(i),
        dir,
      ),
    );
    await Promise.all(replicas.map((r, i) => waitReady(r, `http://127.0.0.1:${ports[i]}/readyz`)));
    const replicaPids = replicas.map((r) => r.proc.pid!);
    log(`${REPLICAS} replicas ready (pids ${replicaPids.join(', ')}), concurrency ${flags.concurrency}, pool ${flags.pool}`);

    admin = new pg.Pool({ connectionString: database.url, max: 2 });
    await admin.query(AUDIT_TABLES_SQL);
    // --no-audit: the same run without the triggers, to see what they cost PostgreSQL (the figures that come
    // from them are then null).
    if (AUDIT) await admin.query(AUDIT_TRIGGERS_SQL);
    const backend = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const postmaster = postmasterOf(backend);
    const pgCpu = postmaster ? pgCpuSampler(postmaster, dbName) : undefined;
    stopSampler = () => pgCpu?.stop();

    // ---- setup through the API: external IDs, simulated accounts trusting them, integrations --------------
    const setupStarted = Date.now();
    const auth = { authorization: `Bearer ${token}` };
    const api = (i: number) => `http://127.0.0.1:${ports[i % REPLICAS]}`;
    const externalIds: string[] = new Array(N);
    await pool(N, SETUP_CONCURRENCY, async (i) => {
      externalIds[i] = (await json<{ response: string }>('POST', `${api(i)}/api/v2/cloudintegration/awsExternalId`, undefined, auth)).response;
    });
    const roleArns: string[] = new Array(N);
    const accountOf = (i: number) => String(300_000_000_000 + i);
    for (let from = 0; from < N; from += 250) {
      const batch = Array.from({ length: Math.min(250, N - from) }, (_, k) => ({
        accountId: accountOf(from + k),
        regions: ['us-east-1'],
        role: { name: 'SkyportIntegration', trustedPrincipals: [skyportUser.arn], externalId: externalIds[from + k] },
        seedRegions: ['us-east-1'],
        instancesPerRegion: INSTANCES,
        seriesPerRegion: SERIES,
      }));
      const seeded = await json<Array<{ role: { arn: string } }>>('POST', `${sim.url}/_simulator/seed/account`, batch);
      seeded.forEach((s, k) => (roleArns[from + k] = s.role.arn));
    }
    const setupSimDone = Date.now();
    await pool(N, SETUP_CONCURRENCY, async (i) => {
      await json('POST', `${api(i)}/api/v2/cloudintegration`, {
        name: `bench account ${accountOf(i)}`,
        service: 'CLOUDWATCH',
        serviceRefreshRateInMins: 1,
        forceSave: true,
        cloudWatch: { baseCredentials: { roleArn: roleArns[i], externalId: externalIds[i] }, namespaces: ['AWS/EC2'] },
      }, auth);
    });
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    log(`setup: ${N} external IDs + ${N} simulated accounts (${SERIES} series each) + ${N} integrations through the API in ${setupSeconds.toFixed(1)} s`);

    // ---- warm-up: every integration has run once, then `--warmup-cycles` minutes ----------------------------
    const firstRunDeadline = Date.now() + 15 * 60_000;
    for (;;) {
      const { rows } = await admin.query<{ done: string; disabled: string }>(
        'SELECT count(*) FILTER (WHERE last_processing_timestamp IS NOT NULL) AS done, count(*) FILTER (WHERE disabled) AS disabled FROM integrations',
      );
      const done = Number(rows[0].done);
      if (done >= N) break;
      if (Date.now() > firstRunDeadline) throw new Error(`only ${done} of ${N} integrations ran within 15 minutes`);
      await sleep(2000);
    }
    const firstCycleSeconds = (Date.now() - setupStarted) / 1000;
    log(`every integration has run once (${firstCycleSeconds.toFixed(0)} s after setup began); warming up ${WARMUP_CYCLES} cycle(s)`);
    const T0 = Date.now() + WARMUP_CYCLES * CYCLE_MS;
    const T1 = T0 + CYCLES * CYCLE_MS;
    await sleep(T0 - Date.now());

    // ---- measured cycles ----------------------------------------------------------------------------------
    pgCpu?.reset();
    const s0 = await snapshot(ports, replicaPids, sim.child.proc.pid!, sim.url, admin, dbName);
    log(`measuring ${CYCLES} cycle(s): ${new Date(T0).toISOString()} → ${new Date(T1).toISOString()}`);
    while (Date.now() < T1) {
      await sleep(Math.min(30_000, T1 - Date.now()));
      const { rows } = await admin.query<{ runs: string; late: string }>(
        `SELECT (SELECT count(*) FROM bench_runs WHERE due >= $1) AS runs,
                (SELECT count(*) FROM integrations WHERE NOT disabled AND next_run_at < now() - interval '5 seconds') AS late`,
        [new Date(T0)],
      );
      const m = machineCpu();
      log(`  ${Math.round((Date.now() - T0) / 1000)} s: ${rows[0].runs} runs recorded for slots since T0, ${rows[0].late} integrations more than 5 s overdue; machine ${(100 * (m.busy - s0.machine.busy) / Math.max(1e-9, m.total - s0.machine.total)).toFixed(0)}% busy since T0`);
    }
    const s1 = await snapshot(ports, replicaPids, sim.child.proc.pid!, sim.url, admin, dbName);
    const pgWindow = pgCpu?.read();

    // Runs due before T1 may still be under way: wait until no collectable integration is due before T1.
    const drainDeadline = Date.now() + Number(flags['drain-timeout']) * 1000;
    let undrained = 0;
    for (;;) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM integrations WHERE NOT disabled AND NOT in_trash AND next_run_at < $1', [new Date(T1)]);
      undrained = Number(rows[0].n);
      if (undrained === 0 || Date.now() > drainDeadline) break;
      await sleep(1000);
    }
    log(`drained (${undrained} integrations still due before T1)`);

    // ---- what happened ------------------------------------------------------------------------------------
    const q = async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => (await admin!.query<T>(text, params)).rows;
    const [active] = await q<{ n: string }>('SELECT count(*) AS n FROM integrations WHERE NOT disabled AND NOT in_trash');
    const activeN = Number(active.n);
    const [runs] = await q<{ recorded: string; slots: string; ok_slots: string }>(
      `SELECT count(*) AS recorded, count(DISTINCT (id, due)) AS slots, count(DISTINCT (id, due)) FILTER (WHERE ok) AS ok_slots
         FROM bench_runs WHERE due >= $1 AND due < $2`,
      [new Date(T0), new Date(T1)],
    );
    const perReplica = await q<{ owner: string; n: string }>(
      'SELECT owner, count(*) AS n FROM bench_runs WHERE due >= $1 AND due < $2 GROUP BY owner ORDER BY owner',
      [new Date(T0), new Date(T1)],
    );
    const [switches] = await q<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT owner, lag(owner) OVER (PARTITION BY id ORDER BY finished) AS prev FROM bench_runs) r
        WHERE prev IS NOT NULL AND owner IS DISTINCT FROM prev`,
    );
    const lags = (
      await q<{ ms: number }>(
        `SELECT extract(epoch FROM min(claimed) - due) * 1000 AS ms FROM bench_claims WHERE due >= $1 AND due < $2 GROUP BY id, due`,
        [new Date(T0), new Date(T1)],
      )
    )
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const [cursor] = await q<{ moves: string; repeats: string; backwards: string; gaps: string }>(
      `SELECT count(*) AS moves,
              count(*) FILTER (WHERE old_position IS NOT NULL AND old_position::bigint >= new_position::bigint AND old_position::bigint > 0) AS repeats,
              count(*) FILTER (WHERE old_position IS NOT NULL AND old_position::bigint > new_position::bigint) AS backwards,
              0 AS gaps
         FROM bench_cursor_moves`,
    );
    const gmdAll = await json<Record<string, number>>('GET', `${sim.stats}/gmd?queriesPerWindow=${QUERIES_PER_WINDOW}`);
    const gmdMeasured = await json<Record<string, number>>('GET', `${sim.stats}/gmd?queriesPerWindow=${QUERIES_PER_WINDOW}&from=${T0}&to=${T1}`);
    const countersAll = (await json<{ byApi: Record<string, number> }>('GET', `${sim.url}/_simulator/counters`)).byApi;

    // ---- derived figures -----------------------------------------------------------------------------------
    const wall = (s1.at - s0.at) / 1000;
    const replicaCpu = s1.replicaCpu.map((c, i) => c - s0.replicaCpu[i]);
    const replicaCpuTotal = replicaCpu.reduce((a, b) => a + b, 0);
    const simCpu = s1.simCpu - s0.simCpu;
    const benchCpu = s1.benchCpu - s0.benchCpu;
    const machineBusy = s1.machine.busy - s0.machine.busy;
    const machineTotal = s1.machine.total - s0.machine.total;
    const pgAll = pgWindow?.all ?? NaN;
    const pgOurs = pgWindow?.ours ?? NaN;
    const otherCpu = machineBusy - replicaCpuTotal - simCpu - pgAll - benchCpu;
    // Who else used the machine (the benchmark's own processes and PostgreSQL excluded).
    const ours = new Set([...replicaPids, sim.child.proc.pid!, process.pid]);
    const others = processDelta(s0.procs, s1.procs, ours).filter(([label]) => label !== 'postgres');
    const split = delta(s0.split, s1.split);
    const runsDone = replicaSum(s1, 'skyport_scheduler_runs_total') - replicaSum(s0, 'skyport_scheduler_runs_total');
    const runOutcomes = delta(
      s0.metrics.reduce((a, m) => ({ ...a, ...Object.fromEntries(Object.entries(byLabel(m, 'skyport_scheduler_runs_total', 'outcome')).map(([k, v]) => [k, (a[k] ?? 0) + v])) }), {} as Record<string, number>),
      s1.metrics.reduce((a, m) => ({ ...a, ...Object.fromEntries(Object.entries(byLabel(m, 'skyport_scheduler_runs_total', 'outcome')).map(([k, v]) => [k, (a[k] ?? 0) + v])) }), {} as Record<string, number>),
    );
    const points = replicaSum(s1, 'skyport_points_written_total') - replicaSum(s0, 'skyport_points_written_total');
    const runSeconds = replicaSum(s1, 'skyport_scheduler_run_duration_seconds_sum') - replicaSum(s0, 'skyport_scheduler_run_duration_seconds_sum');
    const awsSecondsByApi: Record<string, number> = {};
    const awsCallsByApi: Record<string, number> = {};
    for (const [i, m1] of s1.metrics.entries()) {
      const m0 = s0.metrics[i];
      for (const s of m1.filter((x) => x.name === 'skyport_aws_call_duration_seconds_sum')) awsSecondsByApi[s.labels.api] = (awsSecondsByApi[s.labels.api] ?? 0) + s.value - sum(m0, s.name, s.labels);
      for (const s of m1.filter((x) => x.name === 'skyport_aws_calls_total')) awsCallsByApi[`${s.labels.api}:${s.labels.outcome}`] = (awsCallsByApi[`${s.labels.api}:${s.labels.outcome}`] ?? 0) + s.value - sum(m0, s.name, s.labels);
    }
    const awsSeconds = Object.values(awsSecondsByApi).reduce((a, b) => a + b, 0);
    const lagHist = s1.metrics.map((m, i) => diffBuckets(buckets(m, 'skyport_scheduler_lag_seconds'), buckets(s0.metrics[i], 'skyport_scheduler_lag_seconds')));
    const lagMerged = new Map<number, number>();
    for (const h of lagHist) for (const [le, v] of h) lagMerged.set(le, (lagMerged.get(le) ?? 0) + v);
    const pgDelta = delta(s0.pgStat, s1.pgStat);

    const recorded = Number(runs.recorded);
    const slots = Number(runs.slots);
    const okSlots = Number(runs.ok_slots);
    const slotDuplicates = recorded - slots;
    const cursorDuplicates = Number(cursor.repeats);
    const awsDuplicates = gmdAll.duplicateFetches + gmdAll.overlaps;
    const assumeRoles = countersAll['sts.AssumeRole'] ?? 0;

    const result = {
      integrations: N,
      replicas: REPLICAS,
      cycles: CYCLES,
      cycleCompletedFraction: AUDIT ? round(okSlots / (activeN * CYCLES), 4) : null,
      duplicateRuns: Math.max(slotDuplicates, cursorDuplicates, awsDuplicates),
      getMetricDataCallsOverMinimum: round(gmdAll.calls / gmdAll.minimumCalls, 4),
      stsCallsPerIntegration: round(assumeRoles / N, 4),
      startLagP50Ms: AUDIT ? round(percentile(lags, 50), 1) : null,
      startLagP99Ms: AUDIT ? round(percentile(lags, 99), 1) : null,
      cpuSecondsPerIntegrationCycle: round(replicaCpuTotal / (N * CYCLES), 5),
      pointsPerSecond: round(points / wall, 1),
      details: {
        settings: {
          concurrencyPerReplica: Number(flags.concurrency),
          dbPoolPerReplica: Number(flags.pool),
          seriesPerIntegration: SERIES,
          queriesPerRun: QUERIES_PER_WINDOW,
          latencyMs: LATENCY_MS,
          refreshMins: 1,
          cloudwatchDelay: flags.delay,
          cloudwatchLookback: flags.lookback,
          logLevel: flags['log-level'],
          warmupCycles: WARMUP_CYCLES,
          setup: `HTTP API (${SETUP_CONCURRENCY} at a time, forceSave true), ${setupSeconds.toFixed(1)} s (simulator seeding ${((setupSimDone - setupStarted) / 1000).toFixed(1)} s of it)`,
          cpus: availableParallelism(),
          cpuModel: cpus()[0]?.model ?? 'unknown',
          node: process.version,
          postgres: `${database.serverVersion} (${database.source})`,
          cpuProf: flags['cpu-prof'],
          audit: AUDIT,
        },
        window: { t0: new Date(T0).toISOString(), t1: new Date(T1).toISOString(), wallSeconds: round(wall, 1), undrainedAfterT1: undrained, firstCycleSeconds: round(firstCycleSeconds, 1) },
        runs: {
          dueInWindow: activeN * CYCLES,
          recordedForWindowSlots: recorded,
          distinctSlots: slots,
          okSlots,
          perReplica: Object.fromEntries(perReplica.map((r) => [r.owner, Number(r.n)])),
          replicaSwitchesWholeRun: Number(switches.n),
          outcomesInWindow: runOutcomes,
          meanRunMs: round((1000 * runSeconds) / Math.max(1, runsDone), 1),
          meanAwsMsPerRun: round((1000 * awsSeconds) / Math.max(1, runsDone), 1),
          awsMsPerRunByApi: Object.fromEntries(Object.entries(awsSecondsByApi).map(([k, v]) => [k, round((1000 * v) / Math.max(1, runsDone), 1)])),
          awsCallsInWindow: awsCallsByApi,
        },
        duplicates: { slot: slotDuplicates, cursor: cursorDuplicates, aws: awsDuplicates, cursorBackwards: Number(cursor.backwards), cursorMoves: Number(cursor.moves) },
        getMetricData: { wholeRun: gmdAll, measuredWindow: gmdMeasured, measuredCallsOverMinimum: round(gmdMeasured.calls / Math.max(1, gmdMeasured.minimumCalls), 4) },
        awsCallsWholeRun: countersAll,
        lag: {
          claims: lags.length,
          p90Ms: round(percentile(lags, 90), 1),
          maxMs: round(lags[lags.length - 1] ?? NaN, 1),
          histogramP50UpperBoundS: histogramQuantile(lagMerged, 0.5),
          histogramP99UpperBoundS: histogramQuantile(lagMerged, 0.99),
        },
        cpuSeconds: {
          replicas: replicaCpu.map((c) => round(c, 1)),
          simulator: round(simCpu, 1),
          postgresAll: round(pgAll, 1),
          postgresOurBackends: round(pgOurs, 1),
          benchmark: round(benchCpu, 1),
          other: round(otherCpu, 1),
          otherTop: Object.fromEntries(others.slice(0, 6).map(([k, v]) => [k, round(v, 1)])),
          kernelIrq: round(split.irq, 1),
          steal: round(split.steal, 1),
          machineBusy: round(machineBusy, 1),
          machineCapacity: round(machineTotal, 1),
          machineBusyPct: round((100 * machineBusy) / machineTotal, 1),
        },
        db: {
          activeSeconds: round(pgDelta.active_time / 1000, 1),
          activeMsPerRun: round(pgDelta.active_time / Math.max(1, runsDone), 2),
          commitsPerRun: round(pgDelta.xact_commit / Math.max(1, runsDone), 2),
          rollbacks: pgDelta.xact_rollback,
          tuplesInsertedPerSecond: round(pgDelta.tup_inserted / wall, 0),
          tuplesUpdatedPerSecond: round(pgDelta.tup_updated / wall, 0),
          blocksReadPerSecond: round(pgDelta.blks_read / wall, 1),
        },
      },
    };

    // ---- shut down, profiles -----------------------------------------------------------------------------
    for (const r of replicas) await r.stop();
    log(`replica logs: ${replicas.map((r) => `${r.name} ${(statSync(r.logPath).size / 1e6).toFixed(1)} MB`).join(', ')}`);
    if (flags['cpu-prof']) {
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')) {
        log(`\nCPU profile of replica-1: ${join(profileDir, file)} (measured window only)`);
        log(summarise(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), 30, [[s0.hrUs, s1.hrUs]], runsDone / REPLICAS));
      }
    }
    if (flags.keep || flags['cpu-prof']) log(`logs${flags['cpu-prof'] ? ' and profiles' : ''} kept in ${dir}`);
    await cleanup();
    if (!flags.keep && !flags['cpu-prof']) rmSync(dir, { recursive: true, force: true });

    log(
      `cycleCompletedFraction ${result.cycleCompletedFraction}  duplicateRuns ${result.duplicateRuns}  getMetricDataCallsOverMinimum ${result.getMetricDataCallsOverMinimum}  ` +
        `stsCallsPerIntegration ${result.stsCallsPerIntegration}  lag p50 ${result.startLagP50Ms} ms p99 ${result.startLagP99Ms} ms  ` +
        `CPU ${result.cpuSecondsPerIntegrationCycle} s/integration-cycle  ${result.pointsPerSecond} points/s`,
    );
    const targets = {
      cycleCompletedFraction: result.cycleCompletedFraction === 1 || !AUDIT,
      duplicateRuns: result.duplicateRuns === 0,
      getMetricDataCallsOverMinimum: result.getMetricDataCallsOverMinimum <= 1.05,
      stsCallsPerIntegration: result.stsCallsPerIntegration <= 1,
    };
    const broken = Object.entries(targets).filter(([, ok]) => !ok).map(([k]) => k);
    log(broken.length === 0 ? 'every target holds' : `targets broken: ${broken.join(', ')}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (err) {
    await cleanup();
    throw err;
  }
}

await main();
