import { subscriptionQueries as q } from '../../../db/queries/apiGatewaySubscriptions.ts';
import { syncLeaseQueries } from '../../../db/queries/apiGatewaySyncLease.ts';
import { usagePlanQueries } from '../../../db/queries/apiGatewayUsagePlans.ts';
import { insertEvents } from '../../../db/queries/events.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { RegionStep, RegionStepContext } from '../sync/regionSteps.ts';
import { isNotFound, keysAws } from './keysAws.ts';

const TAG = 'skyport:subscription';

/**
 * The subscriptions step of a sync (SPEC-apigateway §4): reads the region's usage plans (GetUsagePlans, paged)
 * into the inventory, then compares every ACTIVE or SUSPENDED subscription with AWS. A key deleted, removed
 * from its plan, or enabled/disabled outside Skyport makes it DRIFTED with `lastError` and an event. Does
 * nothing when the connection's subscriptions are off. AWS failures are thrown (the region's sync fails).
 */
async function syncSubscriptions(ctx: RegionStepContext): Promise<void> {
  if (!ctx.connection.subscriptions.enabled) return;
  const { db, claim, region } = ctx;
  const nowMs = ctx.clock.now();
  const c = { v1: ctx.aws.apigateway(region), retry: ctx.retry };
  const plans = await keysAws.listUsagePlans(c);
  const subs = await q.ofRegion(db, claim.id, region, ['ACTIVE', 'SUSPENDED']);
  const keys = new Map((await keysAws.listKeys(c)).map((k) => [k.id!, k]));
  const planKeys = new Map<string, Set<string> | null>();
  for (const planId of new Set(subs.map((s) => s.usagePlanId))) {
    try {
      planKeys.set(planId, await keysAws.planKeyIds(c, planId));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      planKeys.set(planId, null);
    }
  }

  const drifted: Array<{ id: string; status: string; awsApiKeyId: string | null; why: string }> = [];
  for (const s of subs) {
    const key = s.awsApiKeyId === null ? undefined : keys.get(s.awsApiKeyId);
    const inPlan = planKeys.get(s.usagePlanId);
    let why: string | undefined;
    if (!key) why = `API key ${s.awsApiKeyId} was deleted outside Skyport`;
    else if (inPlan === null) why = `usage plan ${s.usagePlanId} was deleted outside Skyport`;
    else if (!inPlan?.has(key.id!)) why = `API key ${key.id} was removed from usage plan ${s.usagePlanId} outside Skyport`;
    else if (key.enabled !== (s.status === 'ACTIVE')) why = `API key ${key.id} was ${key.enabled ? 'enabled' : 'disabled'} outside Skyport`;
    if (why) drifted.push({ id: s.id, status: s.status, awsApiKeyId: s.awsApiKeyId, why });
  }

  const tagged = [...keys.values()].filter((k) => k.tags?.[TAG] !== undefined);
  const known = await q.knownKeys(db, claim.customerId, tagged.map((k) => k.id!), tagged.map((k) => k.tags![TAG]));
  const unknownKeys = tagged.filter((k) => !known.keyIds.has(k.id!) && !known.subscriptionIds.has(k.tags![TAG])).map((k) => k.id!).sort();

  await db.transaction(async (tx) => {
    if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return;
    await usagePlanQueries.replaceRegion(
      tx,
      claim.id,
      region,
      plans.map((p) => ({
        id: uuidv7(nowMs),
        customerId: claim.customerId,
        connectionId: claim.id,
        region,
        awsUsagePlanId: p.id!,
        name: p.name ?? p.id!,
        description: p.description ?? null,
        throttle: p.throttle ?? null,
        quota: p.quota ?? null,
        apiStages: (p.apiStages ?? []).map((s) => ({ apiId: s.apiId ?? '', stage: s.stage ?? '' })),
        firstSeenMs: nowMs,
        lastSeenMs: nowMs,
      })),
    );
    const events = [];
    for (const d of drifted) {
      // Only if nothing changed it meanwhile (a rotation, a revoke): their own writes win.
      const row = await q.updateIf(tx, claim.customerId, d.id, d, { status: 'DRIFTED', lastError: d.why, updatedMs: nowMs });
      if (!row) continue;
      events.push({
        id: uuidv7(nowMs),
        customerId: claim.customerId,
        integrationId: null,
        name: `API Gateway subscription drifted: ${row.name}`,
        startMs: nowMs,
        endMs: nowMs,
        runningState: 'ENDED',
        annotations: { type: 'apigateway-subscription', kind: 'DRIFTED', connectionId: claim.id, subscriptionId: row.id, region, details: d.why },
        tags: [],
        hosts: [],
        isUserEvent: false,
        createdMs: nowMs,
        updatedMs: nowMs,
      });
    }
    await insertEvents(tx, events);
  });
  ctx.findings.unknownSubscriptionKeys.push(...unknownKeys);
}

/** The subscriptions step of every sync (after the region's inventory). */
export const subscriptionsStep: RegionStep = { name: 'subscriptions', run: syncSubscriptions };
