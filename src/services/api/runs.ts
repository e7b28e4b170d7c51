import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/client.ts';
import type { IntegrationQueries } from '../../db/queries/integrations.ts';
import type { RunQueries } from '../../db/queries/runs.ts';
import type { CollectionRunRow } from '../../db/schema.ts';
import { conflict, notFound, unavailable } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { CollectionRunType } from '../../schemas/runs.ts';
import type { Principal } from './tokens.ts';

export function toCollectionRun(row: CollectionRunRow): CollectionRunType {
  const run: CollectionRunType = {
    id: String(row.id),
    integrationId: row.integrationId,
    startTime: row.startedMs,
    endTime: row.endedMs,
    replica: row.replica,
    status: row.status,
    series: row.series,
    events: row.events,
    points: row.points,
    awsCalls: row.awsCalls,
  };
  if (row.error !== null) run.error = row.error;
  return run;
}

interface Deps {
  db: Db;
  integrations: IntegrationQueries;
  runs: RunQueries;
  clock: Clock;
  /** How long collect?wait=true waits for the run (wall clock; under the 60 s request timeout). */
  waitMs?: number;
  /** How often it looks for the run meanwhile. */
  pollMs?: number;
}

/** Run history and collect-now: the rules of /cloudintegration/{id}/run and /collect. */
export function createRunService(deps: Deps) {
  const { db, integrations, runs, clock } = deps;
  const waitMs = deps.waitMs ?? 50_000;
  const pollMs = deps.pollMs ?? 200;

  async function mustFind(p: Principal, id: string) {
    const row = await integrations.findById(p.customerId, id);
    if (!row) throw notFound(`cloud integration ${id} does not exist`);
    return row;
  }

  return {
    async list(p: Principal, id: string, offset: number, limit: number) {
      await mustFind(p, id);
      const { rows, total } = await runs.page(p.customerId, id, offset, limit);
      return { items: rows.map(toCollectionRun), offset, limit, totalItems: total, moreItems: offset + rows.length < total };
    },

    /**
     * Makes the integration due now. A disabled or trashed integration is a 409 that says why and what to do.
     * With `wait`, answers with the first run recorded after the request (by any replica).
     */
    async collect(p: Principal, id: string, wait: boolean, signal?: AbortSignal) {
      const before = await db.transaction(async (tx) => {
        const row = await integrations.lockById(tx, p.customerId, id);
        if (!row) throw notFound(`cloud integration ${id} does not exist`);
        if (row.inTrash) throw conflict(`cloud integration ${id} is in the trash; POST /api/v2/cloudintegration/${id}/undelete first`);
        if (row.disabled) {
          const why = row.lastErrorEvent?.runningState === 'ONGOING' && row.lastError
            ? `it was disabled because AWS refused its credentials (${row.lastError}); fix the role, then POST /api/v2/cloudintegration/${id}/enable (which also collects at once)`
            : `it was disabled by ${row.updaterId}; POST /api/v2/cloudintegration/${id}/enable (which also collects at once)`;
          throw conflict(`cloud integration ${id} is disabled and is not collected: ${why}`);
        }
        const newest = await runs.newestId(p.customerId, id, tx);
        await integrations.update(tx, p.customerId, id, { nextRunAt: new Date(clock.now()) });
        return newest;
      });
      if (!wait) return { queued: true };
      const deadline = Date.now() + waitMs;
      for (;;) {
        const run = await runs.firstAfter(p.customerId, id, before);
        if (run) return { queued: true, run: toCollectionRun(run) };
        if (Date.now() >= deadline) {
          throw unavailable(
            `the collection is queued but no run finished within ${Math.round(waitMs / 1000)} s (is a replica with SKYPORT_SCHEDULER=on running?); ` +
              `see GET /api/v2/cloudintegration/${id}/run`,
            5,
          );
        }
        await sleep(pollMs, undefined, { signal });
      }
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
