// Issue 9, item 6: bounded work per request. A search holds at most 400 values in all; a logged error never
// carries a whole SQL parameter list.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { LOG_REDACT, LOG_SERIALIZERS } from '../../src/app.ts';
import { assertError, createCloudWatch, ok, suiteApp, tenant } from './fixtures.ts';

const SEARCH = '/api/v2/search/cloudintegration';

describe('bounded work per request', () => {
  const ctx = suiteApp();

  test('a read-only token sending 50 conditions × 1,000 values gets a 400 naming the limit of 400', async () => {
    const { read } = await tenant(ctx().app);
    const query = Array.from({ length: 50 }, () => ({ key: 'name', values: Array.from({ length: 1000 }, () => 'x'), matchingMethod: 'EXACT' }));
    assertError(await read('POST', SEARCH, { query }), 400, 'at most 400 values', 'this one has 50000');
    for (const path of [`${SEARCH}/facets`, `${SEARCH}/facets`.replace('/facets', '/name'), `${SEARCH}/deleted`]) {
      assertError(await read('POST', path, { query }), 400, '400 values');
    }
  });

  test('400 values in all are accepted, across conditions and with value and values mixed', async () => {
    const { call, read } = await tenant(ctx().app);
    const created = await createCloudWatch(call);
    const query = [
      { key: 'name', values: [...Array.from({ length: 198 }, (_, i) => `other ${i}`), created.name], matchingMethod: 'EXACT' },
      { key: 'freetext', value: 'prod', values: Array.from({ length: 199 }, (_, i) => `nothing ${i}`) },
      { key: 'service', value: 'CLOUDWATCH' },
    ];
    const found = ok(await read('POST', SEARCH, { query }));
    assert.deepEqual(found.items.map((i: { id: string }) => i.id), [created.id]);
    assertError(await read('POST', SEARCH, { query: [...query, { key: 'id', value: created.id }] }), 400, '401');
  });

  test('a failed query with thousands of parameters is logged in a bounded line, without the parameter list', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    // The logger as the server builds it (src/server.ts).
    const log = pino({ level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS }, sink);
    const values = Array.from({ length: 5000 }, (_, i) => `secret-parameter-${i}-${'v'.repeat(40)}`);
    // A real failure of PostgreSQL through drizzle: 5,000 values that are not UUIDs.
    const err = await ctx()
      .database.db.execute(sql`SELECT ${sql.join(values.map((v) => sql`${v}::uuid`), sql`, `)}`)
      .then(() => null, (e: Error) => e);
    assert.ok(err, 'the query fails');
    assert.ok(JSON.stringify((err as { params?: unknown[] }).params ?? []).length > 250_000, 'the error holds every parameter');
    log.error({ err }, 'request failed');
    assert.equal(lines.length, 1);
    const line = lines[0];
    assert.ok(line.length < 20_000, `the log line has ${line.length} characters`);
    assert.ok(!line.includes('secret-parameter-4999'), 'the parameter list is not in the log line');
    const logged = JSON.parse(line).err;
    assert.equal(logged.params.count, 5000, 'how many parameters there were is kept');
    assert.match(logged.message, /Failed query/);
  });
});
