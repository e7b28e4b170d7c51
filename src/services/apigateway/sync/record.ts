import type { Db } from '../../../db/client.ts';
import type { ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { inventoryQueries } from '../../../db/queries/apiGatewayInventory.ts';
import { syncLeaseQueries, type ClaimedConnection } from '../../../db/queries/apiGatewaySyncLease.ts';
import { insertEvents } from '../../../db/queries/events.ts';
import type { Tx } from '../../../db/tx.ts';
import { credentialsErrorEvent, credentialsEventRow, isOngoing } from '../../collection/scheduler/events.ts';

/**
 * A sync's outcome on its connection row, each in one transaction that writes only while the run's lease
 * holds (a replica that lost it writes nothing), and hands the row back to the schedule.
 */
export function createSyncRecorder(deps: { db: Db; owner: string }) {
  const { db, owner } = deps;

  const guarded = (claim: ClaimedConnection, write: (tx: Tx) => Promise<void>) =>
    db.transaction(async (tx) => {
      if (await syncLeaseQueries.holdsLease(tx, claim.id, claim.leaseToken)) await write(tx);
    });

  return {
    /** The regions ran (some may have failed): counters, last sync, the next run one interval later. */
    async ran(claim: ClaimedConnection, conn: ConnectionViewRow, r: { startedMs: number; endedMs: number; ok: boolean; error: string | null }) {
      const counts = await inventoryQueries.countsOf(db, conn.id);
      await guarded(claim, (tx) =>
        syncLeaseQueries.finish(tx, claim.id, {
          lastSyncMs: r.endedMs,
          lastSyncDurationMs: r.endedMs - r.startedMs,
          apiCount: counts.apis,
          endpointCount: counts.endpoints,
          lastProcessorId: owner,
          nextRunAt: new Date(r.endedMs + conn.syncIntervalMins * 60_000),
          ...(r.ok ? { consecutiveFailures: 0 } : { lastError: r.error, lastErrorMs: r.endedMs }),
        }),
      );
    },

    /** Throttling, timeouts and 5xx never disable: tried again after a back-off of one interval. */
    async failed(claim: ClaimedConnection, conn: ConnectionViewRow | undefined, error: string, nowMs: number) {
      await guarded(claim, (tx) =>
        syncLeaseQueries.finish(tx, claim.id, {
          lastError: error,
          lastErrorMs: nowMs,
          lastProcessorId: owner,
          nextRunAt: new Date(nowMs + (conn?.syncIntervalMins ?? 15) * 60_000),
        }),
      );
    },

    /** The credentials fail: the connection is disabled, with a credentials event unless one is still open. */
    async credentialFailure(claim: ClaimedConnection, conn: ConnectionViewRow, message: string, nowMs: number) {
      const subject = { id: conn.id, customerId: claim.customerId, name: conn.name, service: 'APIGATEWAY', notAnIntegration: true } as const;
      const event = isOngoing(conn.lastErrorEvent) ? undefined : credentialsErrorEvent(subject, message, nowMs);
      await guarded(claim, async (tx) => {
        if (event) await insertEvents(tx, [credentialsEventRow(subject, event)]);
        await syncLeaseQueries.finish(tx, claim.id, {
          disabled: true,
          lastError: message,
          lastErrorMs: nowMs,
          lastProcessorId: owner,
          ...(event ? { lastErrorEvent: event } : {}),
        });
      });
    },
  };
}

export type SyncRecorder = ReturnType<typeof createSyncRecorder>;
