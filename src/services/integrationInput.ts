import type { CloudIntegrationWrite } from '../schemas/cloudIntegration.ts';
import { CloudTrailConfiguration, CloudWatchConfiguration, EC2Configuration } from '../schemas/cloudIntegration.ts';
import { badRequest } from '../errors.ts';
import { assertUserRegex } from '../lib/userRegex.ts';

export const AWS_SERVICES = ['CLOUDWATCH', 'CLOUDTRAIL', 'EC2'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

// Services Wavefront knows that Skyport does not collect.
const OTHER_WAVEFRONT_SERVICES = ['GCP', 'GCPBILLING', 'AZURE', 'AZUREACTIVITYLOG', 'NEWRELIC', 'APPDYNAMICS', 'VROPS', 'SNOWFLAKE', 'DYNATRACE'];

/** The body key that holds each service's configuration object. */
export const CONFIG_KEY = { CLOUDWATCH: 'cloudWatch', CLOUDTRAIL: 'cloudTrail', EC2: 'ec2' } as const;
const CONFIG_FIELDS: Record<AwsService, string[]> = {
  CLOUDWATCH: Object.keys(CloudWatchConfiguration.properties),
  CLOUDTRAIL: Object.keys(CloudTrailConfiguration.properties),
  EC2: Object.keys(EC2Configuration.properties),
};

export const DEFAULT_REFRESH_MINS = 5;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGEX_FIELDS = ['metricFilterRegex', 'pointTagFilterRegex', 's3BucketNameFilterRegex', 'filterRule'];
const TAG_EXPR_FIELDS = ['instanceSelectionTagsExpr', 'volumeSelectionTagsExpr'];

export function normalizeService(raw: string): AwsService {
  const upper = raw.trim().toUpperCase();
  if ((AWS_SERVICES as readonly string[]).includes(upper)) return upper as AwsService;
  if (OTHER_WAVEFRONT_SERVICES.includes(upper)) {
    throw badRequest(`service ${upper} is not supported: Skyport collects from AWS only (CLOUDWATCH, CLOUDTRAIL, EC2)`);
  }
  throw badRequest(`service "${raw}" is unknown; use CLOUDWATCH, CLOUDTRAIL or EC2`);
}

/** Parses "k1=v1, k1=v2, k3=v3" into pairs; a malformed entry is a 400 naming the field. */
export function parseTagExpr(field: string, expr: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of expr.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) throw badRequest(`${field}: "${entry}" is not of the form key=value`);
    pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return pairs;
}

export interface IntegrationInput {
  name: string;
  service: AwsService;
  refreshMins: number;
  additionalTags: Record<string, string> | null;
  /** The service's config object as sent (known fields only), with baseCredentials normalised. */
  config: Record<string, unknown>;
  roleArn: string;
  /** Absent only on an update that leaves the stored one in place. */
  externalId?: string;
  forceSave: boolean;
}

/**
 * Checks a create or update body against the rules the schema cannot express, and extracts what is
 * stored. Throws a 400 that names the field at the first problem.
 */
export function readIntegrationInput(body: CloudIntegrationWrite, mode: 'create' | 'update'): IntegrationInput {
  // Stored exactly as sent (Terraform diffs what it reads back against what it wrote).
  const name = body.name;
  if (name.trim() === '') throw badRequest('name must not be blank');
  const service = normalizeService(body.service);
  const key = CONFIG_KEY[service];
  const sent = body[key] as Record<string, unknown> | undefined;
  if (!sent) throw badRequest(`${key} is required for service ${service}`);

  const config: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS[service]) if (sent[field] !== undefined) config[field] = sent[field];

  const creds = (sent.baseCredentials ?? {}) as { roleArn?: string; externalId?: string };
  if (!creds.roleArn) throw badRequest(`${key}.baseCredentials.roleArn is required`);
  const roleArn = creds.roleArn;
  if (!ROLE_ARN.test(roleArn)) {
    throw badRequest(`${key}.baseCredentials.roleArn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
  }
  const externalId = creds.externalId || undefined;
  if (!externalId && mode === 'create') throw badRequest(`${key}.baseCredentials.externalId is required`);
  config.baseCredentials = { roleArn, ...(externalId ? { externalId } : {}) };

  for (const field of REGEX_FIELDS) {
    const pattern = config[field];
    if (typeof pattern === 'string') assertUserRegex(pattern, `${key}.${field}`);
  }
  for (const field of TAG_EXPR_FIELDS) {
    if (typeof config[field] === 'string') parseTagExpr(`${key}.${field}`, config[field] as string);
  }
  if (service === 'CLOUDTRAIL') {
    const bucket = config.bucketName;
    if (typeof bucket !== 'string' || bucket === '') throw badRequest('cloudTrail.bucketName is required');
    if (!BUCKET.test(bucket)) throw badRequest(`cloudTrail.bucketName "${bucket}" is not a valid S3 bucket name`);
    const region = config.region;
    if (typeof region !== 'string' || region === '') throw badRequest('cloudTrail.region is required');
    if (!REGION.test(region)) throw badRequest(`cloudTrail.region "${region}" is not an AWS region name such as us-east-1`);
  }
  for (const field of ['namespaces', 'hostNameTags', 'customNamespaces']) {
    const list = config[field];
    if (Array.isArray(list) && list.some((v) => typeof v !== 'string' || v.trim() === '')) {
      throw badRequest(`${key}.${field} must not contain blank entries`);
    }
  }

  return {
    name,
    service,
    refreshMins: body.serviceRefreshRateInMins ?? DEFAULT_REFRESH_MINS,
    additionalTags: body.additionalTags ?? null,
    config,
    roleArn,
    externalId,
    forceSave: body.forceSave === true,
  };
}
