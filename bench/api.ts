// npm run bench:api -- [--duration 10] [--warmup 3] [--prewarm 10] [--connections 10] [--rounds 3] [--integrations 1000]
//                      [--only getById,list,create] [--log-level info] [--scheduler off] [--cpu-prof] [--keep]
//                      [--skyport-node-flags "--heap-prof --heap-prof-dir={dir}"]   ({dir}: the run's temp directory)
//                      [--reference <checkout>]   (also Skyport from another checkout, e.g. a worktree of an older commit)
//
// Skyport (bin/skyport.js serve, as in production) against a bare Fastify + pg server (bench/baseline-server.ts)
// on the same PostgreSQL database, each in its own child process, driven by autocannon from this process with
// the same settings. Rounds alternate the order (baseline, skyport / skyport, baseline) to spread drift.
// --reference runs a third server, Skyport from another checkout (with its own node_modules) on the same database,
// in the same rounds: a before/after comparison whose two sides meet the same load on the machine.
// The last line of output is one JSON object with the ratios (Skyport ÷ baseline req/s) and the raw figures.
// See docs/PERFORMANCE.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { openPool } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { systemClock } from '../src/lib/clock.ts';
import type { CredentialCheck } from '../src/services/api/credentialCheck.ts';
import { createServices } from '../src/services/api/index.ts';
import type { CloudIntegrationWrite } from '../src/schemas/cloudIntegration.ts';
import { summarise } from './cpu-top.ts';
import { acquireBenchDatabase, freePort, type BenchDatabase } from './postgres.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SCENARIOS = ['getById', 'list', 'create'] as const;
type Scenario = (typeof SCENARIOS)[number];
type TargetName = 'baseline' | 'skyport' | 'reference';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    prewarm: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    integrations: { type: 'string', default: '1000' },
    only: { type: 'string' },
    // Skyport's LOG_LEVEL; the production default, info, writes one log line per request.
    'log-level': { type: 'string', default: 'info' },
    scheduler: { type: 'string', default: 'off' },
    'cpu-prof': { type: 'boolean', default: false },
    'skyport-node-flags': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    reference: { type: 'string' },
  },
});
const DURATION = Number(flags.duration);
const WARMUP = Number(flags.warmup);
const PREWARM = Number(flags.prewarm);
const CONNECTIONS = Number(flags.connections);
const ROUNDS = Number(flags.rounds);
const INTEGRATIONS = Number(flags.integrations);
const scenarios = (flags.only ? flags.only.split(',') : [...SCENARIOS]) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s} (known: ${SCENARIOS.join(', ')})`);

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: TargetName;
  proc: ChildProcess;
  port: number;
  logPath: string;
  stop(): Promise<void>;
}

const children: Child[] = [];

function tail(path: string, lines = 30) {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n') : '';
}

async function startChild(name: TargetName, args: string[], env: Record<string, string>, port: number, readyPath: string, dir: string, cwd = ROOT): Promise<Child> {
  const logPath = join(dir, `${name}.log`);
  const fd = openSync(logPath, 'w');
  // stdout/stderr go straight to a file (as a process manager would take them): the benchmark's event loop
  // never reads the server's logs.
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((done) => proc.once('exit', () => ((exited = true), done())));
  const child: Child = {
    name,
    proc,
    port,
    logPath,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
  children.push(child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited during start-up:\n${tail(logPath)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready in 60 s:\n${tail(logPath)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** utime + stime of a process in clock ticks (USER_HZ, 100 a second on Linux), and its command name. */
function procTicks(pid: number | string): { ticks: number; comm: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(fields[11]) + Number(fields[12]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
}

const cpuMs = (pid: number) => procTicks(pid).ticks * 10;

/**
 * CPU ticks of the whole machine, of this benchmark (this process and the servers) and of PostgreSQL (every
 * postgres process: other users of that server count there too). The rest of the busy time is other work.
 */
function cpuSnapshot() {
  const machine = machineTicks();
  const self = process.cpuUsage();
  let ours = Math.round((self.user + self.system) / 10_000);
  for (const child of children) {
    try {
      ours += procTicks(child.proc.pid!).ticks;
    } catch {
      // exited
    }
  }
  const postgres = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const p = procTicks(entry);
      if (p.comm === 'postgres') postgres.set(entry, p.ticks);
    } catch {
      // gone
    }
  }
  return { ...machine, ours, postgres };
}

/** Share of all CPUs (in %) between two snapshots used by neither this benchmark nor PostgreSQL. */
function otherCpuPct(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>) {
  // Per backend: connections opened and closed by other users come and go (one that ended within the interval
  // is not counted as PostgreSQL, so this errs towards more "other work").
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) postgres += ticks - (before.postgres.get(pid) ?? 0);
  const other = after.busy - before.busy - (after.ours - before.ours) - postgres;
  return Math.min(100, Math.max(0, (100 * other) / Math.max(1, after.total - before.total)));
}

/** Busy and total jiffies of the whole machine. */
function machineTicks() {
  const [, ...nums] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const v = nums.map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  // steal: time the hypervisor gave this VM's CPUs to other guests (counted as busy, and as other work).
  return { busy: total - idle, total, steal: v[7] ?? 0 };
}

// ---------------------------------------------------------------------------------------------------------
// Seeding: through the services, as the API would, with forceSave (no credential check).

const CREATE_ROLE = 'arn:aws:iam::999999999999:role/skyport-bench-create';

function seedBody(i: number, roleArn: string, externalId: string): CloudIntegrationWrite {
  const baseCredentials = { roleArn, externalId };
  const common = { name: `bench integration ${i}`, serviceRefreshRateInMins: 5, forceSave: true, additionalTags: { env: 'prod', team: `team-${i % 7}` } };
  switch (i % 3) {
    case 0:
      return {
        ...common,
        service: 'CLOUDWATCH',
        cloudWatch: {
          baseCredentials,
          namespaces: ['AWS/EC2', 'AWS/ELB', 'AWS/RDS'],
          metricFilterRegex: '^aws\\.(ec2|elb|rds)\\..*',
          pointTagFilterRegex: '^(env|team)$',
          instanceSelectionTags: { env: 'prod' },
        },
      };
    case 1:
      return {
        ...common,
        service: 'CLOUDTRAIL',
        cloudTrail: { baseCredentials, bucketName: `bench-trail-${i}`, region: 'us-east-1', prefix: 'AWSLogs/', filterRule: '^ec2\\.amazonaws\\.com:(Run|Terminate)Instances$' },
      };
    default:
      return {
        ...common,
        service: 'EC2',
        ec2: { baseCredentials, hostNameTags: ['hostname', 'Name'], metricFilterRegex: '^aws\\.ec2\\..*', customNamespaces: ['LIMITS'] },
      };
  }
}

async function seed(url: string) {
  const database = openPool(url, 5);
  try {
    await runMigrations(database.pool);
    const config = loadConfig({ DATABASE_URL: url });
    // Every seeded body carries forceSave: true (the accounts are fake), so the services never check a role.
    const credentialCheck: CredentialCheck = async () => {
      throw new Error('bench seeding sends forceSave: true; the credential check should not run');
    };
    const services = createServices({ database, config, clock: systemClock, credentialCheck });
    const { token } = await services.tokens.create({ name: 'bench', permissions: ['agent_management'] });
    const principal = (await services.tokens.verify(token))!;
    const ids: string[] = [];
    const started = Date.now();
    for (let i = 0; i < INTEGRATIONS; i++) {
      const externalId = await services.externalIds.issue(principal.customerId);
      const role = `arn:aws:iam::${String(100_000_000_000 + i)}:role/skyport-bench`;
      ids.push((await services.integrations.create(principal, seedBody(i, role, externalId))).id);
    }
    // External IDs for the create benchmark, handed out round robin so that concurrent creates do not queue
    // on one external ID's row lock (a real client registers each account with its own external ID).
    const createIds: string[] = [];
    for (let i = 0; i < 8 * CONNECTIONS; i++) createIds.push(await services.externalIds.issue(principal.customerId));
    log(`seeded ${INTEGRATIONS} integrations through the services in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { token, ids, createIds };
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Load

interface Target {
  name: TargetName;
  port: number;
  byId: (id: string) => string;
  list: string;
  create: string;
  remove: (id: string) => string;
  createdId: (body: string) => string | undefined;
}

interface Run {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  seconds: number;
  errors: number;
  non2xx: number;
  serverCpuMsPer1kReq: number;
  machineBusyPct: number;
  /** Share of all CPUs used by work that is neither this benchmark nor PostgreSQL (other users of the machine). */
  otherCpuPct: number;
  /** Share of all CPUs taken by the hypervisor for other VMs (steal), part of otherCpuPct. */
  stealPct: number;
  /** 1-minute load average of the machine at the end of the run (other work competing for the 2 cores). */
  loadAvg: number;
  /** CLOCK_MONOTONIC µs at start and end, to cut the run out of a CPU profile. */
  window: [number, number];
  /** Every 2xx response's latency in ms, sorted. */
  latencies: Float64Array;
}

function percentile(sorted: Float64Array, p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function requestsFor(scenario: Scenario, target: Target, seeded: Awaited<ReturnType<typeof seed>>): autocannon.Request[] {
  let n = 0;
  if (scenario === 'getById') {
    return [{ method: 'GET', setupRequest: (req) => ({ ...req, path: target.byId(seeded.ids[n++ % seeded.ids.length]) }) }];
  }
  if (scenario === 'list') return [{ method: 'GET', path: target.list }];
  const bodies = seeded.createIds.map((externalId, i) =>
    JSON.stringify({ name: `bench create ${i}`, service: 'CLOUDWATCH', forceSave: true, cloudWatch: { baseCredentials: { roleArn: CREATE_ROLE, externalId }, namespaces: ['AWS/EC2'] } }),
  );
  return [
    {
      method: 'POST',
      path: target.create,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length] }),
      onResponse: (status, body, context) => {
        (context as { id?: string }).id = status === 200 ? target.createdId(body) : undefined;
      },
    },
    {
      method: 'DELETE',
      // No id (the create failed): autocannon starts the sequence over.
      setupRequest: (req, context) => {
        const { id } = context as { id?: string };
        return id ? { ...req, path: target.remove(id) } : (undefined as unknown as autocannon.Request);
      },
    },
  ];
}

async function load(target: Target, child: Child, scenario: Scenario, seconds: number, token: string, seeded: Awaited<ReturnType<typeof seed>>): Promise<Run> {
  const latencies: number[] = [];
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const cpuBefore = cpuMs(child.proc.pid!);
  const machineBefore = cpuSnapshot();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${target.port}`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        headers: { authorization: `Bearer ${token}` },
        requests: requestsFor(scenario, target, seeded),
      },
      (err, res) => (err ? fail(err) : done(res)),
    );
    // At run time the listener gets (client, statusCode, resBytes, responseTime in ms, fractional).
    // (@types/autocannon leaves out the client argument.)
    (instance as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const cpu = cpuMs(child.proc.pid!) - cpuBefore;
  const machineAfter = cpuSnapshot();
  const sorted = Float64Array.from(latencies).sort();
  const ok = result['2xx'];
  return {
    reqPerSec: ok / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    requests: ok,
    seconds: result.duration,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    serverCpuMsPer1kReq: ok > 0 ? (cpu * 1000) / ok : NaN,
    machineBusyPct: (100 * (machineAfter.busy - machineBefore.busy)) / Math.max(1, machineAfter.total - machineBefore.total),
    otherCpuPct: otherCpuPct(machineBefore, machineAfter),
    stealPct: (100 * (machineAfter.steal - machineBefore.steal)) / Math.max(1, machineAfter.total - machineBefore.total),
    loadAvg: loadavg()[0],
    window: [startUs, Number(process.hrtime.bigint() / 1000n)],
    latencies: sorted,
  };
}

function combine(runs: Run[]) {
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const mean = (k: 'serverCpuMsPer1kReq' | 'machineBusyPct' | 'otherCpuPct' | 'stealPct') => runs.reduce((a, r) => a + r[k], 0) / runs.length;
  // Percentiles over the responses of all rounds together.
  const all = new Float64Array(runs.reduce((a, r) => a + r.latencies.length, 0));
  let at = 0;
  for (const r of runs) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  all.sort();
  return {
    reqPerSec: round(requests / seconds, 1),
    p50Ms: round(percentile(all, 50), 3),
    p99Ms: round(percentile(all, 99), 3),
    serverCpuMsPer1kReq: round(mean('serverCpuMsPer1kReq'), 1),
    machineBusyPct: round(mean('machineBusyPct'), 1),
    otherCpuPct: round(mean('otherCpuPct'), 1),
    stealPct: round(mean('stealPct'), 1),
    errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
    rounds: runs.map((r) => ({
      reqPerSec: round(r.reqPerSec, 1),
      p50Ms: round(r.p50Ms, 3),
      p99Ms: round(r.p99Ms, 3),
      serverCpuMsPer1kReq: round(r.serverCpuMsPer1kReq, 1),
      loadAvg: round(r.loadAvg, 2),
      otherCpuPct: round(r.otherCpuPct, 1),
      stealPct: round(r.stealPct, 1),
    })),
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'skyport-bench-'));
  const profileDir = join(dir, 'profiles');
  let database: BenchDatabase | undefined;
  const cleanup = async () => {
    for (const child of children) await child.stop().catch(() => {});
    if (database) await database.drop().catch((err) => log(`could not drop the bench database: ${err}`));
    database = undefined;
  };
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130));
  });

  try {
    database = await acquireBenchDatabase(log);
    log(`PostgreSQL ${database.serverVersion} (${database.source}), database ${new URL(database.url).pathname.slice(1)}`);
    const seeded = await seed(database.url);

    const nodeFlags = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    if (flags['cpu-prof']) mkdirSync(profileDir, { recursive: true });
    const [skyPort, basePort] = [await freePort(), await freePort()];
    const skyEnv: Record<string, string> = { DATABASE_URL: database.url, PORT: String(skyPort), HOST: '127.0.0.1' };
    skyEnv.LOG_LEVEL = flags['log-level']!;
    // An API-only replica by default: the 1,000 seeded integrations are fake AWS accounts, and collecting them
    // would compete with the API for the 2 cores (--scheduler on to measure that too).
    skyEnv.SKYPORT_SCHEDULER = flags.scheduler!;
    // The environment we inherit may carry Skyport settings; production defaults unless a flag says otherwise.
    for (const key of Object.keys(process.env)) if ((key.startsWith('SKYPORT_') || key === 'LOG_LEVEL') && !(key in skyEnv)) skyEnv[key] = '';
    const extraFlags = flags['skyport-node-flags']!.split(/\s+/).filter(Boolean).map((f) => f.replaceAll('{dir}', dir));
    const skyport = await startChild('skyport', [...nodeFlags, ...extraFlags, 'bin/skyport.js', 'serve'], skyEnv, skyPort, '/readyz', dir);
    const referenceDir = flags.reference ? resolve(flags.reference) : undefined;
    const refPort = referenceDir ? await freePort() : 0;
    const reference = referenceDir
      ? await startChild('reference', [...nodeFlags, ...extraFlags, 'bin/skyport.js', 'serve'], { ...skyEnv, PORT: String(refPort) }, refPort, '/readyz', dir, referenceDir)
      : undefined;
    const baseline = await startChild(
      'baseline',
      [...nodeFlags, '--import', 'tsx', 'bench/baseline-server.ts'],
      { DATABASE_URL: database.url, PORT: String(basePort), HOST: '127.0.0.1', POOL_SIZE: '10' },
      basePort,
      '/healthz',
      dir,
    );
    const logLevel = flags['log-level']!;
    const settings = {
      connections: CONNECTIONS,
      pipelining: 1,
      durationS: DURATION,
      warmupS: WARMUP,
      prewarmS: PREWARM,
      rounds: ROUNDS,
      integrations: INTEGRATIONS,
      skyportLogLevel: logLevel,
      skyportScheduler: flags.scheduler,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: `${database.serverVersion} (${database.source})`,
      cpuProf: flags['cpu-prof'],
      reference: referenceDir,
    };
    log(`settings: ${JSON.stringify(settings)}`);
    // How busy the machine is with other work before any load starts (this is a shared 2-core machine).
    const idleBefore = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 3000));
    const idleAfter = cpuSnapshot();
    const otherAtStart = otherCpuPct(idleBefore, idleAfter);
    log(`other work before the run: ${otherAtStart.toFixed(0)}% of the machine (load average ${loadavg()[0].toFixed(1)})`);
    if (otherAtStart > 10) {
      log(
        'note: other work competes with the servers for the CPUs; that lowers the ratios (a CPU-starved server answers at the ' +
          'rate its CPU per request allows, so the ratio falls toward the ratio of server CPU per request; see docs/PERFORMANCE.md)',
      );
    }

    const targets: Record<'baseline' | 'skyport', Target> & { reference?: Target } = {
      baseline: {
        name: 'baseline',
        port: basePort,
        byId: (id) => `/integrations/${id}`,
        list: '/integrations?limit=100',
        create: '/integrations',
        remove: (id) => `/integrations/${id}`,
        createdId: (body) => (JSON.parse(body) as { id?: string }).id,
      },
      skyport: {
        name: 'skyport',
        port: skyPort,
        byId: (id) => `/api/v2/cloudintegration/${id}`,
        list: '/api/v2/cloudintegration?limit=100',
        create: '/api/v2/cloudintegration',
        remove: (id) => `/api/v2/cloudintegration/${id}?skipTrash=true`,
        createdId: (body) => (JSON.parse(body) as { response?: { id?: string } }).response?.id,
      },
    };
    targets.reference = { ...targets.skyport, name: 'reference', port: refPort };
    const target = (name: TargetName) => targets[name]!;
    const processes = { baseline, skyport, ...(reference ? { reference } : {}) } as Record<TargetName, Child>;
    const names: TargetName[] = reference ? ['baseline', 'skyport', 'reference'] : ['baseline', 'skyport'];

    type Reference = { reference?: ReturnType<typeof combine>; referenceRoundRatios?: number[]; referenceCpuRatio?: number };
    const results = {} as Record<Scenario, Record<'baseline' | 'skyport', ReturnType<typeof combine>> & Reference & { roundRatios: number[]; cpuRatio: number }>;
    const measured: Record<TargetName, { windows: Array<[number, number]>; requests: number }> = {
      baseline: { windows: [], requests: 0 },
      skyport: { windows: [], requests: 0 },
      reference: { windows: [], requests: 0 },
    };
    for (const scenario of scenarios) {
      const runs: Record<TargetName, Run[]> = { baseline: [], skyport: [], reference: [] };
      // Before the first round of a scenario, each server gets a longer warm-up of that route: until V8 has
      // optimised the code path (Skyport runs far more JavaScript per request than the baseline) the first
      // round measures the compiler as much as the server.
      if (PREWARM > 0) for (const name of names) await load(target(name), processes[name], scenario, PREWARM, seeded.token, seeded);
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          if (WARMUP > 0) await load(target(name), processes[name], scenario, WARMUP, seeded.token, seeded);
          const run = await load(target(name), processes[name], scenario, DURATION, seeded.token, seeded);
          runs[name].push(run);
          measured[name].windows.push(run.window);
          measured[name].requests += run.requests;
          log(
            `${scenario.padEnd(8)} round ${r + 1} ${name.padEnd(8)} ${run.reqPerSec.toFixed(0).padStart(6)} req/s  ` +
              `p50 ${run.p50Ms.toFixed(2)} ms  p99 ${run.p99Ms.toFixed(2)} ms  server CPU ${run.serverCpuMsPer1kReq.toFixed(0)} ms/1k req  ` +
              `machine ${run.machineBusyPct.toFixed(0)}% busy (other work ${run.otherCpuPct.toFixed(0)}%, of which steal ${run.stealPct.toFixed(0)}%), load ${run.loadAvg.toFixed(1)}${run.errors + run.non2xx ? `  ERRORS ${run.errors} non-2xx ${run.non2xx}` : ''}`,
          );
        }
      }
      results[scenario] = {
        baseline: combine(runs.baseline),
        skyport: combine(runs.skyport),
        // Skyport ÷ baseline within each round (the two runs of a round are back to back): how much the ratio moves.
        roundRatios: runs.skyport.map((r, i) => round(r.reqPerSec / runs.baseline[i].reqPerSec, 3)),
        // Baseline ÷ Skyport server CPU per request: the ratio a CPU-bound pair tends to, and the figure that moves
        // least when other work (steal time on these VMs) lands on one run of a round and not the other.
        cpuRatio: round(combine(runs.baseline).serverCpuMsPer1kReq / combine(runs.skyport).serverCpuMsPer1kReq, 3),
      };
      if (reference) {
        results[scenario].reference = combine(runs.reference);
        results[scenario].referenceRoundRatios = runs.reference.map((r, i) => round(r.reqPerSec / runs.baseline[i].reqPerSec, 3));
        results[scenario].referenceCpuRatio = round(combine(runs.baseline).serverCpuMsPer1kReq / combine(runs.reference).serverCpuMsPer1kReq, 3);
      }
    }

    const ratio = (s: Scenario, name: 'skyport' | 'reference' = 'skyport') =>
      results[s]?.[name] ? round(results[s][name]!.reqPerSec / results[s].baseline.reqPerSec, 3) : null;
    log('');
    log('scenario   server     req/s    p50 ms   p99 ms   CPU ms/1k req   ratio');
    for (const s of scenarios) {
      for (const name of names) {
        const x = results[s][name]!;
        log(
          `${s.padEnd(10)} ${name.padEnd(9)} ${x.reqPerSec.toFixed(0).padStart(6)}  ${x.p50Ms.toFixed(2).padStart(7)}  ${x.p99Ms.toFixed(2).padStart(7)}  ` +
            `${x.serverCpuMsPer1kReq.toFixed(0).padStart(14)}   ${name === 'baseline' ? '' : ratio(s, name)!.toFixed(3)}`,
        );
      }
    }

    for (const child of children) await child.stop();
    const skyLog = statSync(skyport.logPath).size;
    log(`Skyport wrote ${(skyLog / 1e6).toFixed(1)} MB of logs at level ${logLevel}`);
    if (flags['cpu-prof']) {
      // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (1 is tsx's loader).
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')) {
        const pid = Number(file.split('.')[3]);
        const who = names.find((name) => processes[name].proc.pid === pid)!;
        writeFileSync(join(profileDir, `${pid}.windows.json`), JSON.stringify(measured[who]));
        log(`\nCPU profile of ${who}: ${join(profileDir, file)} (measured runs: ${pid}.windows.json)`);
        log(summarise(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), 30, measured[who].windows, measured[who].requests));
      }
    }
    const summary = {
      getByIdRatio: ratio('getById'),
      listRatio: ratio('list'),
      createRatio: ratio('create'),
      cpuRatios: Object.fromEntries(scenarios.map((s) => [s, results[s].cpuRatio])),
      ...(reference
        ? {
            referenceRatios: Object.fromEntries(scenarios.map((s) => [s, ratio(s, 'reference')])),
            referenceCpuRatios: Object.fromEntries(scenarios.map((s) => [s, results[s].referenceCpuRatio])),
          }
        : {}),
      settings: { ...settings, otherCpuPctAtStart: round(otherAtStart, 1) },
      results,
      notes: {
        create: 'requests are POST create + DELETE (skipTrash) pairs; req/s counts both requests, latencies mix both',
        list: 'baseline reads the same page (customer, not in trash, creation order) without the total count',
      },
    };
    if (flags.keep || flags['cpu-prof']) log(`\nlogs${flags['cpu-prof'] ? ' and profiles' : ''} kept in ${dir}`);
    await cleanup();
    if (!flags.keep && !flags['cpu-prof']) rmSync(dir, { recursive: true, force: true });
    log(JSON.stringify(summary));
  } catch (err) {
    await cleanup();
    throw err;
  }
}

await main();
