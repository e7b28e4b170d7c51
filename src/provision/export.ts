import { Document } from 'yaml';
import type { CloudIntegration } from '../schemas/cloudIntegration.ts';
import { CONFIG_KEY } from '../schemas/cloudIntegration.ts';
import type { IntegrationEntry } from './fileSchema.ts';

export const FILE_SCHEMA_URL_PATH = '/api-docs/skyport-file.schema.json';

/** The file entry of a stored integration: its writable fields, the external ID included, nothing read-only. */
export function toEntry(integration: CloudIntegration): IntegrationEntry {
  const key = CONFIG_KEY[integration.service as keyof typeof CONFIG_KEY];
  const entry: Record<string, unknown> = { service: integration.service, serviceRefreshRateInMins: integration.serviceRefreshRateInMins };
  if (integration.additionalTags !== undefined) entry.additionalTags = integration.additionalTags;
  const config = (integration as Record<string, unknown>)[key] as Record<string, unknown> | undefined;
  if (config) {
    const { baseCredentials, ...rest } = config as { baseCredentials?: Record<string, unknown> };
    entry[key] = { baseCredentials, ...rest };
  }
  return entry as IntegrationEntry;
}

/**
 * The server's integrations as a provisioning file. Names must be unique in a file: a second integration
 * with a name already taken is left out and reported in `skipped`.
 */
export function exportFile(integrations: CloudIntegration[], source: string): { text: string; skipped: CloudIntegration[] } {
  const entries: Record<string, IntegrationEntry> = {};
  const skipped: CloudIntegration[] = [];
  for (const integration of integrations) {
    if (integration.name in entries) skipped.push(integration);
    else entries[integration.name] = toEntry(integration);
  }
  const doc = new Document({ integrations: entries });
  doc.commentBefore =
    ` yaml-language-server: $schema=${source.replace(/\/+$/, '')}${FILE_SCHEMA_URL_PATH}\n` +
    ` Skyport integrations exported from ${source}. Apply with: skyport apply -f <this file>\n` +
    ' External IDs are included (they are not secrets); a server accepts only the ones it issued.';
  return { text: doc.toString({ lineWidth: 0 }), skipped };
}
