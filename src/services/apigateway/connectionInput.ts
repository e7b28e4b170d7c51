import { badRequest } from '../../errors.ts';
import { API_TYPES, SECRET_MASK, type ApiGatewayConnectionWrite } from '../../schemas/apiGatewayConnection.ts';
import { assertUserRegex } from '../../lib/userRegex.ts';
import { ALL_REGIONS, isAwsRegion } from './regions.ts';

export type CredentialType = 'ROLE' | 'ACCESS_KEY' | 'AMBIENT';

export interface CredentialsInput {
  type: CredentialType;
  roleArn?: string;
  externalId?: string;
  accessKeyId?: string;
  /** The secret as sent; absent when the body left it out (or sent the mask back). */
  secretAccessKey?: string;
}

/** The effective settings of a connection, defaults filled in: what is stored and what the sync reads. */
export interface ConnectionSettings {
  regions: string[];
  apiTypes: string[];
  stages: { include: string[]; exclude: string[] };
  apiFilter: { nameRegex?: string; tags?: Record<string, string> };
  export: { enabled: boolean; format: string; extensions: string };
  subscriptions: { enabled: boolean };
  traffic: { enabled: boolean; logGroups: 'auto' | string[]; unusedAfterDays: number; initialLookbackMins: number };
  syncIntervalMins: number;
  additionalTags: Record<string, string> | null;
}

export interface ConnectionInput extends ConnectionSettings {
  name: string;
  credentials: CredentialsInput;
  forceSave: boolean;
}

export const DEFAULT_SYNC_INTERVAL_MINS = 15;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
// Stage names are [A-Za-z0-9_-] (and HTTP APIs' $default); globs add * and ?.
const STAGE_GLOB = /^[A-Za-z0-9_$*?-]{1,128}$/;

function credentialsOf(body: ApiGatewayConnectionWrite): CredentialsInput {
  const c = body.credentials;
  const type = c.type as CredentialType;
  const roleArn = c.roleArn || undefined;
  const externalId = c.externalId || undefined;
  const accessKeyId = c.accessKeyId || undefined;
  const secretAccessKey = c.secretAccessKey && c.secretAccessKey !== SECRET_MASK ? c.secretAccessKey : undefined;

  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
    throw badRequest(`credentials.roleArn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
  }
  if (type === 'ROLE' && roleArn === undefined) throw badRequest('credentials.roleArn is required for type ROLE');
  if (type !== 'ROLE' && externalId !== undefined && roleArn === undefined) {
    throw badRequest('credentials.externalId goes with a roleArn to assume; leave it out, or name the role');
  }
  if (type === 'ACCESS_KEY') {
    if (accessKeyId === undefined) throw badRequest('credentials.accessKeyId is required for type ACCESS_KEY');
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw badRequest('credentials.accessKeyId is not an AWS access key id (upper-case letters and digits, e.g. AKIA…)');
  } else if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    throw badRequest(`credentials.accessKeyId and credentials.secretAccessKey are only for type ACCESS_KEY, not ${type}`);
  }
  return { type, roleArn, externalId, accessKeyId, secretAccessKey };
}

function regionsOf(sent: string[]): string[] {
  const regions = [...new Set(sent)];
  if (regions.includes(ALL_REGIONS)) {
    if (regions.length > 1) throw badRequest('regions: "*" (every enabled region) cannot be combined with region names');
    return [ALL_REGIONS];
  }
  regions.forEach((r, i) => {
    if (!isAwsRegion(r)) throw badRequest(`regions[${i}] "${r}" is not an AWS region name; use names such as us-east-1, or ["*"] for every enabled region`);
  });
  return regions;
}

function globsOf(field: string, globs: string[] | undefined, fallback: string[]): string[] {
  if (globs === undefined) return fallback;
  globs.forEach((g, i) => {
    if (!STAGE_GLOB.test(g)) throw badRequest(`${field}[${i}] "${g}" is not a stage name or glob (letters, digits, _ - $ and the wildcards * ?)`);
  });
  return [...new Set(globs)];
}

/**
 * Checks a create or replace body against the rules its schema cannot express and fills in the defaults.
 * Throws a 400 naming the field at the first problem.
 */
export function readConnectionInput(body: ApiGatewayConnectionWrite): ConnectionInput {
  if (body.name.trim() === '') throw badRequest('name must not be blank');
  const credentials = credentialsOf(body);
  const apiFilter: ConnectionSettings['apiFilter'] = {};
  if (body.apiFilter?.nameRegex !== undefined && body.apiFilter.nameRegex !== '') {
    assertUserRegex(body.apiFilter.nameRegex, 'apiFilter.nameRegex');
    apiFilter.nameRegex = body.apiFilter.nameRegex;
  }
  if (body.apiFilter?.tags !== undefined) apiFilter.tags = body.apiFilter.tags;
  const traffic = body.traffic ?? {};
  return {
    name: body.name,
    credentials,
    regions: regionsOf(body.regions),
    apiTypes: body.apiTypes ? API_TYPES.filter((t) => body.apiTypes!.includes(t)) : [...API_TYPES],
    stages: {
      include: globsOf('stages.include', body.stages?.include, ['*']),
      exclude: globsOf('stages.exclude', body.stages?.exclude, []),
    },
    apiFilter,
    export: {
      enabled: body.export?.enabled ?? true,
      format: body.export?.format ?? 'oas30',
      extensions: body.export?.extensions ?? 'none',
    },
    subscriptions: { enabled: body.subscriptions?.enabled ?? false },
    traffic: {
      enabled: traffic.enabled ?? false,
      logGroups: traffic.logGroups === undefined || traffic.logGroups === 'auto' ? 'auto' : [...new Set(traffic.logGroups)],
      unusedAfterDays: traffic.unusedAfterDays ?? 30,
      initialLookbackMins: traffic.initialLookbackMins ?? 60,
    },
    syncIntervalMins: body.syncIntervalMins ?? DEFAULT_SYNC_INTERVAL_MINS,
    additionalTags: body.additionalTags ?? null,
    forceSave: body.forceSave === true,
  };
}
