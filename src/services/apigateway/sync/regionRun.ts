import { inventoryQueries } from '../../../db/queries/apiGatewayInventory.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { ScopeFailure } from '../../collection/collectors/regionRuns.ts';
import { diffInventory } from './diff.ts';
import { StepError } from './failures.ts';
import { subscriptionsStep } from '../subscriptions/reconcile.ts';
import { trafficStep } from '../traffic/step.ts';
import type { RegionStep, RegionStepContext } from './regionSteps.ts';
import { observeRegion } from './observeRegion.ts';
import { writeInventory } from './write.ts';

/**
 * The steps run in each region after its inventory was written, in this order: usage plans and subscription
 * reconciliation (issue 12), then access-log traffic (issue 13). They are independent: one failing (a missing
 * permission, a log group AWS cannot read) does not skip the next.
 */
export const REGION_STEPS_AFTER_INVENTORY: readonly RegionStep[] = [subscriptionsStep, trafficStep];

/** One region of a run, as the shared credential-failure rule and the run record read it. */
export interface RegionRun {
  region: string;
  failures: ScopeFailure[];
  /** The region's inventory was written. */
  succeeded: boolean;
}

/**
 * The inventory step: what the region holds now (observe) against what is stored (diff), written with its
 * changes in one lease-guarded transaction. Counts the changes into `changes`.
 */
async function syncInventory(ctx: RegionStepContext, changes: Record<string, number>): Promise<void> {
  const { db, clock, claim, connection: conn, region, aws, retry } = ctx;
  const stored = await inventoryQueries.stateOf(db, conn.id, region);
  const observed = await observeRegion(
    { retry, v1: aws.apigateway(region), v2: aws.apigatewayv2(region) },
    { apiTypes: conn.apiTypes, stages: conn.stages, apiFilter: conn.apiFilter, export: conn.export },
    stored,
  );
  const nowMs = clock.now();
  const diff = diffInventory(stored, observed, { customerId: claim.customerId, connectionId: conn.id, accountId: ctx.accountId, region, nowMs, newId: () => uuidv7(nowMs) });
  if (!(await writeInventory(db, claim, diff, { syncRunId: ctx.runId, nowMs }))) throw new Error('the sync lease was lost to another replica');
  for (const c of diff.changes) changes[c.kind] = (changes[c.kind] ?? 0) + 1;
}

/**
 * One region: the inventory, then each step after it. A failing inventory ends the region; a failing step is
 * recorded and the next step still runs. Never the other regions.
 */
export async function runRegion(ctx: RegionStepContext, changes: Record<string, number>): Promise<RegionRun> {
  const run: RegionRun = { region: ctx.region, failures: [], succeeded: false };
  try {
    await syncInventory(ctx, changes);
  } catch (err) {
    run.failures.push({ scope: ctx.region, error: err });
    return run;
  }
  run.succeeded = true;
  for (const step of REGION_STEPS_AFTER_INVENTORY) {
    if (ctx.signal.aborted) break;
    try {
      await step.run(ctx);
    } catch (err) {
      run.failures.push({ scope: ctx.region, error: new StepError(step.name, err) });
    }
  }
  return run;
}
