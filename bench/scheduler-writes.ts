// What one collection run's point writes cost, in isolation: npx tsx bench/scheduler-writes.ts [--fillfactor 100]
//   [--integrations 200] [--runs 5]
// A fresh database (bench/postgres.ts) migrated as Skyport does; per integration 250 points shaped like one
// CloudWatch run (10 instances × 5 metrics × 5 statistics, one timestamp), written with writePoints inside a
// transaction, first once to create the series, then `--runs` more minutes. Prints the PostgreSQL backend's CPU
// (from /proc) and this process's CPU per run, and how many series updates stayed on their page (HOT).
// `--fillfactor 100` sets the series table back to PostgreSQL's default to compare with migration 0001.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openPool } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { writePoints } from '../src/db/queries/points.ts';
import { acquireBenchDatabase } from './postgres.ts';
import { cpuSeconds } from './scheduler-measure.ts';

const { values } = parseArgs({ options: { fillfactor: { type: 'string' }, integrations: { type: 'string', default: '200' }, runs: { type: 'string', default: '5' } } });
const INTEGRATIONS = Number(values.integrations);
const RUNS = Number(values.runs);
const STATS = ['average', 'sum', 'minimum', 'maximum', 'samplecount'];
const METRICS = ['cpuutilization', 'networkin', 'networkout', 'diskreadops', 'diskwriteops'];

function pointsOf(i: number, minute: number) {
  const points = [];
  for (let instance = 0; instance < 10; instance++) {
    const tags = { accountId: String(300_000_000_000 + i), Region: 'us-east-1', InstanceId: `i-${i}-${instance}` };
    for (const m of METRICS) for (const s of STATS) points.push({ metric: `aws.ec2.${m}.${s}`, source: `host-${instance}`, tags, ts: minute * 60_000, value: Math.random() * 100 });
  }
  return points;
}

const database = await acquireBenchDatabase((line) => console.log(line));
const db = openPool(database.url, 1);
try {
  await runMigrations(db.pool);
  if (values.fillfactor) await db.pool.query(`ALTER TABLE series SET (fillfactor = ${Number(values.fillfactor)})`);
  await db.pool.query(`INSERT INTO customers (id) VALUES ('default') ON CONFLICT DO NOTHING`);
  const backend = (await db.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const ids = Array.from({ length: INTEGRATIONS }, () => crypto.randomUUID());
  let minute = Math.floor(Date.now() / 60_000) - RUNS - 1;
  for (const [i, id] of ids.entries()) await db.db.transaction((tx) => writePoints(tx, 'default', id, pointsOf(i, minute)));
  const pg0 = cpuSeconds(backend);
  const me0 = process.cpuUsage();
  for (let r = 0; r < RUNS; r++) {
    minute++;
    for (const [i, id] of ids.entries()) {
      const points = pointsOf(i, minute);
      await db.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT 1`);
        await writePoints(tx, 'default', id, points);
      });
    }
  }
  const me = process.cpuUsage(me0);
  const runs = RUNS * INTEGRATIONS;
  const { rows } = await db.pool.query(`SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'series'`);
  console.log(
    JSON.stringify({
      fillfactor: Number(values.fillfactor ?? 50),
      runs,
      pointsPerRun: 250,
      postgresMsPerRun: Math.round(((cpuSeconds(backend) - pg0) * 1000 * 100) / runs) / 100,
      clientMsPerRun: Math.round(((me.user + me.system) / 1000 / runs) * 100) / 100,
      seriesUpdatesHot: `${rows[0].n_tup_hot_upd}/${rows[0].n_tup_upd}`,
    }),
  );
} finally {
  await db.close();
  await database.drop();
}
