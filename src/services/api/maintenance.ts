import type { Clock } from '../../lib/clock.ts';
import type { Services } from './index.ts';
import type { ConnectionService } from '../apigateway/connections.ts';
import type { TrafficService } from '../apigateway/traffic/service.ts';

/**
 * Periodic clean-up: trash past its retention (integrations and API Gateway connections), points past theirs (and series left empty), API Gateway traffic minutes past theirs, events past theirs (and the
 * CloudTrail collector's stale day cursors), and external IDs that expired unused or were deleted
 * (kept a day past that so a late confirm still gets a clear answer). Safe to run on every replica.
 */
export function createMaintenance(deps: {
  services: Services;
  apigateway: { connections: Pick<ConnectionService, 'purgeTrash'>; traffic: Pick<TrafficService, 'purge'> };
  clock: Clock;
  trashRetentionMs: number;
}) {
  const { services, apigateway, clock, trashRetentionMs } = deps;
  return async function runMaintenance() {
    const purgedIntegrations = await services.integrations.purgeTrash(trashRetentionMs);
    const purgedConnections = await apigateway.connections.purgeTrash(trashRetentionMs);
    const purgedExternalIds = await services.externalIds.purge(clock.now() - 86_400_000);
    const purgedPoints = await services.points.purge();
    const purgedEvents = await services.events.purge();
    const purgedTrafficMinutes = await apigateway.traffic.purge();
    return { purgedIntegrations, purgedConnections, purgedExternalIds, purgedPoints, purgedEvents, purgedTrafficMinutes };
  };
}
