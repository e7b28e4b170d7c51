import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerQueries } from '../../../src/db/queries/scheduler.ts';
import { schedulerSetup } from './setup.ts';

// Found by bench:scheduler: a claim round that found no room (every slot busy) ended synchronously and left a
// settled promise in `ticking`, so every later tick was a no-op and the replica never claimed again.
test('a tick while every slot is busy does not stop the scheduler', async (t) => {
  const s = await schedulerSetup(t, { SKYPORT_SCHEDULER_CONCURRENCY: '1' });
  const a = await s.createIntegration({ accountId: '600000000001', series: 5, forceSave: true });
  const b = await s.createIntegration({ accountId: '600000000002', series: 5, forceSave: true });
  // Keep the first run in flight long enough to tick while it holds the only slot.
  s.aws.sim.addFault({ kind: 'latency', api: 'GetMetricData', latencyMs: 300 });

  const first = s.app.scheduler.runDue();
  while (s.app.scheduler.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
  const second = s.app.scheduler.runDue(); // ticks with no room
  await Promise.all([first, second]);
  await s.app.scheduler.runDue();

  for (const { id } of [a, b]) assert.equal((await s.get(id)).lastProcessingTimestamp, s.clock.now(), `${id} was collected`);
});

test('an integration stays with the replica that ran it until it is overdue by the affinity delay', async (t) => {
  const s = await schedulerSetup(t);
  const { id } = await s.createIntegration({ accountId: '600000000003', series: 5, forceSave: true });
  await s.app.scheduler.runDue(); // replica-a runs it (and holds its credentials)
  const due = new Date((await s.row(id)).next_run_at).getTime();

  const q = schedulerQueries(s.database.db);
  assert.deepEqual(await q.claimDue('replica-b', 10, due + 4_000, 60_000, 5_000), [], 'replica-a may still take it');
  const [own] = await q.claimDue('replica-a', 10, due + 4_000, 60_000, 5_000);
  assert.equal(own.id, id, 'its own replica takes it at once');
  await q.release('replica-a');
  const [taken] = await q.claimDue('replica-b', 10, due + 5_000, 60_000, 5_000);
  assert.equal(taken.id, id, 'once 5 s overdue, any replica takes it');
});

test('a replica takes its own due integrations before another replica\'s overdue ones', async (t) => {
  const s = await schedulerSetup(t);
  const mine = await s.createIntegration({ accountId: '600000000004', series: 5, forceSave: true });
  const theirs = await s.createIntegration({ accountId: '600000000005', series: 5, forceSave: true });
  // `theirs` was last run by replica-a and is long overdue; `mine` was last run by replica-b and is just due.
  const now = s.clock.now();
  await s.pool.query(`UPDATE integrations SET last_processor_id = 'replica-a', next_run_at = $2 WHERE id = $1`, [theirs.id, new Date(now - 600_000)]);
  await s.pool.query(`UPDATE integrations SET last_processor_id = 'replica-b', next_run_at = $2 WHERE id = $1`, [mine.id, new Date(now - 1_000)]);

  const q = schedulerQueries(s.database.db);
  const [first] = await q.claimDue('replica-b', 1, now, 60_000, 15_000);
  assert.equal(first.id, mine.id, 'own work first, although the other is older');
  const [second] = await q.claimDue('replica-b', 1, now, 60_000, 15_000);
  assert.equal(second.id, theirs.id, 'then the other replica\'s overdue work');
});
