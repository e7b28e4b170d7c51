import type { IntegrationViewRow } from '../../db/queries/integrations.ts';
import { CONFIG_KEY, type CloudIntegration } from '../../schemas/cloudIntegration.ts';

/**
 * The API shape of a stored integration. Optional fields appear exactly when stored (no invented defaults);
 * the config object always carries baseCredentials.roleArn and .externalId; forceSave always reads false.
 */
export function toCloudIntegration(row: IntegrationViewRow): CloudIntegration {
  const key = CONFIG_KEY[row.service];
  const config = { ...row.config, baseCredentials: { roleArn: row.roleArn, externalId: row.externalId } };
  const out: CloudIntegration = {
    id: row.id,
    name: row.name,
    service: row.service,
    serviceRefreshRateInMins: row.refreshMins,
    forceSave: false,
    [key]: config,
    creatorId: row.creatorId,
    updaterId: row.updaterId,
    createdEpochMillis: row.createdMs,
    updatedEpochMillis: row.updatedMs,
    disabled: row.disabled,
    deleted: row.inTrash,
    inTrash: row.inTrash,
  };
  if (row.additionalTags !== null) out.additionalTags = row.additionalTags;
  if (row.lastError !== null) out.lastError = row.lastError;
  if (row.lastErrorMs !== null) out.lastErrorMs = row.lastErrorMs;
  if (row.lastErrorEvent !== null) out.lastErrorEvent = row.lastErrorEvent as CloudIntegration['lastErrorEvent'];
  if (row.lastMetricCount !== null) out.lastMetricCount = row.lastMetricCount;
  if (row.lastProcessingTimestamp !== null) out.lastProcessingTimestamp = row.lastProcessingTimestamp;
  if (row.lastProcessorId !== null) out.lastProcessorId = row.lastProcessorId;
  if (row.lastReceivedDataPointMs !== null) out.lastReceivedDataPointMs = row.lastReceivedDataPointMs;
  return out;
}
