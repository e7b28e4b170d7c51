// npm run bench:usage -- [--apis 20] [--days 3] [--keys 4] [--repeat 15]
//
// A subscription's usage (GET /apigatewaysubscription/{id}/usage) reads one API key's traffic minutes. This
// measures that query (trafficQueries.usageByApiKeys, the code the route runs) over a realistic table: a
// connection synced from the simulator (`apis` REST APIs, 5 endpoints each), then per endpoint and minute of
// `days` days 2 statuses × `keys` other API keys, and the subscription's key on one minute in ten. Baseline in the
// same run: the same query after the partial index on (api_key_id, minute_ms) is dropped (what the table had
// before migration 0009). Reports the medians, `speedupOverNoIndex`, and the write cost of that index: the time
// to insert the same batch of minute rows with and without it (`writeCostRatio`; with it before and after the
// batches without, so drift shows on both sides). The last line is one JSON object. See docs/PERFORMANCE.md.
import { parseArgs } from 'node:util';
import { trafficQueries } from '../src/db/queries/apiGatewayTraffic.ts';
import { benchApp, benchIdentities, runSimulatorBench } from './simulatorProcess.ts';

const { values: flags } = parseArgs({
  options: {
    apis: { type: 'string', default: '20' },
    days: { type: 'string', default: '3' },
    keys: { type: 'string', default: '4' },
    repeat: { type: 'string', default: '15' },
  },
});
const APIS = Number(flags.apis);
const DAYS = Number(flags.days);
const KEYS = Number(flags.keys);
const REPEAT = Number(flags.repeat);
const ACCOUNT = '210987654321';
const REGION = 'us-east-1';
const DAY = 86_400_000;
const INDEX = 'apigateway_traffic_minutes_key_idx';
const log = (line: string) => process.stdout.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

runSimulatorBench(log, async ({ sim, database }) => {
  const { pool, db } = database;
  const { user, settings } = await benchIdentities(sim, ACCOUNT, [REGION]);
  for (let i = 0; i < APIS; i++) {
    const resources = ['/a', '/a/{id}', '/b', '/b/{id}', '/c'].map((path) => ({ path, methods: ['GET'] }));
    await sim.admin('/apigateway/restapis', { accountId: ACCOUNT, region: REGION, name: `api-${i}`, resources, stages: ['prod'] });
  }
  const { app, call } = await benchApp(database, settings);
  try {
    const externalId = await call('POST', '/api/v2/cloudintegration/awsExternalId');
    const role = await sim.admin('/roles', { accountId: ACCOUNT, name: 'SkyportApiGateway', trustedPrincipals: [user.arn], externalId });
    const conn = await call('POST', '/api/v2/apigatewayconnection', { name: 'bench', credentials: { type: 'ROLE', roleArn: role.arn, externalId }, regions: [REGION], forceSave: true });
    const run = await call('POST', `/api/v2/apigatewayconnection/${conn.id}/sync?wait=true`);
    if (run.status !== 'OK') throw new Error(`sync ${run.status}: ${run.error}`);
    const customerId = (await pool.query('SELECT customer_id FROM apigateway_connections WHERE id = $1', [conn.id])).rows[0].customer_id as string;

    // Seeding millions of rows takes longer than the pool's statement timeout: one session without it.
    const seeder = await pool.connect();
    await seeder.query('SET statement_timeout = 0');
    const end = Date.now() - (Date.now() % 60_000);
    const start = end - DAYS * DAY;
    const t0 = Date.now();
    const seeded = await seeder.query(
      `INSERT INTO apigateway_traffic_minutes (endpoint_id, minute_ms, status, api_key_id, requests, bytes, latency)
       SELECT e.id, m, s, k, 3, 900, '{}'::int[]
         FROM apigateway_endpoints e, generate_series($1::int8, $2::int8, 60000) m, (VALUES (200), (404)) st(s),
              (SELECT 'other-key-' || g AS k FROM generate_series(1, $3::int) g UNION ALL SELECT '') keys
        WHERE e.removed_ms IS NULL`,
      [start, end - 60_000, KEYS],
    );
    const mine = await seeder.query(
      `INSERT INTO apigateway_traffic_minutes (endpoint_id, minute_ms, status, api_key_id, requests, bytes, latency)
       SELECT e.id, m, 200, 'subscription-key', 1, 300, '{}'::int[]
         FROM apigateway_endpoints e, generate_series($1::int8, $2::int8, 600000) m WHERE e.removed_ms IS NULL`,
      [start, end - 60_000],
    );
    await seeder.query('ANALYZE apigateway_traffic_minutes');
    seeder.release();
    log(`seeded ${seeded.rowCount} minute rows (${APIS * 5} endpoints × ${DAYS} days × 2 statuses × ${KEYS + 1} keys incl. none) and ${mine.rowCount} of the subscription's key in ${Date.now() - t0} ms`);

    const query = () => trafficQueries.usageByApiKeys(db, customerId, conn.id, REGION, ['subscription-key', 'rotated-out-key'], start, end);
    const expected = (await query()).reduce((n, d) => n + d.requests, 0);
    if (expected !== mine.rowCount) throw new Error(`usage counted ${expected}, seeded ${mine.rowCount}`);
    const time = async () => {
      const ms: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const t = performance.now();
        await query();
        ms.push(performance.now() - t);
      }
      return median(ms);
    };
    // The write side: the same batch of new minute rows (a later hour, every key) with and without the index.
    const batch = async (offsetMs: number) => {
      const from = end + offsetMs;
      const t = performance.now();
      await pool.query(
        `INSERT INTO apigateway_traffic_minutes (endpoint_id, minute_ms, status, api_key_id, requests, bytes, latency)
         SELECT e.id, m, 200, k, 1, 100, '{}'::int[]
           FROM apigateway_endpoints e, generate_series($1::int8, $2::int8, 60000) m,
                (SELECT 'other-key-' || g AS k FROM generate_series(1, $3::int) g UNION ALL SELECT 'subscription-key') keys
          WHERE e.removed_ms IS NULL`,
        [from, from + 59 * 60_000, KEYS],
      );
      return performance.now() - t;
    };

    await time(); // warm the cache
    const withIndex = await time();
    const writeWithFirst = [await batch(1 * 3_600_000), await batch(2 * 3_600_000), await batch(3 * 3_600_000)];
    await pool.query(`DROP INDEX ${INDEX}`);
    await pool.query('ANALYZE apigateway_traffic_minutes');
    await time();
    const withoutIndex = await time();
    const writeWithout = median([await batch(4 * 3_600_000), await batch(5 * 3_600_000), await batch(6 * 3_600_000)]);
    // The index back, and three more batches with it: the machine's drift shows on both sides.
    await pool.query(`CREATE INDEX ${INDEX} ON apigateway_traffic_minutes (api_key_id, minute_ms) WHERE api_key_id <> ''`);
    const writeWithAgain = [await batch(7 * 3_600_000), await batch(8 * 3_600_000), await batch(9 * 3_600_000)];

    const writeWith = median([...writeWithFirst, ...writeWithAgain]);
    const out = {
      minuteRows: (seeded.rowCount ?? 0) + (mine.rowCount ?? 0),
      keyRows: mine.rowCount,
      usageMsWithIndex: Math.round(withIndex * 10) / 10,
      usageMsWithoutIndex: Math.round(withoutIndex * 10) / 10,
      speedupOverNoIndex: Math.round((withoutIndex / withIndex) * 10) / 10,
      writeBatchRows: APIS * 5 * 60 * (KEYS + 1),
      writeMsWithIndex: Math.round(writeWith),
      writeMsWithoutIndex: Math.round(writeWithout),
      writeCostRatio: Math.round((writeWith / writeWithout) * 100) / 100,
    };
    log(JSON.stringify(out));
  } finally {
    await app.close();
  }
});
