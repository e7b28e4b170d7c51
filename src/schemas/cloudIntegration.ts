import { Type, type Static } from 'typebox';
import { ref, StringMap } from './ref.ts';
import { Envelope, Paged } from './common.ts';
import { Event } from './events.ts';

const Regex = (description: string) => Type.String({ maxLength: 1024, description });
const TagExpr = (description: string) => Type.String({ maxLength: 4096, description });

export const AWSBaseCredentials = Type.Object(
  {
    roleArn: Type.Optional(
      Type.String({
        maxLength: 2048,
        description: 'ARN of the IAM role Skyport assumes in your account, e.g. arn:aws:iam::123456789012:role/skyport',
      }),
    ),
    externalId: Type.Optional(
      Type.String({
        maxLength: 64,
        description:
          "The external ID issued by POST /api/v2/cloudintegration/awsExternalId; the role's trust policy must require it. " +
          'Required on create; on update it may be left out (the stored one is kept) but not changed.',
      }),
    ),
  },
  { $id: 'AWSBaseCredentials', description: 'The IAM role Skyport assumes, and the external ID that guards it' },
);

export const CloudWatchConfiguration = Type.Object(
  {
    baseCredentials: Type.Optional(ref(AWSBaseCredentials)),
    namespaces: Type.Optional(
      Type.Array(Type.String({ maxLength: 256 }), {
        maxItems: 200,
        description: 'CloudWatch namespaces to collect, e.g. AWS/EC2 (short forms such as ec2 are accepted). Empty or unset: every namespace the account has',
      }),
    ),
    metricFilterRegex: Type.Optional(Regex('Only metrics whose full Skyport name (aws.<service>.<metric>.<stat>) matches this regular expression, case-insensitively, are collected')),
    pointTagFilterRegex: Type.Optional(Regex('AWS resource tags whose key matches this regular expression (case-insensitively) become point tags')),
    instanceSelectionTags: Type.Optional(
      StringMap({ description: 'Collect EC2 instance metrics only for instances carrying one of these tag=value pairs (OR-ed)', maxProperties: 100, maxKeyLength: 128, maxValueLength: 256 }),
    ),
    instanceSelectionTagsExpr: Type.Optional(TagExpr('Instance allow-list as text, "k1=v1, k1=v2, k3=v3"; OR-ed with each other and with instanceSelectionTags')),
    volumeSelectionTags: Type.Optional(
      StringMap({ description: 'Collect EBS volume metrics only for volumes carrying one of these tag=value pairs (OR-ed)', maxProperties: 100, maxKeyLength: 128, maxValueLength: 256 }),
    ),
    volumeSelectionTagsExpr: Type.Optional(TagExpr('Volume allow-list as text, "k1=v1, k2=v2"; OR-ed with each other and with volumeSelectionTags')),
    s3BucketNameFilterRegex: Type.Optional(Regex('Only S3 buckets whose name matches this regular expression are collected')),
    threadDistributionInMins: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1440, description: 'Spread this integration\'s collection over this many minutes' }),
    ),
  },
  { $id: 'CloudWatchConfiguration', description: 'Settings of a CLOUDWATCH integration' },
);

export const CloudTrailConfiguration = Type.Object(
  {
    baseCredentials: Type.Optional(ref(AWSBaseCredentials)),
    bucketName: Type.Optional(Type.String({ maxLength: 63, description: 'The S3 bucket CloudTrail delivers its log files to (required)' })),
    region: Type.Optional(Type.String({ maxLength: 32, description: 'The AWS region of that bucket, e.g. us-east-1 (required)' })),
    prefix: Type.Optional(Type.String({ maxLength: 1024, description: 'The key prefix of the trail, if the trail was given one' })),
    filterRule: Type.Optional(
      Regex(
        'A regular expression matched against "<eventSource>:<eventName>" of each record, e.g. ^ec2\\.amazonaws\\.com:(Run|Terminate)Instances$. ' +
          'Empty or unset: every record that is not read-only',
      ),
    ),
  },
  { $id: 'CloudTrailConfiguration', description: 'Settings of a CLOUDTRAIL integration' },
);

export const EC2Configuration = Type.Object(
  {
    baseCredentials: Type.Optional(ref(AWSBaseCredentials)),
    hostNameTags: Type.Optional(
      Type.Array(Type.String({ maxLength: 128 }), {
        maxItems: 50,
        description: 'Instance tags tried in order for the source name of a series; when unset: hostname, host, name. No match: the instance id',
      }),
    ),
    instanceSelectionTagsExpr: Type.Optional(TagExpr('Instance allow-list as text, "k1=v1, k2=v2" (OR-ed)')),
    volumeSelectionTagsExpr: Type.Optional(TagExpr('Volume allow-list as text, "k1=v1, k2=v2" (OR-ed)')),
    metricFilterRegex: Type.Optional(Regex('Only metrics whose name matches this regular expression, case-insensitively, are collected')),
    pointTagFilterRegex: Type.Optional(Regex('AWS tags whose key matches this regular expression (case-insensitively) become point tags')),
    customNamespaces: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'Extra metric families; LIMITS adds account-limit metrics' }),
    ),
  },
  { $id: 'EC2Configuration', description: 'Settings of an EC2 ("AWS Metrics+") integration' },
);

/** The services Skyport collects, and the body key that holds each one's configuration object. */
export const AWS_SERVICES = ['CLOUDWATCH', 'CLOUDTRAIL', 'EC2'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];
export const CONFIG_KEY = { CLOUDWATCH: 'cloudWatch', CLOUDTRAIL: 'cloudTrail', EC2: 'ec2' } as const;

export type CloudWatchConfig = Static<typeof CloudWatchConfiguration>;
/** A stored CloudTrail configuration: the bucket and its region are required on write. */
export type CloudTrailConfig = Static<typeof CloudTrailConfiguration> & { bucketName: string; region: string };
export type Ec2Config = Static<typeof EC2Configuration>;

/** Each service's configuration, as checked on write, stored in `integrations.config` and read by its collector. */
export interface ServiceConfigs {
  CLOUDWATCH: CloudWatchConfig;
  CLOUDTRAIL: CloudTrailConfig;
  EC2: Ec2Config;
}

/** An integration's service with its configuration: one of the three pairs. */
export type IntegrationSettings = { [S in AwsService]: { service: S; config: ServiceConfigs[S] } }[AwsService];

// The Event model lives in events.ts (it is also the item of GET /api/v2/event); re-exported for lastErrorEvent.
export { Event };

const serviceDescription =
  'The AWS service to collect: CLOUDWATCH, CLOUDTRAIL or EC2 (any letter case on input; uppercase on output)';

/** The integration as Skyport returns it. Server-filled fields are marked readOnly. */
export const CloudIntegration = Type.Object(
  {
    id: Type.String({ readOnly: true, description: 'Identifier assigned by Skyport (lowercase UUID)' }),
    name: Type.String({ description: 'A name for people to recognise the integration by' }),
    service: Type.String({ enum: ['CLOUDWATCH', 'CLOUDTRAIL', 'EC2'], description: serviceDescription }),
    serviceRefreshRateInMins: Type.Integer({ description: 'Minutes between two collections (1 to 1440, default 5)' }),
    additionalTags: Type.Optional(StringMap({ description: 'Point tags added to every point this integration collects' })),
    forceSave: Type.Boolean({ description: 'Write-only switch: skip the AWS credential check. Always false when read' }),
    cloudWatch: Type.Optional(ref(CloudWatchConfiguration)),
    cloudTrail: Type.Optional(ref(CloudTrailConfiguration)),
    ec2: Type.Optional(ref(EC2Configuration)),
    creatorId: Type.String({ readOnly: true, description: 'Name of the API token that created the integration' }),
    updaterId: Type.String({ readOnly: true, description: 'Name of the API token that last changed it' }),
    createdEpochMillis: Type.Integer({ readOnly: true, description: 'When it was created, epoch milliseconds' }),
    updatedEpochMillis: Type.Integer({ readOnly: true, description: 'When it was last changed, epoch milliseconds' }),
    disabled: Type.Boolean({ readOnly: true, description: 'True when collection is off: disabled by a user, or automatically when its AWS credentials failed' }),
    deleted: Type.Boolean({ readOnly: true, description: 'True when the integration is in the trash' }),
    inTrash: Type.Boolean({ readOnly: true, description: 'True when the integration is in the trash (undelete restores it)' }),
    lastError: Type.Optional(Type.String({ readOnly: true, description: 'The last error met while collecting' })),
    lastErrorMs: Type.Optional(Type.Integer({ readOnly: true, description: 'When that error happened, epoch milliseconds' })),
    lastErrorEvent: Type.Optional(ref(Event)),
    lastMetricCount: Type.Optional(Type.Integer({ readOnly: true, description: 'Series or events ingested by the last collection' })),
    lastProcessingTimestamp: Type.Optional(Type.Integer({ readOnly: true, description: 'When the last collection ran, epoch milliseconds' })),
    lastProcessorId: Type.Optional(Type.String({ readOnly: true, description: 'The Skyport replica that ran the last collection' })),
    lastReceivedDataPointMs: Type.Optional(Type.Integer({ readOnly: true, description: 'Time of the newest data point received, epoch milliseconds' })),
  },
  { $id: 'CloudIntegration', description: 'An AWS account registered for collection: which service, which role, how often' },
);
export type CloudIntegration = Static<typeof CloudIntegration>;

/**
 * What a client may send on create and update. Read-only fields and unknown keys are accepted and ignored,
 * so a client can send back a whole CloudIntegration it read.
 */
export const CloudIntegrationWrite = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256, description: 'A name for people to recognise the integration by' }),
    service: Type.String({ minLength: 1, maxLength: 64, description: serviceDescription }),
    serviceRefreshRateInMins: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes between two collections (default 5)' }),
    ),
    additionalTags: Type.Optional(
      StringMap({ description: 'Point tags added to every point this integration collects', maxProperties: 50, maxKeyLength: 128, maxValueLength: 256 }),
    ),
    forceSave: Type.Optional(Type.Boolean({ description: 'Store without checking that Skyport can assume the role (never stored)' })),
    cloudWatch: Type.Optional(ref(CloudWatchConfiguration)),
    cloudTrail: Type.Optional(ref(CloudTrailConfiguration)),
    ec2: Type.Optional(ref(EC2Configuration)),
  },
  {
    $id: 'CloudIntegrationWrite',
    description:
      'The writable part of a CloudIntegration. Send the config object that matches the service (cloudWatch, cloudTrail or ec2); ' +
      'read-only and unknown fields are ignored',
  },
);
export type CloudIntegrationWrite = Static<typeof CloudIntegrationWrite>;

export const PagedCloudIntegration = Paged('PagedCloudIntegration', ref(CloudIntegration), 'A page of integrations');

export const ResponseContainerCloudIntegration = Envelope(
  'ResponseContainerCloudIntegration',
  ref(CloudIntegration),
  'An integration in the response envelope',
);
export const ResponseContainerPagedCloudIntegration = Envelope(
  'ResponseContainerPagedCloudIntegration',
  ref(PagedCloudIntegration),
  'A page of integrations in the response envelope',
);
export const ResponseContainerString = Envelope(
  'ResponseContainerString',
  Type.String({ description: 'The external ID' }),
  'An external ID in the response envelope',
);
