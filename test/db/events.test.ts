// The event store's writer: time-ordered ids, exact round trip of every column through the typed-array insert,
// de-duplication across chunks, and the migration that dropped events_integration_idx on a database with events.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openPool } from '../../src/db/client.ts';
import { MIGRATIONS_DIR, runMigrations } from '../../src/db/migrate.ts';
import { EVENT_CHUNK, getEvent, insertEvents, listEvents, type EventInsert } from '../../src/db/queries/events.ts';
import { uuidv7 } from '../../src/lib/uuidv7.ts';
import { eventRows } from '../../src/services/collection/scheduler/record.ts';
import { client } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { createEmptyTestDatabase } from '../helpers/process.ts';

const T = Date.UTC(2026, 10, 21, 12, 0, 0);
const DAY = 86_400_000;
type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;

function event(customerId: string, startMs: number, extra: Partial<EventInsert> = {}): EventInsert {
  return {
    id: uuidv7(),
    customerId,
    integrationId: randomUUID(),
    name: 'AWS Action: RunInstances',
    startMs,
    endMs: startMs + 1,
    runningState: 'ENDED',
    annotations: { eventName: 'RunInstances' },
    tags: ['aws.cloudtrail.ec2'],
    hosts: ['123456789012'],
    dedupeKey: randomUUID(),
    createdMs: T,
    updatedMs: T,
    ...extra,
  };
}

test('uuidv7: lowercase RFC 9562 version 7 ids, carrying the time, strictly increasing even within one millisecond', () => {
  const before = Date.now();
  const ids = Array.from({ length: 20_000 }, () => uuidv7());
  const afterMs = Date.now();
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`);
  const ms = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  assert.ok(ms(ids[0]) >= before && ms(ids[0]) <= afterMs);
  // 20,000 ids in a few ms overflow the 12-bit counter: the timestamp is carried forward, never backwards.
  assert.ok(ms(ids.at(-1)!) >= ms(ids[0]));
  // A clock that steps back does not make ids go back.
  const late = uuidv7(Date.now() + 60_000);
  assert.ok(uuidv7(before) > late);
  assert.equal(new Set(ids).size, ids.length);
});

describe('insertEvents', () => {
  let database: TestDb;
  let counter = 0;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database.close();
  });
  async function customer() {
    const id = `c${process.pid}-${++counter}`;
    await database.pool.query('INSERT INTO customers (id) VALUES ($1)', [id]);
    return id;
  }

  test('every column round-trips exactly, whatever the text (quotes, backslashes, braces, commas, NULL, unicode)', async () => {
    const c = await customer();
    const nasty = ['a"b', 'back\\slash', '{braces}', 'com,ma', 'NULL', 'null', '', ' spaced ', 'tab\tnew\nline', 'ünï © 😀', '"', '\\', '\\"', '{"a","b"}'];
    const rows: EventInsert[] = nasty.map((s, i) => event(c, T - i, {
      name: `AWS Action: ${s}`,
      annotations: { [s || 'empty']: s, eventID: `id-${i}` },
      tags: [s, `t${i}`, s],
      hosts: i % 2 === 0 ? [] : [s],
      dedupeKey: s === '' ? null : s,
      integrationId: i % 3 === 0 ? null : randomUUID(),
      endMs: i % 4 === 0 ? null : T - i + 1,
      runningState: i % 4 === 0 ? 'ONGOING' : 'ENDED',
      isUserEvent: i % 5 === 0,
      createdMs: T + i,
      updatedMs: T + 2 * i,
    }));
    assert.equal(await insertEvents(database.db, rows), rows.length);
    for (const r of rows) {
      assert.deepEqual(await getEvent(database.db, c, r.id), { isUserEvent: false, ...r });
    }
  });

  test('more rows than one statement: all stored, duplicates (in the batch, across chunks, already stored) skipped', async () => {
    const c = await customer();
    const n = 2 * EVENT_CHUNK + 123;
    const rows = Array.from({ length: n }, (_, i) => event(c, T - i, { dedupeKey: `e-${i % (n - 50)}` }));
    assert.equal(await insertEvents(database.db, rows), n - 50, 'the last 50 repeat keys of the first chunk');
    const again = [event(c, T, { dedupeKey: 'e-7' }), event(c, T, { dedupeKey: 'new' }), event(c, T, { dedupeKey: null }), event(c, T, { dedupeKey: null })];
    assert.equal(await insertEvents(database.db, again), 3, 'null keys never conflict');
    const count = await database.pool.query('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [c]);
    assert.equal(count.rows[0].n, n - 50 + 3);
  });

  test('a failing chunk fails the call and its transaction; nothing of it stays', async () => {
    const c = await customer();
    const rows = Array.from({ length: EVENT_CHUNK + 10 }, (_, i) => event(c, T - i));
    rows[EVENT_CHUNK + 5] = event('no-such-customer', T);
    await assert.rejects(database.db.transaction((tx) => insertEvents(tx, rows)));
    const count = await database.pool.query('SELECT count(*)::int AS n FROM events WHERE customer_id = $1', [c]);
    assert.equal(count.rows[0].n, 0);
  });

  test('ids from eventRows are time-ordered: PostgreSQL sorts them in the order they were made', async () => {
    const c = await customer();
    const collected = Array.from({ length: 500 }, (_, i) => ({ name: 'AWS Action: X', startMs: T, endMs: T + 1, annotations: {}, tags: [], hosts: [], dedupeKey: `k${i}` }));
    const rows = [...eventRows(c, randomUUID(), collected, T), ...eventRows(c, randomUUID(), collected.slice(0, 10).map((e) => ({ ...e, dedupeKey: `${e.dedupeKey}b` })), T)];
    await insertEvents(database.db, [...rows].reverse());
    const res = await database.pool.query('SELECT id::text FROM events WHERE customer_id = $1 ORDER BY id', [c]);
    assert.deepEqual(res.rows.map((r) => r.id), rows.map((r) => r.id));
    // Same start time: newest-first listing breaks the tie by id, i.e. the later-made event first.
    const page = await listEvents(database.db, { customerId: c, limit: 3 });
    assert.deepEqual(page.map((r) => r.id), rows.slice(-3).reverse().map((r) => r.id));
  });
});

test('migration 0002 on a database holding events from before it: index gone, events still served by the API', async (t) => {
  const empty = await createEmptyTestDatabase();
  t.after(empty.drop);
  const database = openPool(empty.url, 2);
  t.after(() => database.close());

  // Apply the migrations up to 0001 only (a copy of migrations/ with a shortened journal).
  const dir = mkdtempSync(join(tmpdir(), 'skyport-migrations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag.startsWith('0002_'));
  assert.ok(at > 0, 'migration 0002 is in the journal');
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  await migrate(drizzle(database.pool), { migrationsFolder: dir });

  const indexes = async () => (await database.pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'events' ORDER BY 1`)).rows.map((r) => r.indexname);
  assert.ok((await indexes()).includes('events_integration_idx'));
  await database.pool.query(`INSERT INTO customers (id) VALUES ('old')`);
  const old = [event('old', T - 60_000, { id: randomUUID() }), event('old', T - 120_000, { id: randomUUID(), annotations: { a: 'b"c' }, tags: ['x,y'] })];
  // Written as the writer before this change did (jsonb_to_recordset, random v4 ids).
  await database.pool.query(
    `INSERT INTO events (id, customer_id, integration_id, name, start_ms, end_ms, running_state, annotations, tags, hosts, is_user_event, dedupe_key, created_ms, updated_ms)
     SELECT r.id, r."customerId", r."integrationId", r.name, r."startMs", r."endMs", r."runningState", r.annotations,
            ARRAY(SELECT jsonb_array_elements_text(r.tags)), ARRAY(SELECT jsonb_array_elements_text(r.hosts)), false, r."dedupeKey", r."createdMs", r."updatedMs"
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "customerId" text, "integrationId" uuid, name text, "startMs" bigint, "endMs" bigint, "runningState" text,
            annotations jsonb, tags jsonb, hosts jsonb, "dedupeKey" text, "createdMs" bigint, "updatedMs" bigint)`,
    [JSON.stringify(old)],
  );

  await runMigrations(database.pool);
  assert.deepEqual(await indexes(), ['events_customer_start_idx', 'events_dedupe_idx', 'events_pkey']);

  const app = await buildApp({ config: loadConfig({ SKYPORT_AUTH_CACHE_TTL: '0s' }), database });
  t.after(() => app.close());
  await app.ready();
  const token = (await app.services.tokens.create({ name: 'reader', permissions: [], customerId: 'old' })).token;
  const call = client(app, token);
  // A new event (UUIDv7 id) beside the old ones, same de-duplication key space.
  const fresh = event('old', T, { dedupeKey: old[0].dedupeKey });
  const newer = event('old', T);
  assert.equal(await insertEvents(database.db, [fresh, newer]), 1, 'an old event still de-duplicates a new one');
  const list = await call('GET', `/api/v2/event?earliestStartTimeEpochMillis=${T - DAY}&latestStartTimeEpochMillis=${T + DAY}`);
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.deepEqual(list.body.response.items.map((e: { id: string }) => e.id), [newer.id, old[0].id, old[1].id]);
  const got = await call('GET', `/api/v2/event/${old[1].id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body.response.annotations, { a: 'b"c' });
  assert.deepEqual(got.body.response.tags, ['x,y']);
});
