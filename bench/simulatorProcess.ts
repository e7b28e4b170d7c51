// The AWS simulator in a process of its own for the benchmarks, and the identities and app they all start with.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openPool, type Database } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import type { AwsSettings } from '../src/services/collection/aws/settings.ts';
import { acquireBenchDatabase, freePort } from './postgres.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SKYPORT_ACCOUNT = '999988887777';
export const BENCH_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** Starts `src/simulator/main.ts` on `port`; `admin` posts to its admin API. */
export async function startSimulatorProcess(port: number) {
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((ok, fail) => {
    sim.stdout!.on('data', (d: Buffer) => (d.toString().includes(url) ? ok() : undefined));
    sim.once('exit', (code) => fail(new Error(`simulator exited ${code}`)));
  });
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/_simulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  };
  return { url, admin, kill: () => sim.kill() };
}

/** Skyport's own account and IAM user, and a customer account in `regions`; the AWS settings that act as that user. */
export async function benchIdentities(sim: SimulatorProcess, customerAccount: string, regions: string[]) {
  await sim.admin('/accounts', { id: SKYPORT_ACCOUNT });
  await sim.admin('/accounts', { id: customerAccount, regions });
  const user = await sim.admin('/users', { accountId: SKYPORT_ACCOUNT, name: 'skyport' });
  const settings: AwsSettings = { endpoint: sim.url, stsRegion: 'us-east-1', credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, forcePathStyle: true };
  return { user: user as { arn: string }, settings };
}

/** The app on `database` with AWS at the simulator, an agent_management token and `call` (inject, returns `response`). */
export async function benchApp(database: Database, settings: AwsSettings) {
  const app = await buildApp({ config: loadConfig({ SKYPORT_SECRET_KEY: BENCH_SECRET_KEY, SKYPORT_AUTH_CACHE_TTL: '0s' }), database, aws: settings });
  await app.ready();
  const token = (await app.services.tokens.create({ name: 'bench', permissions: ['agent_management'] })).token;
  const call = async (method: 'POST' | 'GET', url: string, body?: unknown) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { payload: JSON.stringify(body) } : {}) });
    return JSON.parse(res.body).response;
  };
  return { app, call };
}

export type SimulatorProcess = Awaited<ReturnType<typeof startSimulatorProcess>>;

/**
 * Runs a benchmark: the simulator in its own process and a fresh migrated database, both gone afterwards
 * whatever happens; a failure is printed and exits 1.
 */
export function runSimulatorBench(log: (line: string) => void, body: (ctx: { sim: SimulatorProcess; database: Database }) => Promise<void>): void {
  (async () => {
    const sim = await startSimulatorProcess(await freePort());
    const db = await acquireBenchDatabase(log);
    const database = openPool(db.url, 10);
    try {
      await runMigrations(database.pool);
      await body({ sim, database });
    } finally {
      await database.close();
      await db.drop();
      sim.kill();
    }
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
