// npm run bench:cloudtrail -- [--files 40] [--records 2500] [--rounds 3] [--filter .]
//
// CloudTrail ingestion against its floor, in one run. The simulator (in this process) holds N gzipped log files
// of the same account and day; then, alternately:
//   floor: every file downloaded through the same rate-limited, credentialed S3 client and gunzipped (the bytes
//          are counted and dropped): the least any reader of these files has to do;
//   ours:  the CloudTrail collector as the scheduler runs it (list, download, gunzip, streaming parse, filter,
//          events and per-minute counters), then what the scheduler's recorder stores in one transaction
//          (events with eventID de-duplication, counter points, cursors) in PostgreSQL.
// Each "ours" round starts from empty tables and no cursors. Both are reported as records per second (every
// record of every file, whether the filter keeps it or not; the default --filter "." keeps all of them, so every
// record parsed is also stored as an event). The last line of output is one JSON object:
//   recordsPerSecond       ours, median over the rounds
//   floorRecordsPerSecond  the floor, median over the rounds
//   ratioToFloor           ours ÷ floor in records per second (1 = as fast as downloading and gunzipping;
//                          0.25 = four times slower), the median of the rounds' own ratios (each round measures
//                          the floor three times, median, right before or after "ours", to cancel drift)
//   collectRatioToFloor    the same for the collector alone (without the PostgreSQL writes)
// plus the raw figures of every round. See docs/PERFORMANCE.md.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { openPool } from '../src/db/client.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { insertEvents } from '../src/db/queries/events.ts';
import { writePoints } from '../src/db/queries/points.ts';
import { schedulerQueries } from '../src/db/queries/scheduler.ts';
import { eventRows } from '../src/services/collection/scheduler/record.ts';
import { systemClock } from '../src/lib/clock.ts';
import { createAwsAccess } from '../src/services/collection/aws/access.ts';
import { createCloudTrailCollector } from '../src/services/collection/collectors/cloudtrail/index.ts';
import type { CollectResult } from '../src/services/collection/collectors/types.ts';
import { startSimulator } from '../src/simulator/simulator.ts';
import { acquireBenchDatabase } from './postgres.ts';

const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '40' },
    records: { type: 'string', default: '2500' },
    rounds: { type: 'string', default: '3' },
    filter: { type: 'string', default: '.' },
  },
});
const FILES = Number(flags.files);
const RECORDS = Number(flags.records);
const ROUNDS = Number(flags.rounds);
const log = (line: string) => process.stdout.write(`${line}\n`);

const ACCOUNT = '123456789012';
const SKYPORT_ACCOUNT = '999988887777';
const BUCKET = 'bench-trail';
const EXTERNAL_ID = 'bench-cloudtrail-external-id';
const INTEGRATION_ID = '00000000-0000-4000-8000-00000000b001';
const CUSTOMER = 'bench';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const db = await acquireBenchDatabase(log);
  const database = openPool(db.url, 4);
  const sim = await startSimulator();
  try {
    await runMigrations(database.pool);
    await database.pool.query(`INSERT INTO customers (id) VALUES ($1) ON CONFLICT DO NOTHING`, [CUSTOMER]);
    // An integration row for the cursors (collector_cursors references integrations).
    await database.pool.query(
      `INSERT INTO integrations (id, customer_id, name, service, refresh_mins, config, role_arn, external_id, creator_id, updater_id, created_ms, updated_ms)
       VALUES ($1, $2, 'bench trail', 'CLOUDTRAIL', 5, '{}', $3, $4, 'bench', 'bench', 0, 0)`,
      [INTEGRATION_ID, CUSTOMER, `arn:aws:iam::${ACCOUNT}:role/SkyportBench`, EXTERNAL_ID],
    );

    // ---- the simulated account, its role and the log files ---------------------------------------------------
    sim.createAccount({ id: SKYPORT_ACCOUNT });
    const skyport = sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'skyport' });
    sim.createAccount({ id: ACCOUNT });
    const roleArn = sim.createRole({ accountId: ACCOUNT, name: 'SkyportBench', trustedPrincipals: [skyport.arn], externalId: EXTERNAL_ID }).arn;
    const now = Date.now();
    let records = 0;
    let uncompressed = 0;
    let compressed = 0;
    const keys: string[] = [];
    for (let i = 0; i < FILES; i++) {
      // Spread over the last 50 minutes (the collector's first run looks back an hour), oldest first.
      const w = sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, deliveryTime: now - 50 * 60_000 + Math.floor((i * 49 * 60_000) / FILES), count: RECORDS, seed: i + 1, digest: true });
      records += w.records.length;
      compressed += sim.getObject(BUCKET, w.key)!.body.length;
      uncompressed += Buffer.byteLength(JSON.stringify({ Records: w.records }));
      keys.push(w.key);
    }
    const settings = { endpoint: sim.url, stsRegion: 'us-east-1', credentials: { accessKeyId: skyport.accessKeyId, secretAccessKey: skyport.secretAccessKey }, forcePathStyle: true };
    const access = createAwsAccess({ settings, clock: systemClock });
    const role = { id: INTEGRATION_ID, roleArn, externalId: EXTERNAL_ID };
    const { credentials } = access.forIntegration(role);
    const cpu = cpus()[0]?.model ?? 'unknown';
    log(`${FILES} files, ${records} records, ${(uncompressed / 1e6).toFixed(1)} MB JSON (${(compressed / 1e6).toFixed(1)} MB gzipped); PostgreSQL ${db.serverVersion} (${db.source}); ${cpu}`);

    // ---- floor: download + gunzip, 4 files at a time (as the collector reads a day) ---------------------------
    async function floor(): Promise<number> {
      const clients = access.forIntegration(role).aws;
      const s3 = clients.s3('us-east-1');
      const started = performance.now();
      let bytes = 0;
      let next = 0;
      const worker = async () => {
        while (next < keys.length) {
          const key = keys[next++];
          const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
          await pipeline(out.Body as Readable, createGunzip({ chunkSize: 64 * 1024 }), async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) bytes += chunk.length;
          });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      const seconds = (performance.now() - started) / 1000;
      clients.destroy();
      if (bytes !== uncompressed) throw new Error(`floor read ${bytes} bytes, expected ${uncompressed}`);
      return seconds;
    }

    // ---- ours: the collector, then the recorder's writes -----------------------------------------------------
    const queries = schedulerQueries(database.db);
    async function ours(): Promise<{ seconds: number; collectSeconds: number; storeSeconds: number; events: number; points: number }> {
      await database.pool.query('TRUNCATE events, points, series CASCADE');
      await database.pool.query('DELETE FROM collector_cursors');
      const collect = createCloudTrailCollector({ lookbackMs: 3_600_000, maxFilesPerRun: 100_000, maxEventsPerRun: 10_000_000 });
      const clients = access.forIntegration(role).aws;
      const started = performance.now();
      const result: CollectResult = await collect({
        target: {
          id: INTEGRATION_ID,
          customerId: CUSTOMER,
          service: 'CLOUDTRAIL',
          config: { bucketName: BUCKET, region: 'us-east-1', filterRule: flags.filter },
          additionalTags: null,
          roleArn,
          externalId: EXTERNAL_ID,
          accountId: ACCOUNT,
        },
        aws: clients,
        credentials,
        cursors: await queries.cursors(INTEGRATION_ID),
        now: systemClock.now(),
        signal: new AbortController().signal,
      });
      const collected = performance.now();
      const nowMs = systemClock.now();
      let stored = 0;
      // What the scheduler's recorder (src/services/collection/scheduler/record.ts) writes, in one transaction.
      await database.db.transaction(async (tx) => {
        await writePoints(tx, CUSTOMER, INTEGRATION_ID, result.points);
        stored = await insertEvents(tx, eventRows(CUSTOMER, INTEGRATION_ID, result.events, nowMs));
        await queries.saveCursors(tx, INTEGRATION_ID, result.cursors, nowMs);
      });
      const done = performance.now();
      clients.destroy();
      if (result.partialErrors.length > 0) throw new Error(`collector failed: ${JSON.stringify(result.partialErrors)}`);
      return { seconds: (done - started) / 1000, collectSeconds: (collected - started) / 1000, storeSeconds: (done - collected) / 1000, events: stored, points: result.points.length };
    }

    // Warm-up (JIT, connections, credentials), then alternating rounds.
    await floor();
    await ours();
    const rounds: Array<{ floorSeconds: number; ours: Awaited<ReturnType<typeof ours>> }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const first = r % 2 === 0;
      const floors = async () => median([await floor(), await floor(), await floor()]);
      let floorSeconds = 0;
      if (first) floorSeconds = await floors();
      const o = await ours();
      if (!first) floorSeconds = await floors();
      rounds.push({ floorSeconds, ours: o });
      log(
        `round ${r + 1}: floor ${(records / floorSeconds).toFixed(0)} records/s (${floorSeconds.toFixed(2)} s); ` +
          `ours ${(records / o.seconds).toFixed(0)} records/s (${o.seconds.toFixed(2)} s = collect ${o.collectSeconds.toFixed(2)} + store ${o.storeSeconds.toFixed(2)}; ` +
          `${o.events} events, ${o.points} counter points)`,
      );
    }
    access.close();

    const recordsPerSecond = median(rounds.map((r) => records / r.ours.seconds));
    const floorRecordsPerSecond = median(rounds.map((r) => records / r.floorSeconds));
    const summary = {
      bench: 'cloudtrail',
      recordsPerSecond: Math.round(recordsPerSecond),
      floorRecordsPerSecond: Math.round(floorRecordsPerSecond),
      ratioToFloor: Number(median(rounds.map((r) => r.floorSeconds / r.ours.seconds)).toFixed(3)),
      collectRatioToFloor: Number(median(rounds.map((r) => r.floorSeconds / r.ours.collectSeconds)).toFixed(3)),
      ratioDefinition: 'ours ÷ floor in records/s (floor = download + gunzip of the same files), median of the per-round ratios',
      collectRecordsPerSecond: Math.round(median(rounds.map((r) => records / r.ours.collectSeconds))),
      storeRecordsPerSecond: Math.round(median(rounds.map((r) => records / r.ours.storeSeconds))),
      files: FILES,
      records,
      uncompressedBytes: uncompressed,
      compressedBytes: compressed,
      filterRule: flags.filter,
      rounds: rounds.map((r) => ({
        floorSeconds: Number(r.floorSeconds.toFixed(3)),
        oursSeconds: Number(r.ours.seconds.toFixed(3)),
        collectSeconds: Number(r.ours.collectSeconds.toFixed(3)),
        storeSeconds: Number(r.ours.storeSeconds.toFixed(3)),
        eventsStored: r.ours.events,
        counterPoints: r.ours.points,
      })),
      postgres: `${db.serverVersion} (${db.source})`,
      node: process.version,
      cpu,
    };
    log(JSON.stringify(summary));
  } finally {
    await sim.close();
    await database.close();
    await db.drop();
  }
}

await main();
