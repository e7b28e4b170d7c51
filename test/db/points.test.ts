// The point store: batched series/point upserts, raw reads, and batched retention (DESIGN.md "Data").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { deletePointsOlderThan, readRaw, seriesKey, writePoints, POINT_CHUNK } from '../../src/db/queries/points.ts';
import type { CollectedPoint } from '../../src/services/collection/collectors/types.ts';
import { createTestDatabase } from '../helpers/db.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;

type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;

describe('points queries', () => {
  let database: TestDb;
  let customerCounter = 0;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  /** A new customer row (series reference customers), so each test reads only its own series. */
  async function customer() {
    const id = `c${process.pid}-${++customerCounter}`;
    await database.pool.query('INSERT INTO customers (id) VALUES ($1)', [id]);
    return id;
  }

  const pt = (metric: string, source: string, tags: Record<string, string>, ts: number, value: number): CollectedPoint => ({ metric, source, tags, ts, value });
  const read = (customerId: string, metric: string, extra: Partial<Parameters<typeof readRaw>[1]> = {}) =>
    readRaw(database.db, { customerId, metric, startMs: T0 - 24 * 60 * MIN, endMs: T0 + 24 * 60 * MIN, limitSeries: 1000, ...extra });
  const count = async (sql: string, params: unknown[] = []) => Number((await database.pool.query(sql, params)).rows[0].n);

  test('seriesKey: stable SHA-1 of metric, source and tags sorted by key; tag order does not matter, parts do not run together', () => {
    const a = seriesKey('aws.ec2.cpuutilization.average', 'i-1', { Region: 'us-east-1', accountId: '123' });
    assert.match(a, /^[0-9a-f]{40}$/);
    assert.equal(seriesKey('aws.ec2.cpuutilization.average', 'i-1', { accountId: '123', Region: 'us-east-1' }), a);
    assert.notEqual(seriesKey('aws.ec2.cpuutilization.average', 'i-2', { Region: 'us-east-1', accountId: '123' }), a);
    assert.notEqual(seriesKey('aws.ec2.cpuutilization.average', 'i-1', { Region: 'us-east-2', accountId: '123' }), a);
    assert.notEqual(seriesKey('a.b', 'c', {}), seriesKey('a', 'b.c', {}));
    assert.notEqual(seriesKey('m', 's', { k: 'v=w' }), seriesKey('m', 's', { 'k=v': 'w' }));
  });

  test('write then read back: one element per series with tags + source, points in time order, series by source', async () => {
    const c = await customer();
    const integration = randomUUID();
    const res = await writePoints(database.db, c, integration, [
      pt('aws.ec2.cpuutilization.average', 'i-1', { Region: 'us-east-1' }, T0 + 2 * MIN, 3.5),
      pt('aws.ec2.cpuutilization.average', 'i-1', { Region: 'us-east-1' }, T0, 1.25),
      pt('aws.ec2.cpuutilization.average', 'i-1', { Region: 'us-east-1' }, T0 + MIN, 2),
      pt('aws.ec2.cpuutilization.average', 'i-2', { Region: 'us-east-1' }, T0, 10),
      pt('aws.ec2.networkin.sum', 'i-1', { Region: 'us-east-1' }, T0, 99),
    ]);
    assert.deepEqual(res, { series: 3, points: 5, skipped: 0 });

    const series = await read(c, 'aws.ec2.cpuutilization.average');
    const bySource = Object.fromEntries(series.map((s) => [s.tags.source, s]));
    assert.equal(series.length, 2);
    assert.deepEqual(bySource['i-1'], {
      tags: { Region: 'us-east-1', source: 'i-1' },
      points: [
        { timestamp: T0, value: 1.25 },
        { timestamp: T0 + MIN, value: 2 },
        { timestamp: T0 + 2 * MIN, value: 3.5 },
      ],
    });
    assert.deepEqual(bySource['i-2'], { tags: { Region: 'us-east-1', source: 'i-2' }, points: [{ timestamp: T0, value: 10 }] });
    // Stored rows carry the customer, the integration and the newest point time.
    const rows = await database.pool.query('SELECT id, integration_id, last_point_ms FROM series WHERE customer_id = $1 ORDER BY id', [c]);
    assert.deepEqual(rows.rows.map((r) => r.integration_id), [integration, integration, integration]);
    assert.equal(rows.rows.find((r) => r.last_point_ms === T0 + 2 * MIN) !== undefined, true);
    // Series come back ordered by source.
    assert.deepEqual(series.map((s) => s.tags.source), ['i-1', 'i-2']);
  });

  test('a re-write of the same series and timestamp overwrites: one row, the new value; an unchanged value is not rewritten', async () => {
    const c = await customer();
    const integration = randomUUID();
    await writePoints(database.db, c, integration, [pt('m.rewrite', 'h', { a: '1' }, T0, 1), pt('m.rewrite', 'h', { a: '1' }, T0 + MIN, 5)]);
    const xminBefore = (await database.pool.query('SELECT p.ts, p.xmin::text AS x FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1 ORDER BY p.ts', [c])).rows;
    const res = await writePoints(database.db, c, integration, [pt('m.rewrite', 'h', { a: '1' }, T0, 2), pt('m.rewrite', 'h', { a: '1' }, T0 + MIN, 5)]);
    assert.deepEqual(res, { series: 1, points: 2, skipped: 0 });
    assert.equal(await count('SELECT count(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1', [c]), 2);
    assert.equal(await count('SELECT count(*) AS n FROM series WHERE customer_id = $1', [c]), 1);
    const [s] = await read(c, 'm.rewrite');
    assert.deepEqual(s.points, [
      { timestamp: T0, value: 2 },
      { timestamp: T0 + MIN, value: 5 },
    ]);
    const xminAfter = (await database.pool.query('SELECT p.ts, p.xmin::text AS x FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1 ORDER BY p.ts', [c])).rows;
    assert.notEqual(xminAfter[0].x, xminBefore[0].x, 'the changed point was rewritten');
    assert.equal(xminAfter[1].x, xminBefore[1].x, 'the unchanged point was left alone');
  });

  test('series identity ignores tag order', async () => {
    const c = await customer();
    await writePoints(database.db, c, randomUUID(), [pt('m.order', 'h', { b: '2', a: '1', c: '3' }, T0, 1)]);
    await writePoints(database.db, c, randomUUID(), [pt('m.order', 'h', { c: '3', a: '1', b: '2' }, T0 + MIN, 2)]);
    assert.equal(await count('SELECT count(*) AS n FROM series WHERE customer_id = $1', [c]), 1);
    const series = await read(c, 'm.order');
    assert.equal(series.length, 1);
    assert.deepEqual(series[0].tags, { a: '1', b: '2', c: '3', source: 'h' });
    assert.equal(series[0].points.length, 2);
  });

  test('a batch with duplicates: one row per series and timestamp, the last value given wins; non-finite values are skipped', async () => {
    const c = await customer();
    const res = await writePoints(database.db, c, randomUUID(), [
      pt('m.dup', 'h', { a: '1', b: '2' }, T0, 1),
      pt('m.dup', 'h', { b: '2', a: '1' }, T0, 2),
      pt('m.dup', 'h', { a: '1', b: '2' }, T0, 3),
      pt('m.dup', 'h', { a: '1', b: '2' }, T0 + MIN, Number.NaN),
      pt('m.dup', 'h', { a: '1', b: '2' }, T0 + 2 * MIN, Number.POSITIVE_INFINITY),
      pt('m.dup', 'h', { a: '1', b: '2' }, T0 + 3 * MIN, -0.5),
      pt('m.dup', 'h', { a: '1', b: '2' }, T0 + 3 * MIN, 7),
    ]);
    assert.deepEqual(res, { series: 1, points: 2, skipped: 2 });
    const [s] = await read(c, 'm.dup');
    assert.deepEqual(s.points, [
      { timestamp: T0, value: 3 },
      { timestamp: T0 + 3 * MIN, value: 7 },
    ]);
  });

  test('text PostgreSQL cannot store drops only the series that carries it', async () => {
    const c = await customer();
    const res = await writePoints(database.db, c, randomUUID(), [pt('m.nul', 'h\u0000x', {}, T0, 1), pt('m.nul', 'h', { k: 'v\u0000' }, T0, 1), pt('m.nul', 'ok', {}, T0, 1)]);
    assert.deepEqual(res, { series: 1, points: 1, skipped: 2 });
    assert.deepEqual((await read(c, 'm.nul')).map((s) => s.tags.source), ['ok']);
  });

  test('a large batch (20,000 points over 4,000 series, several statements) in one call', async () => {
    const c = await customer();
    const batch: CollectedPoint[] = [];
    for (let i = 0; i < 4000; i++) for (let k = 0; k < 5; k++) batch.push(pt('m.large', `i-${i}`, { Region: 'us-east-1', n: String(i % 7) }, T0 + k * MIN, i + k / 10));
    assert.ok(batch.length > 2 * POINT_CHUNK);
    const res = await writePoints(database.db, c, randomUUID(), batch);
    assert.deepEqual(res, { series: 4000, points: 20_000, skipped: 0 });
    assert.equal(await count('SELECT count(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1', [c]), 20_000);
    const series = await read(c, 'm.large', { source: 'i-1234' });
    assert.deepEqual(series[0].points.map((p) => p.value), [1234, 1234.1, 1234.2, 1234.3, 1234.4]);
  });

  test('last_point_ms only moves forward; integration_id follows the latest writer', async () => {
    const c = await customer();
    const first = randomUUID();
    const second = randomUUID();
    await writePoints(database.db, c, first, [pt('m.last', 'h', {}, T0 + 10 * MIN, 1)]);
    await writePoints(database.db, c, second, [pt('m.last', 'h', {}, T0, 1)]);
    const row = (await database.pool.query('SELECT last_point_ms, integration_id FROM series WHERE customer_id = $1', [c])).rows[0];
    assert.equal(row.last_point_ms, T0 + 10 * MIN);
    assert.equal(row.integration_id, second);
  });

  test("runs inside the caller's transaction: a rollback leaves nothing behind", async () => {
    const c = await customer();
    await assert.rejects(
      database.db.transaction(async (tx) => {
        const res = await writePoints(tx, c, randomUUID(), [pt('m.tx', 'h', {}, T0, 1)]);
        assert.equal(res.points, 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.equal(await count('SELECT count(*) AS n FROM series WHERE customer_id = $1', [c]), 0);
    assert.equal(await count('SELECT count(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1', [c]), 0);
  });

  test('concurrent writers of the same series in different input orders neither deadlock nor duplicate', async () => {
    const c = await customer();
    const make = (reverse: boolean) => {
      const out: CollectedPoint[] = [];
      for (let i = 0; i < 3000; i++) out.push(pt('m.concurrent', `h-${i}`, { z: String(i) }, T0, reverse ? 2 : 1));
      return reverse ? out.reverse() : out;
    };
    const results = await Promise.all([0, 1, 2, 3].map((i) => database.db.transaction((tx) => writePoints(tx, c, randomUUID(), make(i % 2 === 1)))));
    for (const r of results) assert.deepEqual(r, { series: 3000, points: 3000, skipped: 0 });
    assert.equal(await count('SELECT count(*) AS n FROM series WHERE customer_id = $1', [c]), 3000);
    assert.equal(await count('SELECT count(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.customer_id = $1', [c]), 3000);
  });

  test('readRaw: customer, metric and source filters, an inclusive window, and the series/point limits', async () => {
    const c = await customer();
    const other = await customer();
    await writePoints(database.db, c, randomUUID(), [
      pt('m.read', 'a', {}, T0 - MIN, 0),
      pt('m.read', 'a', {}, T0, 1),
      pt('m.read', 'a', {}, T0 + MIN, 2),
      pt('m.read', 'a', {}, T0 + 2 * MIN, 3),
      pt('m.read', 'b', {}, T0, 4),
      pt('m.read', 'c', {}, T0 - 10 * MIN, 5),
      pt('m.read.other', 'a', {}, T0, 6),
    ]);
    await writePoints(database.db, other, randomUUID(), [pt('m.read', 'a', {}, T0, 100)]);

    const window = { startMs: T0, endMs: T0 + MIN };
    const all = await read(c, 'm.read', window);
    // c has no point in the window, so it is not listed; both ends of the window are included.
    assert.deepEqual(all, [
      { tags: { source: 'a' }, points: [{ timestamp: T0, value: 1 }, { timestamp: T0 + MIN, value: 2 }] },
      { tags: { source: 'b' }, points: [{ timestamp: T0, value: 4 }] },
    ]);
    assert.deepEqual(await read(c, 'm.read', { ...window, source: 'b' }), [{ tags: { source: 'b' }, points: [{ timestamp: T0, value: 4 }] }]);
    assert.deepEqual(await read(c, 'm.read', { ...window, source: 'nope' }), []);
    assert.deepEqual(await read(c, 'm.read', { ...window, limitSeries: 1 }), [all[0]]);
    assert.deepEqual(await read(c, 'm.read', { ...window, limitPoints: 1 }), [{ tags: { source: 'a' }, points: [{ timestamp: T0, value: 1 }] }]);
    assert.deepEqual(await read(other, 'm.read', window), [{ tags: { source: 'a' }, points: [{ timestamp: T0, value: 100 }] }]);
    assert.deepEqual(await read(c, 'm.rea', window), [], 'the metric name is matched exactly');
  });

  test('deletePointsOlderThan: deletes old points in batches and series left empty, keeps recent ones', async () => {
    const db2 = await createTestDatabase(); // a database of its own: retention is global, not per customer
    try {
      await db2.pool.query("INSERT INTO customers (id) VALUES ('r')");
      const cutoff = T0;
      const batch: CollectedPoint[] = [];
      // "old": 25 points, all before the cutoff → series deleted. "mixed": 20 old, 3 recent → series kept.
      for (let i = 1; i <= 25; i++) batch.push(pt('m.ret', 'old', {}, cutoff - i * MIN, i));
      for (let i = 1; i <= 20; i++) batch.push(pt('m.ret', 'mixed', {}, cutoff - i * MIN, i));
      for (let i = 0; i < 3; i++) batch.push(pt('m.ret', 'mixed', {}, cutoff + i * MIN, i));
      await writePoints(db2.db, 'r', randomUUID(), batch);
      // A series whose points are gone but that was written recently (last_point_ms ≥ cutoff) stays.
      await writePoints(db2.db, 'r', randomUUID(), [pt('m.ret', 'fresh-empty', {}, cutoff + MIN, 1)]);
      await db2.pool.query("DELETE FROM points WHERE series_id = (SELECT id FROM series WHERE source = 'fresh-empty')");

      const result = await deletePointsOlderThan(db2.db, cutoff, 7); // 45 old points → 7 batches
      assert.deepEqual(result, { points: 45, series: 1 });
      const left = await db2.pool.query('SELECT s.source, p.ts FROM series s LEFT JOIN points p ON p.series_id = s.id ORDER BY s.source, p.ts');
      assert.deepEqual(
        left.rows.map((r) => [r.source, r.ts]),
        [['fresh-empty', null], ['mixed', cutoff], ['mixed', cutoff + MIN], ['mixed', cutoff + 2 * MIN]],
      );
      // Nothing left to do: a second run deletes nothing.
      assert.deepEqual(await deletePointsOlderThan(db2.db, cutoff, 7), { points: 0, series: 0 });
      // Batch size exactly dividing the work still terminates and counts right.
      await writePoints(db2.db, 'r', randomUUID(), [1, 2, 3, 4].map((i) => pt('m.ret', 'x', {}, cutoff - i * MIN, i)));
      assert.deepEqual(await deletePointsOlderThan(db2.db, cutoff, 2), { points: 4, series: 1 });
      await assert.rejects(deletePointsOlderThan(db2.db, cutoff, 0), RangeError);
    } finally {
      await db2.close();
    }
  });

  test('the retention delete can find old points through the BRIN index on ts', async () => {
    const db2 = await createTestDatabase();
    try {
      await db2.pool.query("INSERT INTO customers (id) VALUES ('r')");
      const batch: CollectedPoint[] = [];
      for (let k = 0; k < 200; k++) for (let i = 0; i < 100; i++) batch.push(pt('m.brin', `h-${i}`, {}, T0 + k * MIN, k));
      await writePoints(db2.db, 'r', randomUUID(), batch);
      await db2.pool.query('VACUUM ANALYZE points');
      const cutoff = T0 + 10 * MIN;
      // On a table this small a sequential scan is cheaper and the planner rightly takes it (from about a
      // million rows on it picks the BRIN index by itself); with sequential scans priced out, the batch's
      // search must be answerable from the BRIN index, not a scan of the primary key.
      const client = await db2.pool.connect();
      let plan: string;
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        plan = (await client.query('EXPLAIN SELECT series_id, ts FROM points WHERE ts < $1 LIMIT 10000 FOR UPDATE SKIP LOCKED', [cutoff])).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      assert.match(plan, /Bitmap Index Scan on points_ts_brin_idx/, plan);
      assert.deepEqual(await deletePointsOlderThan(db2.db, cutoff, 300), { points: 1000, series: 0 });
      assert.equal(Number((await db2.pool.query('SELECT count(*) AS n FROM points WHERE ts < $1', [cutoff])).rows[0].n), 0);
      assert.equal(Number((await db2.pool.query('SELECT count(*) AS n FROM points')).rows[0].n), 19_000);
    } finally {
      await db2.close();
    }
  });
});
