import type { Clock } from '../../lib/clock.ts';
import type { Services } from './index.ts';

/**
 * Periodic clean-up: trash past its retention, points past theirs (and series left empty), events past theirs (and the
 * CloudTrail collector's stale day cursors), and external IDs that expired unused or were deleted
 * (kept a day past that so a late confirm still gets a clear answer). Safe to run on every replica.
 */
export function createMaintenance(deps: { services: Services; clock: Clock; trashRetentionMs: number }) {
  const { services, clock, trashRetentionMs } = deps;
  return async function runMaintenance() {
    const purgedIntegrations = await services.integrations.purgeTrash(trashRetentionMs);
    const purgedExternalIds = await services.externalIds.purge(clock.now() - 86_400_000);
    const purgedPoints = await services.points.purge();
    const purgedEvents = await services.events.purge();
    return { purgedIntegrations, purgedExternalIds, purgedPoints, purgedEvents };
  };
}
