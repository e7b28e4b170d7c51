import { Type, type Static, type TSchema } from 'typebox';
import { Envelope, OptionalEpochMs, Paged } from './common.ts';
import { ref } from './ref.ts';

const Ms = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });
const Num = (description: string) => Type.Optional(Type.Number({ description }));

export const ApiGatewayUsagePlan = Type.Object(
  {
    id: Type.String({ description: "Skyport's id of the plan" }),
    connectionId: Type.String({ description: 'The connection whose sync read it' }),
    region: Type.String({ description: 'The AWS region' }),
    awsUsagePlanId: Type.String({ description: "AWS's id of the plan (what a subscription names as usagePlanId)" }),
    name: Type.String({ description: 'The plan name' }),
    description: Type.Optional(Type.String({ description: 'The plan description' })),
    throttle: Type.Optional(Type.Object({ rateLimit: Num('Requests per second'), burstLimit: Num('Burst') }, { description: "The plan's throttle" })),
    quota: Type.Optional(
      Type.Object(
        { limit: Num('Requests per period'), period: Type.Optional(Type.String({ description: 'DAY, WEEK or MONTH' })), offset: Num('Days into the period the quota starts') },
        { description: "The plan's quota" },
      ),
    ),
    apiStages: Type.Array(Type.Object({ apiId: Type.String({ description: "AWS's id of the API" }), stage: Type.String({ description: 'The stage' }) }), {
      description: 'The API stages the plan covers',
    }),
    firstSeenMs: Ms('First seen'),
    lastSeenMs: Ms('Last seen'),
  },
  { $id: 'ApiGatewayUsagePlan', description: 'A usage plan discovered by a connection with subscriptions on' },
);

export const ApiGatewaySubscriptionCreate = Type.Object(
  {
    connectionId: Type.String({ maxLength: 64, description: 'The connection (with subscriptions.enabled) whose AWS account gets the key' }),
    region: Type.String({ minLength: 1, maxLength: 32, description: 'The region of the usage plan' }),
    usagePlanId: Type.String({ minLength: 1, maxLength: 64, description: "AWS's id of the usage plan" }),
    name: Type.String({ minLength: 1, maxLength: 255, description: 'What the subscription is for (a consumer, an application)' }),
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'Free text' })),
  },
  { $id: 'ApiGatewaySubscriptionCreate', description: 'A new API key in a usage plan' },
);

export const ApiGatewaySubscriptionRotate = Type.Object(
  {
    graceMins: Type.Integer({ minimum: 0, maximum: 10_080, default: 60, description: 'How long the old key keeps working (minutes, default 60, at most a week)' }),
  },
  { $id: 'ApiGatewaySubscriptionRotate', description: 'How to rotate a subscription key' },
);

export const ApiGatewaySubscription = Type.Object(
  {
    id: Type.String({ description: "Skyport's id of the subscription" }),
    connectionId: Type.String({ description: 'The connection' }),
    region: Type.String({ description: 'The AWS region' }),
    usagePlanId: Type.String({ description: "AWS's id of the usage plan" }),
    awsApiKeyId: Type.Optional(Type.String({ description: "AWS's id of the current API key" })),
    name: Type.String({ description: 'The name given on create' }),
    description: Type.Optional(Type.String({ description: 'The description given on create' })),
    status: Type.String({
      enum: ['PENDING', 'ACTIVE', 'SUSPENDED', 'REVOKED', 'FAILED', 'DRIFTED'],
      description: 'PENDING while the key is made; DRIFTED: the key was changed outside Skyport (see lastError); FAILED: creation failed, nothing left in AWS',
    }),
    valueLast4: Type.Optional(Type.String({ description: 'The last four characters of the key value' })),
    value: Type.Optional(Type.String({ description: 'The API key value: only in the answer of create and rotate, never again' })),
    creatorId: Type.String({ description: 'Who created it' }),
    updaterId: Type.String({ description: 'Who changed it last' }),
    createdEpochMillis: Ms('Created'),
    updatedEpochMillis: Ms('Last changed'),
    lastError: Type.Optional(Type.String({ description: 'What went wrong or changed outside Skyport' })),
  },
  { $id: 'ApiGatewaySubscription', description: 'An API key in a usage plan, managed by Skyport' },
);

export const SubscriptionUsageQuery = Type.Object({
  startTime: OptionalEpochMs('Start of the window (default: the start of the UTC day six days before endTime, so a week of days)'),
  endTime: OptionalEpochMs('End of the window (default: now)'),
});

export const ApiGatewaySubscriptionUsage = Type.Object(
  {
    subscriptionId: Type.String({ description: "Skyport's id of the subscription" }),
    awsApiKeyIds: Type.Array(Type.String(), { description: 'The keys counted: the current one and those rotated out, newest first' }),
    startTime: Ms('Start of the window'),
    endTime: Ms('End of the window'),
    totalRequests: Type.Integer({ description: 'Requests in the window' }),
    days: Type.Array(
      Type.Object({
        day: Type.String({ description: 'The UTC day, YYYY-MM-DD' }),
        startEpochMillis: Ms('Start of the day (UTC)'),
        requests: Type.Integer({ description: "Requests with the subscription's keys that day (the part of the day inside the window)" }),
      }),
      { description: 'Every UTC day the window touches, oldest first, with 0 for days without a request' },
    ),
  },
  {
    $id: 'ApiGatewaySubscriptionUsage',
    description:
      "Requests per day made with a subscription's API keys, counted from the access logs' apiKeyId (the connection needs traffic on and a log format with $context.identity.apiKeyId)",
  },
);

export type ApiGatewayUsagePlanView = Static<typeof ApiGatewayUsagePlan>;
export type ApiGatewaySubscriptionView = Static<typeof ApiGatewaySubscription>;
export type ApiGatewaySubscriptionCreate = Static<typeof ApiGatewaySubscriptionCreate>;
export type ApiGatewaySubscriptionUsageView = Static<typeof ApiGatewaySubscriptionUsage>;
export type SubscriptionUsageQueryType = Static<typeof SubscriptionUsageQuery>;

export const PagedApiGatewayUsagePlan = Paged('PagedApiGatewayUsagePlan', ref(ApiGatewayUsagePlan), 'A page of usage plans');
export const PagedApiGatewaySubscription = Paged('PagedApiGatewaySubscription', ref(ApiGatewaySubscription), 'A page of subscriptions');
export const ResponseContainerPagedApiGatewayUsagePlan = Envelope('ResponseContainerPagedApiGatewayUsagePlan', ref(PagedApiGatewayUsagePlan), 'A page of usage plans in the envelope');
export const ResponseContainerApiGatewaySubscription = Envelope('ResponseContainerApiGatewaySubscription', ref(ApiGatewaySubscription), 'A subscription in the envelope');
export const ResponseContainerPagedApiGatewaySubscription = Envelope(
  'ResponseContainerPagedApiGatewaySubscription',
  ref(PagedApiGatewaySubscription),
  'A page of subscriptions in the envelope',
);

export const ResponseContainerApiGatewaySubscriptionUsage = Envelope(
  'ResponseContainerApiGatewaySubscriptionUsage',
  ref(ApiGatewaySubscriptionUsage),
  "A subscription's usage in the envelope",
);

export const apiGatewaySubscriptionSchemas: TSchema[] = [
  ApiGatewayUsagePlan,
  ApiGatewaySubscriptionCreate,
  ApiGatewaySubscriptionRotate,
  ApiGatewaySubscription,
  PagedApiGatewayUsagePlan,
  PagedApiGatewaySubscription,
  ResponseContainerPagedApiGatewayUsagePlan,
  ResponseContainerApiGatewaySubscription,
  ResponseContainerPagedApiGatewaySubscription,
  ApiGatewaySubscriptionUsage,
  ResponseContainerApiGatewaySubscriptionUsage,
];
