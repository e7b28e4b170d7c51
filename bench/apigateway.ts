// npm run bench:apigateway -- [--apis 1000] [--regions 2] [--latency-ms 30]
//
// One API Gateway connection over `regions` × `apis` REST APIs × 2 stages, against the simulator in its own
// process (its quotas on: 10 requests/s per account and region, burst 40) with `latency-ms` added to every API
// Gateway call. Skyport's sync runs in this process with its production rate limiter. Two syncs: the first
// (everything new) and a steady one (nothing changed). Per sync: AWS calls per operation against the minimum
// (⌈APIs/500⌉ GetRestApis + one GetStages per API + one GetExport per changed stage, per region), wall time
// against the time the 10 requests/s budget itself imposes, and this process's CPU per API.
// The last line of output is one JSON object. See docs/PERFORMANCE.md.
import { parseArgs } from 'node:util';
import { syncRunQueries } from '../src/db/queries/apiGatewaySyncRuns.ts';
import { createAwsAccess } from '../src/services/collection/aws/access.ts';
import { createSyncRunner } from '../src/services/apigateway/sync/runner.ts';
import { createSecretBox } from '../src/services/secrets/secretBox.ts';
import { BENCH_SECRET_KEY, benchApp, benchIdentities, runSimulatorBench } from './simulatorProcess.ts';

const { values: flags } = parseArgs({
  options: {
    apis: { type: 'string', default: '1000' },
    regions: { type: 'string', default: '2' },
    'latency-ms': { type: 'string', default: '30' },
  },
});
const APIS = Number(flags.apis);
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1', 'us-west-2'].slice(0, Number(flags.regions));
const LATENCY_MS = Number(flags['latency-ms']);
const STAGES = ['prod', 'beta'];
const RATE = 10; // API Gateway's control-plane budget per account and region (requests/s)
const BURST = 10; // Skyport's bucket size for it
const ACCOUNT = '210987654321';
const log = (line: string) => process.stdout.write(`${line}\n`);

runSimulatorBench(log, async ({ sim, database }) => {
  const admin = sim.admin;
  const { user, settings } = await benchIdentities(sim, ACCOUNT, REGIONS);
  const t0 = Date.now();
  for (const region of REGIONS) await admin('/apigateway/restapis/seed', { accountId: ACCOUNT, region, count: APIS, stages: STAGES });
  await admin('/faults', { kind: 'latency', service: 'apigateway', latencyMs: LATENCY_MS });
  log(`seeded ${REGIONS.length} × ${APIS} REST APIs × ${STAGES.length} stages in ${Date.now() - t0} ms; ${LATENCY_MS} ms added per call`);

  const { app, call } = await benchApp(database, settings);
  const externalId = await call('POST', '/api/v2/cloudintegration/awsExternalId');
  const role = await admin('/roles', { accountId: ACCOUNT, name: 'SkyportApiGateway', trustedPrincipals: [user.arn], externalId });
  const conn = await call('POST', '/api/v2/apigatewayconnection', {
    name: 'bench',
    credentials: { type: 'ROLE', roleArn: role.arn, externalId },
    regions: REGIONS,
    apiTypes: ['REST'],
    forceSave: true,
  });
  const customerId = (await database.pool.query('SELECT customer_id FROM apigateway_connections WHERE id = $1', [conn.id])).rows[0].customer_id as string;

  const clock = { now: () => Date.now() };
  const access = createAwsAccess({ settings, clock });
  const runner = createSyncRunner({ db: database.db, clock, access, secrets: createSecretBox({ key: BENCH_SECRET_KEY }), owner: 'bench' });

  const syncOnce = async (label: string, changedStagesPerRegion: number) => {
    const claim = await runner.claimNow(customerId, conn.id);
    if (!claim) throw new Error('could not claim the connection');
    const run = await syncRunQueries.insert(database.db, { id: crypto.randomUUID(), customerId, connectionId: conn.id, status: 'QUEUED', queuedMs: Date.now(), regions: {}, awsCalls: {}, changes: {} });
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await runner.run(claim, run.id);
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    const row = (await syncRunQueries.find(database.db, customerId, conn.id, run.id))!;
    if (row.status !== 'OK') throw new Error(`${label} sync ${row.status}: ${row.error}`);
    const calls = Object.values(row.awsCalls).reduce((a, b) => a + b, 0);
    const perRegionMinimum = Math.ceil(APIS / 500) + APIS + changedStagesPerRegion;
    const minimum = perRegionMinimum * REGIONS.length;
    // Regions have budgets of their own and run side by side: the slowest region's calls set the floor.
    const budgetMs = (Math.max(0, calls / REGIONS.length - BURST) / RATE) * 1000;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const out = {
      sync: label,
      wallMs: Math.round(wallMs),
      awsCalls: row.awsCalls,
      throttled: row.throttled,
      minimumCalls: minimum,
      awsCallsOverMinimum: Number((calls / minimum).toFixed(3)),
      rateBudgetMs: Math.round(budgetMs),
      wallRatioToRateBudget: Number((budgetMs / wallMs).toFixed(3)),
      cpuMsPerApi: Number((cpuMs / (APIS * REGIONS.length)).toFixed(3)),
      changes: row.changes,
    };
    log(JSON.stringify(out));
    return out;
  };

  const first = await syncOnce('first', APIS * STAGES.length);
  const steady = await syncOnce('steady', 0);
  await app.close();
  access.close();
  log(
    JSON.stringify({
      apis: APIS,
      regions: REGIONS.length,
      stages: STAGES.length,
      latencyMs: LATENCY_MS,
      awsCallsOverMinimum: Math.max(first.awsCallsOverMinimum, steady.awsCallsOverMinimum),
      wallRatioToRateBudget: Math.min(first.wallRatioToRateBudget, steady.wallRatioToRateBudget),
      cpuMsPerApi: first.cpuMsPerApi,
      steadyCpuMsPerApi: steady.cpuMsPerApi,
      first,
      steady,
    }),
  );
});
