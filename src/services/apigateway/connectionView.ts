import type { ConnectionViewRow } from '../../db/queries/apiGatewayConnections.ts';
import { SECRET_MASK, type ApiGatewayConnection } from '../../schemas/apiGatewayConnection.ts';
import type { ConnectionSettings, CredentialType } from './connectionInput.ts';
import { scheduledViewFields } from '../scheduledView.ts';

/** The stored credentials, without the secret. */
export function credentialsView(row: Pick<ConnectionViewRow, 'credentialType' | 'roleArn' | 'externalId' | 'accessKeyId'>): ApiGatewayConnection['credentials'] {
  const out: ApiGatewayConnection['credentials'] = { type: row.credentialType as CredentialType };
  if (row.roleArn !== null) out.roleArn = row.roleArn;
  if (row.externalId !== null) out.externalId = row.externalId;
  if (row.accessKeyId !== null) {
    out.accessKeyId = row.accessKeyId;
    out.secretAccessKey = SECRET_MASK;
  }
  return out;
}

/** The effective settings of a stored connection. */
export function settingsOf(row: ConnectionViewRow): ConnectionSettings {
  return {
    regions: row.regions,
    apiTypes: row.apiTypes,
    stages: row.stages,
    apiFilter: row.apiFilter,
    export: row.export,
    subscriptions: row.subscriptions,
    traffic: row.traffic,
    syncIntervalMins: row.syncIntervalMins,
    additionalTags: row.additionalTags,
  };
}

/** The API shape of a stored connection: never the secret, forceSave always false. */
export function toApiGatewayConnection(row: ConnectionViewRow): ApiGatewayConnection {
  const out: ApiGatewayConnection = {
    id: row.id,
    name: row.name,
    credentials: credentialsView(row),
    regions: row.regions,
    apiTypes: row.apiTypes,
    stages: row.stages,
    apiFilter: row.apiFilter,
    export: row.export as ApiGatewayConnection['export'],
    subscriptions: row.subscriptions,
    traffic: row.traffic,
    syncIntervalMins: row.syncIntervalMins,
    forceSave: false,
    ...scheduledViewFields(row),
    apiCount: row.apiCount,
    endpointCount: row.endpointCount,
  };
  if (row.lastSyncMs !== null) out.lastSyncMs = row.lastSyncMs;
  if (row.lastSyncDurationMs !== null) out.lastSyncDurationMs = row.lastSyncDurationMs;
  return out;
}
