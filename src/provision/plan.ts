import type { CloudIntegration, CloudIntegrationWrite } from '../schemas/cloudIntegration.ts';
import { CONFIG_KEY } from '../schemas/cloudIntegration.ts';
import { DEFAULT_REFRESH_MINS } from '../services/api/integrationInput.ts';
import type { IntegrationEntry, ProvisioningFile } from './fileSchema.ts';
import { entryBody } from './readFile.ts';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export type Step =
  | { kind: 'create'; name: string; body: CloudIntegrationWrite }
  | { kind: 'update'; name: string; id: string; body: CloudIntegrationWrite; changes: FieldChange[] }
  | { kind: 'delete'; name: string; id: string; service: string };

export interface Plan {
  steps: Step[];
  /** Entries that cannot be applied as written, with why (nothing is written while there is one). */
  errors: Array<{ name: string; message: string }>;
  /** Names on the server that the file does not list, left alone without --prune. */
  unlisted: string[];
  unchanged: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The writable state of an integration as one comparable object: what a PUT would set. */
function writableState(body: CloudIntegrationWrite | CloudIntegration): Record<string, Json> {
  const key = CONFIG_KEY[body.service as keyof typeof CONFIG_KEY];
  const config = { ...((body as Record<string, unknown>)[key] as Record<string, Json> | undefined) };
  const creds = { ...(config.baseCredentials as Record<string, Json> | undefined) };
  config.baseCredentials = creds;
  const state: Record<string, Json> = {
    service: body.service,
    serviceRefreshRateInMins: body.serviceRefreshRateInMins ?? DEFAULT_REFRESH_MINS,
    [key]: config,
  };
  if (body.additionalTags !== undefined) state.additionalTags = body.additionalTags;
  return state;
}

/** Leaves as dotted paths; arrays are compared whole (their order matters to the server's lists). */
function flatten(value: Json | undefined, prefix: string, out: Map<string, Json>) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (value !== undefined) out.set(prefix, value);
}

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

export function fieldChanges(current: CloudIntegration, desired: CloudIntegrationWrite): FieldChange[] {
  const before = new Map<string, Json>();
  const after = new Map<string, Json>();
  flatten(writableState(current), '', before);
  const wanted = writableState(desired);
  // An entry without externalId keeps the stored one, as a PUT without it does.
  const key = CONFIG_KEY[desired.service as keyof typeof CONFIG_KEY];
  const creds = (wanted[key] as Record<string, Record<string, Json>>).baseCredentials;
  if (creds.externalId === undefined) creds.externalId = before.get(`${key}.baseCredentials.externalId`) ?? null;
  flatten(wanted, '', after);
  const fields = [...new Set([...before.keys(), ...after.keys()])].sort();
  return fields.filter((f) => !same(before.get(f), after.get(f))).map((field) => ({ field, from: before.get(field), to: after.get(field) }));
}

/**
 * What apply would do to make the server match the file: create what is missing, update what differs
 * (field by field), and, with prune, delete what the file does not list. Integrations are matched by name.
 */
export function makePlan(file: ProvisioningFile, server: CloudIntegration[], opts: { prune: boolean }): Plan {
  const plan: Plan = { steps: [], errors: [], unlisted: [], unchanged: 0 };
  const byName = new Map<string, CloudIntegration[]>();
  for (const integration of server) byName.set(integration.name, [...(byName.get(integration.name) ?? []), integration]);
  const entries = Object.entries(file.integrations ?? {}) as Array<[string, IntegrationEntry]>;

  for (const [name, entry] of entries) {
    const body = entryBody(name, entry);
    const matches = byName.get(name) ?? [];
    if (matches.length > 1) {
      plan.errors.push({ name, message: `${matches.length} integrations on the server are named "${name}" (${matches.map((m) => m.id).join(', ')}): rename all but one through the API first` });
      continue;
    }
    const current = matches[0];
    if (!current) {
      plan.steps.push({ kind: 'create', name, body });
      continue;
    }
    if (current.service !== entry.service) {
      plan.errors.push({ name, message: `the service cannot change (the server has ${current.service}): give the entry another name to create a new integration, and --prune the old one` });
      continue;
    }
    const key = CONFIG_KEY[entry.service as keyof typeof CONFIG_KEY];
    const wantedId = (entry[key] as { baseCredentials?: { externalId?: string } } | undefined)?.baseCredentials?.externalId;
    const currentId = (current[key] as { baseCredentials?: { externalId?: string } } | undefined)?.baseCredentials?.externalId;
    if (wantedId !== undefined && wantedId !== currentId) {
      plan.errors.push({ name, message: `${key}.baseCredentials.externalId cannot change (the server has ${currentId}): remove the line to keep it, or use another name for a new integration` });
      continue;
    }
    const changes = fieldChanges(current, body);
    if (changes.length === 0) plan.unchanged++;
    else plan.steps.push({ kind: 'update', name, id: current.id, body, changes });
  }

  const listed = new Set(entries.map(([name]) => name));
  for (const integration of server) {
    if (listed.has(integration.name)) continue;
    if (opts.prune) plan.steps.push({ kind: 'delete', name: integration.name, id: integration.id, service: integration.service });
    else plan.unlisted.push(integration.name);
  }
  return plan;
}
