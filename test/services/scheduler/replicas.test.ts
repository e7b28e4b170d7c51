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
