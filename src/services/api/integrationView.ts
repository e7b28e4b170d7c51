import type { IntegrationViewRow } from '../../db/queries/integrations.ts';
import { CONFIG_KEY, type CloudIntegration } from '../../schemas/cloudIntegration.ts';
import { scheduledViewFields } from '../scheduledView.ts';

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
    ...scheduledViewFields(row),
  };
  if (row.lastMetricCount !== null) out.lastMetricCount = row.lastMetricCount;
  if (row.lastProcessingTimestamp !== null) out.lastProcessingTimestamp = row.lastProcessingTimestamp;
  if (row.lastReceivedDataPointMs !== null) out.lastReceivedDataPointMs = row.lastReceivedDataPointMs;
  return out;
}
