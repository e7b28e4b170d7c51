import {
  AWS_SERVICES,
  CloudTrailConfiguration,
  CloudWatchConfiguration,
  CONFIG_KEY,
  EC2Configuration,
  type AwsService,
  type CloudIntegrationWrite,
  type CloudTrailConfig,
  type CloudWatchConfig,
  type Ec2Config,
  type IntegrationSettings,
} from '../../schemas/cloudIntegration.ts';
import { badRequest } from '../../errors.ts';
import { assertUserRegex } from '../../lib/userRegex.ts';
import { parseTagExpr } from '../../lib/tagExpr.ts';

// Services Wavefront knows that Skyport does not collect.
const OTHER_WAVEFRONT_SERVICES = ['GCP', 'GCPBILLING', 'AZURE', 'AZUREACTIVITYLOG', 'NEWRELIC', 'APPDYNAMICS', 'VROPS', 'SNOWFLAKE', 'DYNATRACE'];

// The fields each configuration object stores (the schema lets unknown keys through; they are dropped).
const CLOUDWATCH_FIELDS = Object.keys(CloudWatchConfiguration.properties) as Array<keyof CloudWatchConfig>;
const CLOUDTRAIL_FIELDS = Object.keys(CloudTrailConfiguration.properties) as Array<keyof CloudTrailConfig>;
const EC2_FIELDS = Object.keys(EC2Configuration.properties) as Array<keyof Ec2Config>;

export const DEFAULT_REFRESH_MINS = 5;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function normalizeService(raw: string): AwsService {
  const upper = raw.trim().toUpperCase();
  const supported = AWS_SERVICES.find((s) => s === upper);
  if (supported) return supported;
  if (OTHER_WAVEFRONT_SERVICES.includes(upper)) {
    throw badRequest(`service ${upper} is not supported: Skyport collects from AWS only (CLOUDWATCH, CLOUDTRAIL, EC2)`);
  }
  throw badRequest(`service "${raw}" is unknown; use CLOUDWATCH, CLOUDTRAIL or EC2`);
}

/** What is stored of a create or update body: the service with its configuration, and the shared fields. */
export type IntegrationInput = IntegrationSettings & {
  name: string;
  refreshMins: number;
  additionalTags: Record<string, string> | null;
  roleArn: string;
  /** Absent only on an update that leaves the stored one in place. */
  externalId?: string;
  forceSave: boolean;
};

/** The known fields of a configuration object as sent. */
function known<T extends object>(sent: T, fields: ReadonlyArray<keyof T>): T {
  const out: Partial<T> = {};
  for (const field of fields) if (sent[field] !== undefined) out[field] = sent[field];
  return out as T;
}

/** The service's configuration object (required), its known fields only. */
function settingsOf(body: CloudIntegrationWrite, service: AwsService): IntegrationSettings {
  const key = CONFIG_KEY[service];
  const required = <T>(sent: T | undefined): T => {
    if (!sent) throw badRequest(`${key} is required for service ${service}`);
    return sent;
  };
  switch (service) {
    case 'CLOUDWATCH':
      return { service, config: known(required(body.cloudWatch), CLOUDWATCH_FIELDS) };
    case 'CLOUDTRAIL':
      // bucketName and region are checked below (after the patterns, as before); typed required from here on.
      return { service, config: known(required(body.cloudTrail) as CloudTrailConfig, CLOUDTRAIL_FIELDS) };
    case 'EC2':
      return { service, config: known(required(body.ec2), EC2_FIELDS) };
  }
}

/** The user regexes of a configuration, by field. */
function patternsOf(s: IntegrationSettings): Array<[string, string | undefined]> {
  switch (s.service) {
    case 'CLOUDWATCH':
      return [['metricFilterRegex', s.config.metricFilterRegex], ['pointTagFilterRegex', s.config.pointTagFilterRegex], ['s3BucketNameFilterRegex', s.config.s3BucketNameFilterRegex]];
    case 'CLOUDTRAIL':
      return [['filterRule', s.config.filterRule]];
    case 'EC2':
      return [['metricFilterRegex', s.config.metricFilterRegex], ['pointTagFilterRegex', s.config.pointTagFilterRegex]];
  }
}

/** The `k=v, k=v` selection expressions and the lists of names of a configuration, by field. */
function tagExprsOf(s: IntegrationSettings): Array<[string, string | undefined]> {
  if (s.service === 'CLOUDTRAIL') return [];
  return [['instanceSelectionTagsExpr', s.config.instanceSelectionTagsExpr], ['volumeSelectionTagsExpr', s.config.volumeSelectionTagsExpr]];
}

function listsOf(s: IntegrationSettings): Array<[string, string[] | undefined]> {
  if (s.service === 'CLOUDWATCH') return [['namespaces', s.config.namespaces]];
  if (s.service === 'EC2') return [['hostNameTags', s.config.hostNameTags], ['customNamespaces', s.config.customNamespaces]];
  return [];
}

function checkCloudTrail(config: CloudTrailConfig): void {
  const bucket = config.bucketName;
  if (bucket === undefined || bucket === '') throw badRequest('cloudTrail.bucketName is required');
  if (!BUCKET.test(bucket)) throw badRequest(`cloudTrail.bucketName "${bucket}" is not a valid S3 bucket name`);
  const region = config.region;
  if (region === undefined || region === '') throw badRequest('cloudTrail.region is required');
  if (!REGION.test(region)) throw badRequest(`cloudTrail.region "${region}" is not an AWS region name such as us-east-1`);
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
  const settings = settingsOf(body, service);

  const creds = settings.config.baseCredentials ?? {};
  if (!creds.roleArn) throw badRequest(`${key}.baseCredentials.roleArn is required`);
  const roleArn = creds.roleArn;
  if (!ROLE_ARN.test(roleArn)) {
    throw badRequest(`${key}.baseCredentials.roleArn "${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
  }
  const externalId = creds.externalId || undefined;
  if (!externalId && mode === 'create') throw badRequest(`${key}.baseCredentials.externalId is required`);
  settings.config.baseCredentials = { roleArn, ...(externalId ? { externalId } : {}) };

  for (const [field, pattern] of patternsOf(settings)) if (pattern !== undefined) assertUserRegex(pattern, `${key}.${field}`);
  for (const [field, expr] of tagExprsOf(settings)) if (expr !== undefined) parseTagExpr(`${key}.${field}`, expr);
  if (settings.service === 'CLOUDTRAIL') checkCloudTrail(settings.config);
  for (const [field, list] of listsOf(settings)) {
    if (list?.some((v) => v.trim() === '')) throw badRequest(`${key}.${field} must not contain blank entries`);
  }

  return {
    ...settings,
    name,
    refreshMins: body.serviceRefreshRateInMins ?? DEFAULT_REFRESH_MINS,
    additionalTags: body.additionalTags ?? null,
    roleArn,
    externalId,
    forceSave: body.forceSave === true,
  };
}
