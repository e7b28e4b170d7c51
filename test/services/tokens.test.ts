import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/db.ts';
import { createTokenService } from '../../src/services/api/tokens.ts';
import { systemClock } from '../../src/lib/clock.ts';

async function setup(t: { after: (fn: () => unknown) => void }) {
  const database = await createTestDatabase();
  t.after(() => database.close());
  return { database, tokens: createTokenService({ db: database.db, clock: systemClock, cacheTtlMs: 0 }) };
}

test('replicas starting together on an empty database create exactly one first admin token', async (t) => {
  const { database, tokens } = await setup(t);
  const results = await Promise.all(Array.from({ length: 6 }, () => tokens.createFirstToken()));
  const created = results.filter((r) => r !== null);
  assert.equal(created.length, 1);
  assert.equal((await database.pool.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n, 1);
  const principal = await tokens.verify(created[0]!);
  assert.deepEqual(principal?.permissions, ['agent_management']);
  assert.equal(await tokens.createFirstToken(), null, 'a later start creates none');
});

test('SKYPORT_BOOTSTRAP_TOKEN: stored once, and restored when it was revoked', async (t) => {
  const { database, tokens } = await setup(t);
  const value = 'bootstrap-token-value-0123456789';
  assert.equal(await tokens.ensureBootstrap(value), true);
  assert.equal(await tokens.ensureBootstrap(value), false, 'nothing to do the second time');
  const [row] = (await database.pool.query('SELECT id FROM tokens')).rows;
  await tokens.revoke(row.id);
  assert.equal(await tokens.verify(value), null);
  assert.equal(await tokens.ensureBootstrap(value), true, 'the variable says this value must work');
  assert.deepEqual((await tokens.verify(value))?.permissions, ['agent_management']);
  assert.equal((await database.pool.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n, 1, 'no second row');
});

test('tokens are stored only as a SHA-256 hash', async (t) => {
  const { database, tokens } = await setup(t);
  const { token } = await tokens.create({ name: 'ci', permissions: [] });
  const dump = JSON.stringify((await database.pool.query('SELECT * FROM tokens')).rows);
  assert.ok(!dump.includes(token), 'the plaintext is nowhere in the table');
  assert.match(token, /^skp_[A-Za-z0-9_-]{43}$/, '256 random bits');
});
