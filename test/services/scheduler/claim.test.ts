import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPool } from '../../../src/db/client.ts';
import { schedulerQueries } from '../../../src/db/queries/scheduler.ts';
import { schedulerSetup } from './setup.ts';

test('two connections claiming at the same time never get the same row', async (t) => {
  const s = await schedulerSetup(t);
  const ids = new Set<string>();
  for (let i = 0; i < 60; i++) ids.add((await s.createIntegration({ accountId: String(100000000000 + i), forceSave: true })).id);

  // Two replicas, each with its own pool (its own connections), claiming in small bites concurrently.
  const pools = [openPool(s.database.url, 4), openPool(s.database.url, 4)];
  t.after(() => Promise.all(pools.map((p) => p.close())));
  const [a, b] = pools.map((p) => schedulerQueries(p.db));
  const now = s.clock.now();
  const got: Record<string, string[]> = { a: [], b: [] };
  for (let round = 0; round < 20; round++) {
    const [ca, cb] = await Promise.all([a.claimDue('a', 4, now, 60_000), b.claimDue('b', 4, now, 60_000)]);
    got.a.push(...ca.map((c) => c.id));
    got.b.push(...cb.map((c) => c.id));
  }
  const overlap = got.a.filter((id) => got.b.includes(id));
  assert.deepEqual(overlap, []);
  assert.equal(new Set(got.a).size, got.a.length, 'a never claims a row twice');
  assert.equal(got.a.length + got.b.length, ids.size, 'every due row is claimed exactly once');
  assert.ok(got.a.length > 0 && got.b.length > 0, 'both replicas got work');
  const owners = await s.pool.query(`SELECT lease_owner, count(*)::int AS n FROM integrations GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(owners.rows, [{ lease_owner: 'a', n: got.a.length }, { lease_owner: 'b', n: got.b.length }]);
});

test('a run whose replica died is taken over after its lease expires, and the dead run cannot write', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration();
  const q = schedulerQueries(s.database.db);
  const [dead] = await q.claimDue('dead-replica', 10, s.clock.now(), 60_000);
  assert.equal(dead.id, id);
  assert.equal((await q.claimDue('replica-b', 10, s.clock.now() + 30_000, 60_000)).length, 0, 'a live lease is respected');
  const [taken] = await q.claimDue('replica-b', 10, s.clock.now() + 61_000, 60_000);
  assert.equal(taken.id, id);
  assert.equal(taken.tookOverFrom, 'dead-replica');
  assert.notEqual(taken.leaseToken, dead.leaseToken);
  // The old run comes back late: its lease token no longer matches, so its transaction writes nothing.
  const stillHeld = await s.database.db.transaction((tx) => q.holdsLease(tx, id, dead.leaseToken));
  assert.equal(stillHeld, false);
  assert.equal(await q.heartbeat(id, dead.leaseToken, s.clock.now(), 60_000), false);
  assert.equal(await q.heartbeat(id, taken.leaseToken, s.clock.now(), 60_000), true);
});

test('disabled and trashed integrations are never claimed; enable and undelete make them due at once', async (t) => {
  const s = await schedulerSetup(t);
  const disabled = await s.createIntegration({ accountId: '300000000001' });
  const trashed = await s.createIntegration({ accountId: '300000000002' });
  await s.api('POST', `/api/v2/cloudintegration/${disabled.id}/disable`, {});
  await s.api('DELETE', `/api/v2/cloudintegration/${trashed.id}`);
  const q = schedulerQueries(s.database.db);
  assert.deepEqual(await q.claimDue('r', 10, s.clock.now() + 86_400_000, 60_000), []);

  s.clock.advance(3_600_000);
  await s.api('POST', `/api/v2/cloudintegration/${disabled.id}/enable`, {});
  await s.api('POST', `/api/v2/cloudintegration/${trashed.id}/undelete`, {});
  const claimed = (await q.claimDue('r', 10, s.clock.now(), 60_000)).map((c) => c.id).sort();
  assert.deepEqual(claimed, [disabled.id, trashed.id].sort());
});
