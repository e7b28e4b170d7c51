import type { ClaimedRun } from '../../../db/queries/scheduler.ts';
import type { RunInsert } from '../../../db/queries/runs.ts';
import type { DiscoveryPlan } from '../collectors/cloudwatch/plan.ts';

/** What the scheduler knows about a run besides its result: when it started and the AWS calls it made. */
export interface RunMeta {
  startedMs: number;
  awsCalls: Record<string, number>;
}

/** The run-history row of a finished run (collection_runs). */
export function runRow(
  run: ClaimedRun,
  meta: RunMeta | undefined,
  owner: string,
  endedMs: number,
  outcome: { status: string; series?: number; events?: number; points?: number; error?: string; plan?: DiscoveryPlan },
): RunInsert {
  return {
    integrationId: run.id,
    customerId: run.customerId,
    startedMs: meta?.startedMs ?? endedMs,
    endedMs,
    replica: owner,
    status: outcome.status,
    series: outcome.series ?? 0,
    events: outcome.events ?? 0,
    points: outcome.points ?? 0,
    awsCalls: meta?.awsCalls ?? {},
    error: outcome.error ?? null,
    plan: outcome.plan ? { ...outcome.plan } : null,
  };
}
