import { Type, type Static, type TSchema } from 'typebox';
import { Envelope, Paged } from './common.ts';
import { ref, StringMap } from './ref.ts';

const Ms = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });

export const ApiGatewaySyncRun = Type.Object(
  {
    id: Type.String({ description: 'The run id' }),
    connectionId: Type.String({ description: 'The connection synced' }),
    status: Type.String({
      enum: ['QUEUED', 'RUNNING', 'OK', 'PARTIAL', 'FAILED'],
      description: 'PARTIAL: some regions failed, or a step after a region’s inventory (subscriptions, traffic) did',
    }),
    queuedMs: Ms('When the run was asked for'),
    startedMs: Type.Optional(Ms('When it started')),
    endedMs: Type.Optional(Ms('When it ended')),
    regions: Type.Record(
      Type.String(),
      Type.Object({
        status: Type.String({ enum: ['OK', 'PARTIAL', 'FAILED'], description: 'OK; PARTIAL: the inventory was written, a later step (subscriptions, traffic) failed; FAILED: the inventory failed' }),
        error: Type.Union([Type.String(), Type.Null()], { description: 'What failed, step by step' }),
      }),
      { description: 'Per region: its outcome' },
    ),
    awsCalls: Type.Record(Type.String(), Type.Integer(), { description: 'AWS calls made per operation (`apigateway:GetRestApis`), retries included' }),
    throttled: Type.Integer({ description: 'Calls AWS throttled (retried with back-off)' }),
    changes: Type.Record(Type.String(), Type.Integer(), { description: 'Changes found per kind' }),
    error: Type.Optional(Type.String({ description: 'What went wrong' })),
    unknownSubscriptionKeys: Type.Optional(
      Type.Array(Type.String(), { description: 'AWS ids of API keys tagged skyport:subscription that no subscription knows (reported, never deleted)' }),
    ),
  },
  { $id: 'ApiGatewaySyncRun', description: 'One inventory sync of a connection' },
);

export const ApiGatewayStage = Type.Object(
  {
    name: Type.String({ description: 'The stage name' }),
    status: Type.String({ enum: ['ACTIVE', 'REMOVED'], description: 'REMOVED: gone from AWS (kept for history)' }),
    deploymentId: Type.Union([Type.String(), Type.Null()], { description: 'The deployment the stage points at, as last read' }),
    lastUpdatedMs: Type.Union([Type.Integer(), Type.Null()], { description: 'When AWS last changed the stage' }),
    specSource: Type.Union([Type.String({ enum: ['EXPORT', 'DEPLOYMENT', 'RESOURCES', 'ROUTES'] }), Type.Null()], {
      description: 'Where the endpoints came from: GetExport, GetDeployment(apisummary), GetResources (the draft) or GetRoutes',
    }),
    specSha256: Type.Union([Type.String(), Type.Null()], { description: 'SHA-256 of the stored exported document (its ETag)' }),
    endpointCount: Type.Integer({ description: 'Endpoints in the deployed definition' }),
    usagePlanIds: Type.Optional(Type.Array(Type.String(), { description: 'AWS ids of the usage plans covering the stage (connections with subscriptions on)' })),
    accessLog: Type.Object(
      {
        destinationArn: Type.Union([Type.String(), Type.Null()], { description: 'The log group the stage writes access logs to; null without access logging' }),
        format: Type.Union([Type.String(), Type.Null()], { description: 'The access-log format' }),
        ready: Type.Boolean({ description: 'Whether Skyport can count the traffic of this stage from its access logs' }),
        missingFields: Type.Array(Type.String(), {
          description: 'What the access logging lacks: destinationArn (logging off), format (neither JSON nor CLF), or the fields httpMethod, status, resourcePath (REST) or routeKey (HTTP, WebSocket)',
        }),
      },
      { description: "The stage's access-log settings and whether its traffic can be counted (SPEC-apigateway §5)" },
    ),
    firstSeenMs: Ms('First seen'),
    lastSeenMs: Ms('Last seen'),
    removedMs: Type.Optional(Ms('When it disappeared')),
  },
  { $id: 'ApiGatewayStage', description: 'A stage of a discovered API' },
);

export const ApiGatewayApi = Type.Object(
  {
    id: Type.String({ description: "Skyport's id of the API" }),
    connectionId: Type.String({ description: 'The connection that discovered it' }),
    accountId: Type.String({ description: 'The AWS account' }),
    region: Type.String({ description: 'The AWS region' }),
    awsApiId: Type.String({ description: "AWS's id of the API" }),
    protocolType: Type.String({ enum: ['REST', 'HTTP', 'WEBSOCKET'], description: 'REST (apigateway v1), HTTP or WEBSOCKET (apigatewayv2)' }),
    name: Type.String({ description: 'The API name' }),
    description: Type.Optional(Type.String({ description: 'The API description' })),
    version: Type.Optional(Type.String({ description: 'The API version' })),
    tags: StringMap({ description: "The API's AWS tags" }),
    endpointType: Type.Optional(Type.String({ description: 'REGIONAL, EDGE or PRIVATE (REST APIs)' })),
    status: Type.String({ enum: ['ACTIVE', 'REMOVED'], description: 'REMOVED: gone from AWS (kept with its history)' }),
    firstSeenMs: Ms('First seen'),
    lastSeenMs: Ms('Last seen'),
    removedMs: Type.Optional(Ms('When it disappeared')),
    stages: Type.Optional(Type.Array(ref(ApiGatewayStage), { description: 'Its stages (on the single-API read)' })),
  },
  { $id: 'ApiGatewayApi', description: 'An API discovered by a connection' },
);

export const ApiGatewayEndpoint = Type.Object(
  {
    stage: Type.String({ description: 'The stage' }),
    method: Type.String({ description: 'Upper case; ANY for the any-method' }),
    path: Type.String({ description: 'The path template (`/pets/{petId}`); HTTP `$default` and WebSocket route keys as they are' }),
    operationId: Type.Optional(Type.String({ description: 'The operationId of the definition' })),
    apiKeyRequired: Type.Boolean({ description: 'Whether callers need an API key' }),
    authorizationType: Type.String({ enum: ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS', 'JWT'], description: 'How callers are authorized' }),
    classification: Type.String({ enum: ['DOCUMENTED', 'SHADOW', 'UNUSED', 'PROXY'], description: 'DOCUMENTED: in the deployed definition; PROXY: a {proxy+} or $default catch-all' }),
    firstSeenMs: Ms('First seen'),
    lastSeenMs: Ms('Last seen in a definition'),
    lastTrafficMs: Type.Optional(Ms('Last request seen in the access logs')),
    removedMs: Type.Optional(Ms('When it left the definition')),
  },
  { $id: 'ApiGatewayEndpoint', description: 'An endpoint of an API stage' },
);

export const ApiGatewayChange = Type.Object(
  {
    id: Type.String({ description: 'The change id' }),
    apiId: Type.String({ description: "Skyport's id of the API" }),
    stage: Type.Optional(Type.String({ description: 'The stage, for stage and endpoint changes' })),
    kind: Type.String({
      enum: ['API_ADDED', 'API_REMOVED', 'STAGE_ADDED', 'STAGE_REMOVED', 'DEPLOYED', 'ENDPOINT_ADDED', 'ENDPOINT_REMOVED', 'ENDPOINT_CHANGED'],
      description: 'What changed',
    }),
    detail: Type.String({ description: 'What changed, in words (`GET /pets/{petId} added`)' }),
    atMs: Ms('When the sync saw it'),
    syncRunId: Type.Optional(Type.String({ description: 'The sync run that found it' })),
  },
  { $id: 'ApiGatewayChange', description: 'One difference a sync found' },
);

export type ApiGatewaySyncRunView = Static<typeof ApiGatewaySyncRun>;
export type ApiGatewayApiView = Static<typeof ApiGatewayApi>;
export type ApiGatewayStageView = Static<typeof ApiGatewayStage>;
export type ApiGatewayEndpointView = Static<typeof ApiGatewayEndpoint>;
export type ApiGatewayChangeView = Static<typeof ApiGatewayChange>;

const container = (id: string, payload: TSchema, description: string) => Envelope(id, payload, description);

export const PagedApiGatewaySyncRun = Paged('PagedApiGatewaySyncRun', ref(ApiGatewaySyncRun), 'A page of sync runs');
export const PagedApiGatewayApi = Paged('PagedApiGatewayApi', ref(ApiGatewayApi), 'A page of discovered APIs');
export const PagedApiGatewayEndpoint = Paged('PagedApiGatewayEndpoint', ref(ApiGatewayEndpoint), 'A page of endpoints');
export const PagedApiGatewayChange = Paged('PagedApiGatewayChange', ref(ApiGatewayChange), 'A page of changes');
export const ResponseContainerApiGatewaySyncRun = container('ResponseContainerApiGatewaySyncRun', ref(ApiGatewaySyncRun), 'A sync run in the envelope');
export const ResponseContainerPagedApiGatewaySyncRun = container('ResponseContainerPagedApiGatewaySyncRun', ref(PagedApiGatewaySyncRun), 'A page of sync runs in the envelope');
export const ResponseContainerApiGatewayApi = container('ResponseContainerApiGatewayApi', ref(ApiGatewayApi), 'An API in the envelope');
export const ResponseContainerPagedApiGatewayApi = container('ResponseContainerPagedApiGatewayApi', ref(PagedApiGatewayApi), 'A page of APIs in the envelope');
export const ResponseContainerPagedApiGatewayEndpoint = container('ResponseContainerPagedApiGatewayEndpoint', ref(PagedApiGatewayEndpoint), 'A page of endpoints in the envelope');
export const ResponseContainerPagedApiGatewayChange = container('ResponseContainerPagedApiGatewayChange', ref(PagedApiGatewayChange), 'A page of changes in the envelope');

export const apiGatewayInventorySchemas: TSchema[] = [
  ApiGatewaySyncRun,
  ApiGatewayStage,
  ApiGatewayApi,
  ApiGatewayEndpoint,
  ApiGatewayChange,
  PagedApiGatewaySyncRun,
  PagedApiGatewayApi,
  PagedApiGatewayEndpoint,
  PagedApiGatewayChange,
  ResponseContainerApiGatewaySyncRun,
  ResponseContainerPagedApiGatewaySyncRun,
  ResponseContainerApiGatewayApi,
  ResponseContainerPagedApiGatewayApi,
  ResponseContainerPagedApiGatewayEndpoint,
  ResponseContainerPagedApiGatewayChange,
];
