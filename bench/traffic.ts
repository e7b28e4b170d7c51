// npm run bench:traffic -- [--lines 1000000] [--streams 20]
//
// API Gateway traffic from access logs, end to end: `lines` access-log lines (the recommended format, 5
// endpoints, 2 API keys, an hour of event time) in one log group over `streams` streams of the simulator, which
// runs in its own process with FilterLogEvents' 5/s quota lifted, and both runs call it without Skyport's 5/s
// limiter: at 1 MB pages the quota alone takes 467 pages ÷ 5/s ≈ 93 s for a million lines, which would make both
// runs wait alike and hide the work. Two runs over the same window, in the same process:
// - floor: the same FilterLogEvents pages fetched through the same SDK client (so JSON-parsed), events counted
//   and dropped;
// - Skyport: the sync's traffic step (read, de-duplicate, parse every line, attribute, map to endpoints,
//   aggregate per endpoint × minute with latency histograms, commit counters + points + cursor in one
//   transaction).
// Reports lines per second of each, Skyport's ratio to the floor (≥ 0.5 wanted) and Skyport's peak heap. The
// last line of output is one JSON object. See docs/PERFORMANCE.md.
import { parseArgs } from 'node:util';
import { FilterLogEventsCommand, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { connectionQueries } from '../src/db/queries/apiGatewayConnections.ts';
import { syncLeaseQueries } from '../src/db/queries/apiGatewaySyncLease.ts';
import { createRateLimiter } from '../src/services/collection/aws/rateLimiter.ts';
import { createAwsAccess } from '../src/services/collection/aws/access.ts';
import { createThrottleRetry } from '../src/services/collection/aws/throttleRetry.ts';
import { RECOMMENDED_ACCESS_LOG_FORMAT } from '../src/services/apigateway/policy.ts';
import { syncRegionTraffic } from '../src/services/apigateway/traffic/step.ts';
import { SETTLE_MS } from '../src/services/apigateway/traffic/window.ts';
import { benchApp, benchIdentities, runSimulatorBench } from './simulatorProcess.ts';

const { values: flags } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    streams: { type: 'string', default: '20' },
  },
});
const LINES = Number(flags.lines);
const STREAMS = Number(flags.streams);
const ACCOUNT = '210987654321';
const REGION = 'us-east-1';
const GROUP = '/aws/apigateway/bench-prod';
const log = (line: string) => process.stdout.write(`${line}\n`);
const MINUTE = 60_000;

runSimulatorBench(log, async ({ sim, database }) => {
  const admin = sim.admin;
  const { user, settings } = await benchIdentities(sim, ACCOUNT, [REGION]);
  const destinationArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${GROUP}`;
  const endpoints = ['/pets', '/pets/{petId}', '/owners', '/owners/{ownerId}', '/orders'];
  const [api] = await admin('/apigateway/restapis', [
    { accountId: ACCOUNT, region: REGION, name: 'bench', resources: endpoints.map((path) => ({ path, methods: ['GET'] })), stages: [{ name: 'prod', accessLogSettings: { destinationArn, format: RECOMMENDED_ACCESS_LOG_FORMAT } }] },
  ]);
  const now = Date.now();
  const window = { startTime: now - 62 * MINUTE, endTime: now - 2 * MINUTE - SETTLE_MS };
  const t0 = Date.now();
  const [written] = await admin('/logs/access-logs', [
    {
      accountId: ACCOUNT, region: REGION, logGroupName: GROUP, apiId: api.id, stage: 'prod', format: 'recommended',
      endpoints: endpoints.map((path) => ({ method: 'GET', path })), apiKeyIds: ['key-gold', 'key-free'], ...window, count: LINES, streams: STREAMS,
    },
  ]);
  await admin('/logs/limits', { filterLogEventsPerSecond: null });
  log(`wrote ${written.lines} lines over ${written.streams.length} streams in ${Date.now() - t0} ms`);

  const { app, call } = await benchApp(database, settings);
  const externalId = await call('POST', '/api/v2/cloudintegration/awsExternalId');
  const role = await admin('/roles', { accountId: ACCOUNT, name: 'SkyportApiGateway', trustedPrincipals: [user.arn], externalId });
  // Traffic off for the first sync: it only brings the inventory (the API, its stage and endpoints).
  const conn = await call('POST', '/api/v2/apigatewayconnection', {
    name: 'bench', credentials: { type: 'ROLE', roleArn: role.arn, externalId }, regions: [REGION], apiTypes: ['REST'], forceSave: true,
  });
  await call('POST', `/api/v2/apigatewayconnection/${conn.id}/sync?wait=true`);
  const customerId = (await database.pool.query('SELECT customer_id FROM apigateway_connections WHERE id = $1', [conn.id])).rows[0].customer_id as string;

  // Both runs ignore the 5 requests/s quota (see the top): it is AWS's, the same for any reader, and would hide
  // the work. Skyport's client comes from the production wiring with a rate limiter that never waits.
  const access = createAwsAccess({ settings, clock: { now: () => Date.now() }, limiter: createRateLimiter({ sleep: () => Promise.resolve() }) });
  const signal = AbortSignal.timeout(30 * MINUTE);
  const account = await access.forConnection({ credentials: { type: 'ROLE', roleArn: role.arn, externalId } }, signal);
  const logs = account.aws.logs(REGION);
  const retry = createThrottleRetry({ signal });
  const clockNow = now; // the same window for both runs: [now − 60 min lookback, now − settle]
  const readStart = clockNow - 62 * MINUTE;

  const floor = async () => {
    const wall0 = performance.now();
    let events = 0;
    let pages = 0;
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const res: FilterLogEventsCommandOutput = await retry.call((abortSignal) =>
        logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, startTime: readStart, endTime: clockNow - SETTLE_MS, interleaved: true, limit: 10_000, ...(token ? { nextToken: token } : {}) }), { abortSignal }),
      );
      pages++;
      events += res.events?.length ?? 0;
      nextToken = res.nextToken;
    } while (nextToken);
    const wallMs = performance.now() - wall0;
    return { events, pages, wallMs, linesPerSecond: Math.round(events / (wallMs / 1000)) };
  };

  const skyport = async () => {
    const stored = (await connectionQueries.findById(database.db, customerId, conn.id))!;
    const connection = { traffic: { enabled: true, logGroups: 'auto' as const, unusedAfterDays: 30, initialLookbackMins: 62 }, additionalTags: stored.additionalTags };
    const claim = (await syncLeaseQueries.claimOne(database.db, customerId, conn.id, 'bench', Date.now(), 30 * MINUTE))!;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await syncRegionTraffic({ db: database.db, clock: { now: () => clockNow }, claim, connection, customerId, accountId: ACCOUNT, region: REGION, logs, retry });
    const wallMs = performance.now() - wall0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    await database.db.transaction((tx) => syncLeaseQueries.finish(tx, claim.id, {}));
    return { ...result, wallMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000), linesPerSecond: Math.round(result.lines / (wallMs / 1000)), peakHeapMb: Math.round(peak / 1048576), heapBeforeMb: Math.round(heap0 / 1048576) };
  };

  await floor(); // warm-up: the simulator's first read of each line is the same for both, after this
  const f = await floor();
  log(JSON.stringify({ run: 'floor', ...f, wallMs: Math.round(f.wallMs) }));
  const s = await skyport();
  log(JSON.stringify({ run: 'skyport', ...s, wallMs: Math.round(s.wallMs) }));
  if (s.counted !== LINES || f.events !== LINES) throw new Error(`expected ${LINES} lines, the floor read ${f.events} and Skyport counted ${s.counted}`);
  const totals = await call('GET', `/api/v2/apigatewayapi/${(await call('GET', '/api/v2/apigatewayapi')).items[0].id}/traffic?startTime=${readStart}&endTime=${clockNow}`);
  if (totals.totals.requests !== LINES) throw new Error(`the traffic route shows ${totals.totals.requests} requests, not ${LINES}`);
  await app.close();
  access.close();
  log(
    JSON.stringify({
      lines: LINES,
      streams: STREAMS,
      pages: f.pages,
      floorLinesPerSecond: f.linesPerSecond,
      linesPerSecond: s.linesPerSecond,
      ratioToFloor: Number((s.linesPerSecond / f.linesPerSecond).toFixed(3)),
      peakHeapMb: s.peakHeapMb,
      skyportCpuMs: s.cpuMs,
    }),
  );
});
