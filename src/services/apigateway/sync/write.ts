import type { Db } from '../../../db/client.ts';
import { inventoryQueries } from '../../../db/queries/apiGatewayInventory.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { insertEvents, type EventInsert } from '../../../db/queries/events.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { InventoryWrite } from './diff.ts';

const CHUNK = 1_000;

/** Each change as a Wavefront event (SPEC-apigateway §3 step 4), so EventApi readers see the change log too. */
export function changeEvents(w: InventoryWrite, ctx: { customerId: string; connectionId: string; nowMs: number }): EventInsert[] {
  return w.changes.map((c) => ({
    id: uuidv7(ctx.nowMs),
    customerId: ctx.customerId,
    integrationId: null,
    name: `API Gateway ${c.kind}: ${c.apiName}${c.stage ? ` (${c.stage})` : ''}`,
    startMs: ctx.nowMs,
    endMs: ctx.nowMs,
    runningState: 'ENDED',
    annotations: {
      type: 'apigateway-change',
      kind: c.kind,
      connectionId: ctx.connectionId,
      apiId: c.apiId,
      stage: c.stage ?? '',
      details: c.detail,
    },
    tags: [],
    hosts: [],
    isUserEvent: false,
    createdMs: ctx.nowMs,
    updatedMs: ctx.nowMs,
  }));
}

/**
 * Writes one region's diff in one transaction, only while the sync's lease still holds (a replica that lost
 * it writes nothing): APIs, stages, endpoints, the exported documents (identical bytes stored once), the
 * change rows and their events. Returns false when the lease was lost.
 */
export async function writeInventory(
  db: Db,
  claim: ClaimedConnection,
  w: InventoryWrite,
  ctx: { syncRunId: string; nowMs: number },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken))) return false;
    // Chunks keep each statement under PostgreSQL's 65,535 parameters.
    for (let i = 0; i < w.apis.length; i += CHUNK) await inventoryQueries.upsertApis(tx, w.apis.slice(i, i + CHUNK));
    for (let i = 0; i < w.stages.length; i += CHUNK) await inventoryQueries.upsertStages(tx, w.stages.slice(i, i + CHUNK));
    await inventoryQueries.storeExports(
      tx,
      [...new Map(w.documents.map((d) => [d.sha256, d])).values()].map((d) => ({ customerId: claim.customerId, sha256: d.sha256, body: d.body, createdMs: ctx.nowMs })),
    );
    for (let i = 0; i < w.endpoints.length; i += CHUNK) await inventoryQueries.upsertEndpoints(tx, w.endpoints.slice(i, i + CHUNK));
    await inventoryQueries.insertChanges(
      tx,
      w.changes.map((c) => ({ apiId: c.apiId, stage: c.stage, kind: c.kind, detail: c.detail, atMs: ctx.nowMs, syncRunId: ctx.syncRunId })),
    );
    await insertEvents(tx, changeEvents(w, { customerId: claim.customerId, connectionId: claim.id, nowMs: ctx.nowMs }));
    return true;
  });
}
