import { Type, type Static } from 'typebox';
import { ref, StringMap } from './ref.ts';
import { Envelope, Paged } from './common.ts';
import { Event } from './events.ts';

export const CREDENTIAL_TYPES = ['ROLE', 'ACCESS_KEY', 'AMBIENT'] as const;
export const API_TYPES = ['REST', 'HTTP', 'WEBSOCKET'] as const;
export const EXPORT_FORMATS = ['oas30', 'swagger'] as const;
export const EXPORT_EXTENSIONS = ['none', 'apigateway', 'authorizers', 'postman'] as const;
/** What reads show in place of the stored secret. */
export const SECRET_MASK = '********';

const RoleArn = Type.String({ maxLength: 2048, description: 'An IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>' });
const ExternalId = Type.String({
  maxLength: 64,
  description: "An external ID issued by POST /api/v2/cloudintegration/awsExternalId; the role's trust policy must require it",
});
const StageGlob = Type.String({ minLength: 1, maxLength: 128, description: 'A stage name, or a glob with * and ?' });

export const ApiGatewayCredentialsWrite = Type.Object(
  {
    type: Type.String({ enum: [...CREDENTIAL_TYPES], description: 'ROLE (assume a role with an external ID), ACCESS_KEY (long-term keys) or AMBIENT (the server\'s own AWS identity)' }),
    roleArn: Type.Optional(RoleArn),
    externalId: Type.Optional(ExternalId),
    accessKeyId: Type.Optional(Type.String({ maxLength: 128, description: 'ACCESS_KEY: the access key id (AKIA…)' })),
    secretAccessKey: Type.Optional(
      Type.String({
        maxLength: 256,
        writeOnly: true,
        description: 'ACCESS_KEY: the secret, write-only (stored encrypted, never returned). On PUT, leave it out (or send ******** back) to keep the stored one',
      }),
    ),
  },
  {
    $id: 'ApiGatewayCredentialsWrite',
    description:
      'How Skyport reaches the account. ROLE needs roleArn and externalId; ACCESS_KEY needs accessKeyId and secretAccessKey and may name a roleArn ' +
      '(with an optional externalId) that the keys assume; AMBIENT may name a roleArn the server\'s identity assumes',
  },
);

export const ApiGatewayCredentials = Type.Object(
  {
    type: Type.String({ enum: [...CREDENTIAL_TYPES], description: 'ROLE, ACCESS_KEY or AMBIENT' }),
    roleArn: Type.Optional(RoleArn),
    externalId: Type.Optional(ExternalId),
    accessKeyId: Type.Optional(Type.String({ description: 'ACCESS_KEY: the access key id' })),
    secretAccessKey: Type.Optional(Type.String({ enum: [SECRET_MASK], description: 'ACCESS_KEY: always ******** (the secret is never returned)' })),
  },
  { $id: 'ApiGatewayCredentials', description: 'The credentials of a connection as Skyport shows them: never the secret' },
);

export const ApiGatewayStageFilter = Type.Object(
  {
    include: Type.Optional(Type.Array(StageGlob, { maxItems: 50, description: 'A stage is synced when it matches one of these (default ["*"])' })),
    exclude: Type.Optional(Type.Array(StageGlob, { maxItems: 50, description: '… and none of these (default [])' })),
  },
  { $id: 'ApiGatewayStageFilter', description: 'Which stages are synced, by name globs' },
);

export const ApiGatewayApiFilter = Type.Object(
  {
    nameRegex: Type.Optional(
      Type.String({ maxLength: 1024, description: 'Only APIs whose name matches this regular expression (RE2 syntax, any letter case)' }),
    ),
    tags: Type.Optional(
      StringMap({ description: 'Only APIs carrying all of these AWS tags (key = value)', maxProperties: 50, maxKeyLength: 128, maxValueLength: 256 }),
    ),
  },
  { $id: 'ApiGatewayApiFilter', description: 'Which APIs are synced (default: every API)' },
);

export const ApiGatewayExportSettings = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'Store the OpenAPI document of each deployed stage (default true)' })),
    format: Type.Optional(Type.String({ enum: [...EXPORT_FORMATS], description: 'oas30 (default) or swagger' })),
    extensions: Type.Optional(Type.String({ enum: [...EXPORT_EXTENSIONS], description: 'API Gateway extensions in the export: none (default), apigateway, authorizers or postman' })),
  },
  { $id: 'ApiGatewayExportSettings', description: 'How deployed definitions are exported' },
);

export const ApiGatewaySubscriptionSettings = Type.Object(
  { enabled: Type.Optional(Type.Boolean({ description: 'Read usage plans and allow API-key subscriptions (default false)' })) },
  { $id: 'ApiGatewaySubscriptionSettings', description: 'API-key subscriptions through usage plans' },
);

export const ApiGatewayTrafficSettings = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'Read the stages\' access logs for traffic statistics (default false)' })),
    logGroups: Type.Optional(
      Type.Unsafe<'auto' | string[]>({
        description: '"auto" (default): each stage\'s access-log destination; or a list of CloudWatch Logs group names',
        anyOf: [
          { type: 'string', enum: ['auto'] },
          { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 512, pattern: '^[\\.\\-_/#A-Za-z0-9]+$' } },
        ],
      }),
    ),
    unusedAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'An endpoint with no traffic for this many days is UNUSED (default 30)' })),
    initialLookbackMins: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_080, description: 'How far back the first read of a log group starts (default 60)' }),
    ),
  },
  { $id: 'ApiGatewayTrafficSettings', description: 'Traffic statistics from access logs' },
);

const regionsDescription =
  'AWS region names (us-east-1, eu-west-1, …), or ["*"] for every region the account has enabled. An unknown name is refused';
const syncIntervalDescription = 'Minutes between two syncs (1 to 1440, default 15)';

/** What a client may send on create and replace. Read-only and unknown keys are ignored. */
export const ApiGatewayConnectionWrite = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, description: 'A name for people to recognise the connection by' }),
    credentials: ref(ApiGatewayCredentialsWrite),
    regions: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 64, description: regionsDescription }),
    apiTypes: Type.Optional(
      Type.Array(Type.String({ enum: [...API_TYPES] }), { minItems: 1, maxItems: 3, uniqueItems: true, description: 'REST, HTTP, WEBSOCKET (default all three)' }),
    ),
    stages: Type.Optional(ref(ApiGatewayStageFilter)),
    apiFilter: Type.Optional(ref(ApiGatewayApiFilter)),
    export: Type.Optional(ref(ApiGatewayExportSettings)),
    subscriptions: Type.Optional(ref(ApiGatewaySubscriptionSettings)),
    traffic: Type.Optional(ref(ApiGatewayTrafficSettings)),
    syncIntervalMins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: syncIntervalDescription })),
    additionalTags: Type.Optional(
      StringMap({ description: 'Tags added to the points and events of this connection', maxProperties: 50, maxKeyLength: 128, maxValueLength: 256 }),
    ),
    forceSave: Type.Optional(Type.Boolean({ description: 'Store without checking the credentials against AWS (never stored)' })),
  },
  {
    $id: 'ApiGatewayConnectionWrite',
    description: 'The writable part of an ApiGatewayConnection; read-only and unknown fields are ignored',
  },
);
export type ApiGatewayConnectionWrite = Static<typeof ApiGatewayConnectionWrite>;

/** The connection as Skyport returns it, with every setting's effective value. */
export const ApiGatewayConnection = Type.Object(
  {
    id: Type.String({ readOnly: true, description: 'Identifier assigned by Skyport (lowercase UUID)' }),
    name: Type.String({ description: 'A name for people to recognise the connection by' }),
    credentials: ref(ApiGatewayCredentials),
    regions: Type.Array(Type.String(), { description: regionsDescription }),
    apiTypes: Type.Array(Type.String({ enum: [...API_TYPES] }), { description: 'The API types synced' }),
    stages: Type.Object(
      {
        include: Type.Array(Type.String(), { description: 'Globs of the stages synced' }),
        exclude: Type.Array(Type.String(), { description: 'Globs of the stages left out' }),
      },
      { description: 'A stage is synced when it matches an include glob and no exclude glob' },
    ),
    apiFilter: ref(ApiGatewayApiFilter),
    export: Type.Object(
      {
        enabled: Type.Boolean({ description: 'Whether deployed definitions are exported' }),
        format: Type.String({ enum: [...EXPORT_FORMATS], description: 'oas30 or swagger' }),
        extensions: Type.String({ enum: [...EXPORT_EXTENSIONS], description: 'API Gateway extensions in the export' }),
      },
      { description: 'How deployed definitions are exported' },
    ),
    subscriptions: Type.Object(
      { enabled: Type.Boolean({ description: 'Whether usage plans are read and subscriptions allowed' }) },
      { description: 'API-key subscriptions through usage plans' },
    ),
    traffic: Type.Object(
      {
        enabled: Type.Boolean({ description: 'Whether access logs are read' }),
        logGroups: Type.Unsafe<'auto' | string[]>({
          description: '"auto" (each stage\'s access-log destination) or the log group names',
          anyOf: [{ type: 'string', enum: ['auto'] }, { type: 'array', items: { type: 'string' } }],
        }),
        unusedAfterDays: Type.Integer({ description: 'Days without traffic after which an endpoint is UNUSED' }),
        initialLookbackMins: Type.Integer({ description: 'How far back the first read of a log group starts, minutes' }),
      },
      { description: 'Traffic statistics from access logs' },
    ),
    syncIntervalMins: Type.Integer({ description: syncIntervalDescription }),
    additionalTags: Type.Optional(StringMap({ description: 'Tags added to the points and events of this connection' })),
    forceSave: Type.Boolean({ description: 'Write-only switch; always false when read' }),
    creatorId: Type.String({ readOnly: true, description: 'Name of the API token that created the connection' }),
    updaterId: Type.String({ readOnly: true, description: 'Name of the API token that last changed it' }),
    createdEpochMillis: Type.Integer({ readOnly: true, description: 'When it was created, epoch milliseconds' }),
    updatedEpochMillis: Type.Integer({ readOnly: true, description: 'When it was last changed, epoch milliseconds' }),
    disabled: Type.Boolean({ readOnly: true, description: 'True when syncing is off: disabled by a user, or automatically when its AWS credentials failed' }),
    deleted: Type.Boolean({ readOnly: true, description: 'True when the connection is in the trash' }),
    inTrash: Type.Boolean({ readOnly: true, description: 'True when the connection is in the trash (undelete restores it)' }),
    lastError: Type.Optional(Type.String({ readOnly: true, description: 'The last error met while syncing' })),
    lastErrorMs: Type.Optional(Type.Integer({ readOnly: true, description: 'When that error happened, epoch milliseconds' })),
    lastErrorEvent: Type.Optional(ref(Event)),
    lastSyncMs: Type.Optional(Type.Integer({ readOnly: true, description: 'When the last sync ended, epoch milliseconds' })),
    lastSyncDurationMs: Type.Optional(Type.Integer({ readOnly: true, description: 'How long the last sync took, milliseconds' })),
    lastProcessorId: Type.Optional(Type.String({ readOnly: true, description: 'The Skyport replica that ran the last sync' })),
    apiCount: Type.Integer({ readOnly: true, description: 'APIs found by the last sync' }),
    endpointCount: Type.Integer({ readOnly: true, description: 'Endpoints found by the last sync' }),
  },
  {
    $id: 'ApiGatewayConnection',
    description: 'A connection to one AWS account\'s API Gateway: which credentials, regions, API types and stages are synced, and how often',
  },
);
export type ApiGatewayConnection = Static<typeof ApiGatewayConnection>;

export const PagedApiGatewayConnection = Paged('PagedApiGatewayConnection', ref(ApiGatewayConnection), 'A page of API Gateway connections');
export const ResponseContainerApiGatewayConnection = Envelope(
  'ResponseContainerApiGatewayConnection',
  ref(ApiGatewayConnection),
  'An API Gateway connection in the response envelope',
);
export const ResponseContainerPagedApiGatewayConnection = Envelope(
  'ResponseContainerPagedApiGatewayConnection',
  ref(PagedApiGatewayConnection),
  'A page of API Gateway connections in the response envelope',
);

const IamPolicy = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description: 'An IAM policy document (Version 2012-10-17, Statement […])',
  additionalProperties: true,
});

export const ApiGatewayConnectionPolicy = Type.Object(
  {
    permissionsPolicy: IamPolicy,
    trustPolicy: Type.Unsafe<Record<string, unknown> | null>({
      type: 'object',
      nullable: true,
      additionalProperties: true,
      description: 'The trust policy of the role Skyport assumes, with this connection\'s external ID; null when no role is assumed',
    }),
    recommendedAccessLogFormat: Type.String({ description: 'The access-log format (JSON) that gives Skyport every traffic field' }),
    notes: Type.Array(Type.String(), { description: 'What to replace or check before using the policies' }),
  },
  { $id: 'ApiGatewayConnectionPolicy', description: 'The least-privilege IAM policies for a connection\'s switched-on features' },
);
export type ApiGatewayConnectionPolicy = Static<typeof ApiGatewayConnectionPolicy>;

export const ApiGatewayCheckRow = Type.Object(
  {
    region: Type.String({ description: 'The AWS region of the call' }),
    feature: Type.String({ enum: ['credentials', 'inventory', 'subscriptions', 'traffic'], description: 'What the call stands for' }),
    operation: Type.String({ description: 'The AWS call made, e.g. apigateway:GetRestApis' }),
    ok: Type.Boolean({ description: 'True when AWS answered the call' }),
    errorCode: Type.Optional(Type.String({ description: 'The AWS error code when it failed (AccessDenied, …)' })),
    message: Type.Optional(Type.String({ description: 'What AWS said, and what to do about it' })),
  },
  { $id: 'ApiGatewayCheckRow', description: 'The outcome of one harmless AWS call' },
);

export const ApiGatewayCheckResult = Type.Object(
  {
    ok: Type.Boolean({ description: 'True when every call succeeded' }),
    rows: Type.Array(ref(ApiGatewayCheckRow), { description: 'One row per region and feature (and one for the credentials when they fail)' }),
  },
  { $id: 'ApiGatewayCheckResult', description: 'What the connection\'s credentials may do, per region and feature' },
);
export type ApiGatewayCheckResult = Static<typeof ApiGatewayCheckResult>;

export const ResponseContainerApiGatewayConnectionPolicy = Envelope(
  'ResponseContainerApiGatewayConnectionPolicy',
  ref(ApiGatewayConnectionPolicy),
  'A connection\'s IAM policies in the response envelope',
);
export const ResponseContainerApiGatewayCheckResult = Envelope(
  'ResponseContainerApiGatewayCheckResult',
  ref(ApiGatewayCheckResult),
  'A connection\'s check in the response envelope',
);

/** Every named schema of this file, for the registry. */
export const apiGatewayConnectionSchemas = [
  ApiGatewayCredentialsWrite,
  ApiGatewayCredentials,
  ApiGatewayStageFilter,
  ApiGatewayApiFilter,
  ApiGatewayExportSettings,
  ApiGatewaySubscriptionSettings,
  ApiGatewayTrafficSettings,
  ApiGatewayConnectionWrite,
  ApiGatewayConnection,
  PagedApiGatewayConnection,
  ResponseContainerApiGatewayConnection,
  ResponseContainerPagedApiGatewayConnection,
  ApiGatewayConnectionPolicy,
  ApiGatewayCheckRow,
  ApiGatewayCheckResult,
  ResponseContainerApiGatewayConnectionPolicy,
  ResponseContainerApiGatewayCheckResult,
];
