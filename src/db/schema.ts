import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  primaryKey,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import type { AwsService, ServiceConfigs } from '../schemas/cloudIntegration.ts';

// Epoch-millisecond columns are bigint in mode 'number' (safe up to 2^53, i.e. the year 287396).
const epochMs = (name: string) => bigint(name, { mode: 'number' });

/** A tenant. Every other row belongs to exactly one customer. */
export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** API tokens. Only the SHA-256 of the token is stored. */
export const tokens = pgTable(
  'tokens',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    permissions: text('permissions').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** When the token last authenticated a request, to the minute (see tokens.verify). */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('tokens_hash_idx').on(t.tokenHash), index('tokens_customer_idx').on(t.customerId)],
);

/** External IDs issued by POST /awsExternalId. `roleArn` binds the ID to the first role that used it. */
export const externalIds = pgTable(
  'external_ids',
  {
    value: text('value').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    roleArn: text('role_arn'),
    createdMs: epochMs('created_ms').notNull(),
    expiresMs: epochMs('expires_ms').notNull(),
    usedMs: epochMs('used_ms'),
    deletedMs: epochMs('deleted_ms'),
  },
  (t) => [index('external_ids_customer_idx').on(t.customerId)],
);

/**
 * What integrations and API Gateway connections record alike (SPEC.md §4's read-only fields): who made and
 * changed them and when, disabled, the trash, and the last error with its event.
 */
const resourceColumns = () => ({
  creatorId: text('creator_id').notNull(),
  updaterId: text('updater_id').notNull(),
  createdMs: epochMs('created_ms').notNull(),
  updatedMs: epochMs('updated_ms').notNull(),
  disabled: boolean('disabled').notNull().default(false),
  inTrash: boolean('in_trash').notNull().default(false),
  trashedMs: epochMs('trashed_ms'),
  lastError: text('last_error'),
  lastErrorMs: epochMs('last_error_ms'),
  lastErrorEvent: jsonb('last_error_event').$type<Record<string, unknown>>(),
});

/**
 * What the scheduler keeps on a resource it runs (integrations, API Gateway connections), the same on each so
 * that one set of lease queries (queries/leases.ts) serves both: when the next run is due, the lease of the
 * replica running it, and the failures in a row (transient errors) that drive the back-off.
 */
const scheduledColumns = () => ({
  nextRunAt: timestamp('next_run_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  leaseOwner: text('lease_owner'),
  leaseToken: uuid('lease_token'),
  leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'date' }),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
});

/** The indexes of a scheduled resource with a trash and external IDs. */
function scheduledIndexes(
  table: string,
  t: { customerId: AnyPgColumn; inTrash: AnyPgColumn; createdMs: AnyPgColumn; id: AnyPgColumn; externalId: AnyPgColumn; nextRunAt: AnyPgColumn; disabled: AnyPgColumn; trashedMs: AnyPgColumn },
) {
  return [
    // Listing and search: one customer's live (or trashed) rows in creation order.
    index(`${table}_customer_order_idx`).on(t.customerId, t.inTrash, t.createdMs, t.id),
    index(`${table}_external_id_idx`).on(t.customerId, t.externalId),
    // The scheduler's claim scans only runnable rows by due time.
    index(`${table}_due_idx`)
      .on(t.nextRunAt)
      .where(sql`NOT ${t.disabled} AND NOT ${t.inTrash}`),
    index(`${table}_trash_idx`).on(t.trashedMs).where(sql`${t.inTrash}`),
  ];
}

/**
 * Cloud integrations. Shared fields are columns; the service's config object (cloudWatch, cloudTrail or ec2)
 * is stored as the client sent it in `config`. Status and lease columns belong to the scheduler.
 */
export const integrations = pgTable(
  'integrations',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    name: text('name').notNull(),
    service: text('service').$type<AwsService>().notNull(),
    refreshMins: integer('refresh_mins').notNull(),
    additionalTags: jsonb('additional_tags').$type<Record<string, string>>(),
    config: jsonb('config').$type<ServiceConfigs[AwsService]>().notNull(),
    roleArn: text('role_arn').notNull(),
    externalId: text('external_id').notNull(),
    ...resourceColumns(),
    lastMetricCount: integer('last_metric_count'),
    lastProcessingTimestamp: epochMs('last_processing_timestamp'),
    lastProcessorId: text('last_processor_id'),
    lastReceivedDataPointMs: epochMs('last_received_data_point_ms'),
    ...scheduledColumns(),
  },
  (t) => scheduledIndexes('integrations', t),
);

/**
 * Where a collector stopped, per integration and scope (e.g. `cloudwatch:us-east-1:AWS/EC2` → end of the last
 * window, or a CloudTrail prefix → the last S3 key read). Written in the same transaction as the points.
 */
export const collectorCursors = pgTable(
  'collector_cursors',
  {
    integrationId: uuid('integration_id').notNull().references(() => integrations.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    position: text('position').notNull(),
    updatedMs: epochMs('updated_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.scope] })],
);

/** A time series: metric name, source and point tags, per customer. `key` is a hash of all three. */
export const series = pgTable(
  'series',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    key: text('key').notNull(),
    metric: text('metric').notNull(),
    source: text('source').notNull(),
    tags: jsonb('tags').$type<Record<string, string>>().notNull(),
    integrationId: uuid('integration_id'),
    lastPointMs: epochMs('last_point_ms').notNull(),
  },
  (t) => [
    uniqueIndex('series_customer_key_idx').on(t.customerId, t.key),
    index('series_customer_metric_idx').on(t.customerId, t.metric, t.source),
    index('series_integration_idx').on(t.integrationId),
  ],
);

/** Data points. One per series and timestamp: a re-read overwrites instead of duplicating. */
export const points = pgTable(
  'points',
  {
    seriesId: bigint('series_id', { mode: 'number' }).notNull().references(() => series.id, { onDelete: 'cascade' }),
    ts: epochMs('ts').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.seriesId, t.ts] }),
    // Points arrive roughly in time order, so a BRIN index makes retention deletes cheap at little write cost.
    index('points_ts_brin_idx').using('brin', t.ts),
  ],
);

/** Events: CloudTrail actions and Skyport's own system events (credential failures). */
export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    integrationId: uuid('integration_id'),
    name: text('name').notNull(),
    startMs: epochMs('start_ms').notNull(),
    endMs: epochMs('end_ms'),
    runningState: text('running_state').notNull(),
    annotations: jsonb('annotations').$type<Record<string, string>>().notNull(),
    tags: text('tags').array().notNull(),
    hosts: text('hosts').array().notNull(),
    isUserEvent: boolean('is_user_event').notNull().default(false),
    /** De-duplication key within a customer (e.g. a CloudTrail eventID); null for events that need none. */
    dedupeKey: text('dedupe_key'),
    createdMs: epochMs('created_ms').notNull(),
    updatedMs: epochMs('updated_ms').notNull(),
  },
  // No index on integration_id: no query looks events up by integration, and each index costs every insert.
  (t) => [
    index('events_customer_start_idx').on(t.customerId, t.startMs, t.id),
    uniqueIndex('events_dedupe_idx').on(t.customerId, t.dedupeKey),
  ],
);

/**
 * API Gateway connections (SPEC-apigateway §2): one AWS account, any number of regions and stages. The
 * effective settings are stored with their defaults filled in (the sync reads them as they are). The access
 * key's secret is stored only encrypted (`secret_ciphertext`, AES-256-GCM, see services/secrets). Status and
 * lease columns belong to the sync's scheduler, as on `integrations`.
 */
export const apiGatewayConnections = pgTable(
  'apigateway_connections',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull().references(() => customers.id),
    name: text('name').notNull(),
    credentialType: text('credential_type').notNull(),
    roleArn: text('role_arn'),
    externalId: text('external_id'),
    accessKeyId: text('access_key_id'),
    secretCiphertext: text('secret_ciphertext'),
    regions: text('regions').array().notNull(),
    apiTypes: text('api_types').array().notNull(),
    stages: jsonb('stages').$type<{ include: string[]; exclude: string[] }>().notNull(),
    apiFilter: jsonb('api_filter').$type<{ nameRegex?: string; tags?: Record<string, string> }>().notNull(),
    export: jsonb('export').$type<{ enabled: boolean; format: string; extensions: string }>().notNull(),
    subscriptions: jsonb('subscriptions').$type<{ enabled: boolean }>().notNull(),
    traffic: jsonb('traffic')
      .$type<{ enabled: boolean; logGroups: 'auto' | string[]; unusedAfterDays: number; initialLookbackMins: number }>()
      .notNull(),
    syncIntervalMins: integer('sync_interval_mins').notNull(),
    additionalTags: jsonb('additional_tags').$type<Record<string, string>>(),
    ...resourceColumns(),
    lastSyncMs: epochMs('last_sync_ms'),
    lastSyncDurationMs: epochMs('last_sync_duration_ms'),
    lastProcessorId: text('last_processor_id'),
    apiCount: integer('api_count').notNull().default(0),
    endpointCount: integer('endpoint_count').notNull().default(0),
    ...scheduledColumns(),
  },
  (t) => scheduledIndexes('apigateway_connections', t),
);

/**
 * The API Gateway inventory a connection's syncs discover (SPEC-apigateway §3). Nothing is deleted when it
 * disappears from AWS: APIs and stages get `status REMOVED`/`removedMs`, endpoints `removedMs`, so history
 * and change rows keep pointing at something.
 */
export const apiGatewayApis = pgTable(
  'apigateway_apis',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    region: text('region').notNull(),
    awsApiId: text('aws_api_id').notNull(),
    protocolType: text('protocol_type').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    version: text('version'),
    tags: jsonb('tags').$type<Record<string, string>>().notNull(),
    endpointType: text('endpoint_type'),
    status: text('status').notNull(),
    firstSeenMs: epochMs('first_seen_ms').notNull(),
    lastSeenMs: epochMs('last_seen_ms').notNull(),
    removedMs: epochMs('removed_ms'),
  },
  (t) => [
    uniqueIndex('apigateway_apis_aws_idx').on(t.connectionId, t.region, t.protocolType, t.awsApiId),
    index('apigateway_apis_customer_idx').on(t.customerId, t.name, t.id),
  ],
);

export const apiGatewayStages = pgTable(
  'apigateway_stages',
  {
    apiId: uuid('api_id').notNull().references(() => apiGatewayApis.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    deploymentId: text('deployment_id'),
    lastUpdatedMs: epochMs('last_updated_ms'),
    /** Where the endpoints came from: `EXPORT`, `DEPLOYMENT`, `RESOURCES` or `ROUTES`. */
    specSource: text('spec_source'),
    specSha256: text('spec_sha256'),
    endpointCount: integer('endpoint_count').notNull().default(0),
    accessLog: jsonb('access_log').$type<{ destinationArn: string | null; format: string | null }>(),
    status: text('status').notNull(),
    firstSeenMs: epochMs('first_seen_ms').notNull(),
    lastSeenMs: epochMs('last_seen_ms').notNull(),
    removedMs: epochMs('removed_ms'),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.name] })],
);

export const apiGatewayEndpoints = pgTable(
  'apigateway_endpoints',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    apiId: uuid('api_id').notNull().references(() => apiGatewayApis.id, { onDelete: 'cascade' }),
    stage: text('stage').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    operationId: text('operation_id'),
    apiKeyRequired: boolean('api_key_required').notNull(),
    authorizationType: text('authorization_type').notNull(),
    classification: text('classification').notNull(),
    firstSeenMs: epochMs('first_seen_ms').notNull(),
    lastSeenMs: epochMs('last_seen_ms').notNull(),
    lastTrafficMs: epochMs('last_traffic_ms'),
    removedMs: epochMs('removed_ms'),
  },
  (t) => [uniqueIndex('apigateway_endpoints_identity_idx').on(t.apiId, t.stage, t.method, t.path)],
);

/** Exported definitions by content: identical bytes are stored once per customer. */
export const apiGatewayExports = pgTable(
  'apigateway_exports',
  {
    customerId: text('customer_id').notNull(),
    sha256: text('sha256').notNull(),
    body: text('body').notNull(),
    createdMs: epochMs('created_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.sha256] })],
);

export const apiGatewayChanges = pgTable(
  'apigateway_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    apiId: uuid('api_id').notNull().references(() => apiGatewayApis.id, { onDelete: 'cascade' }),
    stage: text('stage'),
    kind: text('kind').notNull(),
    detail: text('detail').notNull(),
    atMs: epochMs('at_ms').notNull(),
    syncRunId: uuid('sync_run_id'),
  },
  (t) => [index('apigateway_changes_api_idx').on(t.apiId, t.id)],
);

/** One sync of a connection, queued by `POST …/sync` or the scheduler; the newest 100 per connection are kept. */
export const apiGatewaySyncRuns = pgTable(
  'apigateway_sync_runs',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    queuedMs: epochMs('queued_ms').notNull(),
    startedMs: epochMs('started_ms'),
    endedMs: epochMs('ended_ms'),
    regions: jsonb('regions').$type<Record<string, { status: string; error: string | null }>>().notNull(),
    awsCalls: jsonb('aws_calls').$type<Record<string, number>>().notNull(),
    throttled: integer('throttled').notNull().default(0),
    changes: jsonb('changes').$type<Record<string, number>>().notNull(),
    error: text('error'),
    /** Keys tagged skyport:subscription that no subscription knows (reported, never deleted). */
    unknownSubscriptionKeys: jsonb('unknown_subscription_keys').$type<string[]>(),
  },
  (t) => [index('apigateway_sync_runs_connection_idx').on(t.connectionId, t.queuedMs)],
);

/**
 * Traffic from access logs (SPEC-apigateway §5): per endpoint × minute × status × API key, the requests, bytes
 * and a latency histogram (fixed log-scale buckets, see services/apigateway/traffic/histogram.ts; empty when the
 * log format has no latency). Rows are only ever incremented, in the transaction that moves the log group's
 * cursor, so a re-read never counts a line twice. Kept for SKYPORT_TRAFFIC_RETENTION.
 */
export const apiGatewayTrafficMinutes = pgTable(
  'apigateway_traffic_minutes',
  {
    endpointId: bigint('endpoint_id', { mode: 'number' }).notNull().references(() => apiGatewayEndpoints.id, { onDelete: 'cascade' }),
    minuteMs: epochMs('minute_ms').notNull(),
    status: integer('status').notNull(),
    /** `$context.identity.apiKeyId`; '' when the line has none. */
    apiKeyId: text('api_key_id').notNull(),
    requests: bigint('requests', { mode: 'number' }).notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    latency: integer('latency').array().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.minuteMs, t.status, t.apiKeyId] }),
    // Minutes arrive roughly in time order: a BRIN index keeps retention deletes cheap, as for points.
    index('apigateway_traffic_minutes_minute_brin_idx').using('brin', t.minuteMs),
    // A subscription's usage reads one key's minutes: without this it scans every connection's minutes of the
    // window. Partial: lines without a key (Akto's format) cost nothing here.
    index('apigateway_traffic_minutes_key_idx').on(t.apiKeyId, t.minuteMs).where(sql`${t.apiKeyId} <> ''`),
  ],
);

/**
 * Where the reading of one log group stopped (event time, inclusive), per connection × region, with what its
 * lines came to: read, unparseable, not attributable to a stage.
 */
export const apiGatewayTrafficCursors = pgTable(
  'apigateway_traffic_cursors',
  {
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    region: text('region').notNull(),
    logGroup: text('log_group').notNull(),
    positionMs: epochMs('position_ms').notNull(),
    lines: bigint('lines', { mode: 'number' }).notNull().default(0),
    unparseable: bigint('unparseable', { mode: 'number' }).notNull().default(0),
    unattributed: bigint('unattributed', { mode: 'number' }).notNull().default(0),
    updatedMs: epochMs('updated_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.region, t.logGroup] })],
);

/**
 * Event ids already counted whose event time is inside the next read's overlap: the next window starts
 * `overlap` before the cursor, and these keep a line from being counted twice.
 */
export const apiGatewayTrafficSeen = pgTable(
  'apigateway_traffic_seen',
  {
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    region: text('region').notNull(),
    logGroup: text('log_group').notNull(),
    eventId: text('event_id').notNull(),
    ts: epochMs('ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.region, t.logGroup, t.eventId] })],
);

export type ApiGatewayApiRow = typeof apiGatewayApis.$inferSelect;
export type ApiGatewayStageRow = typeof apiGatewayStages.$inferSelect;
export type ApiGatewayEndpointRow = typeof apiGatewayEndpoints.$inferSelect;
export type ApiGatewayChangeRow = typeof apiGatewayChanges.$inferSelect;
export type ApiGatewaySyncRunRow = typeof apiGatewaySyncRuns.$inferSelect;

export type IntegrationRow = typeof integrations.$inferSelect;
export type ExternalIdRow = typeof externalIds.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;

/**
 * One finished collection run of an integration (GET /api/v2/cloudintegration/{id}/run). Written in the
 * scheduler's lease-guarded recording transaction, which also prunes all but the newest 100 per integration.
 * `id` orders runs (a newer run has a larger id); `plan` is what a CloudWatch run's discovery selected, read by
 * the cost estimate.
 */
export const collectionRuns = pgTable(
  'collection_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    integrationId: uuid('integration_id').notNull().references(() => integrations.id, { onDelete: 'cascade' }),
    customerId: text('customer_id').notNull(),
    startedMs: epochMs('started_ms').notNull(),
    endedMs: epochMs('ended_ms').notNull(),
    replica: text('replica').notNull(),
    status: text('status').notNull(),
    series: integer('series').notNull().default(0),
    events: integer('events').notNull().default(0),
    points: integer('points').notNull().default(0),
    awsCalls: jsonb('aws_calls').$type<Record<string, number>>().notNull(),
    error: text('error'),
    plan: jsonb('plan').$type<Record<string, unknown>>(),
  },
  (t) => [index('collection_runs_integration_idx').on(t.integrationId, t.id)],
);

export type CollectionRunRow = typeof collectionRuns.$inferSelect;
export type ApiGatewayConnectionRow = typeof apiGatewayConnections.$inferSelect;

/**
 * Usage plans a sync read (GetUsagePlans) in a region of a connection with subscriptions on (SPEC-apigateway
 * §4). A read model of AWS: a plan no longer listed is deleted with the next sync of its region.
 */
export const apiGatewayUsagePlans = pgTable(
  'apigateway_usage_plans',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    region: text('region').notNull(),
    awsUsagePlanId: text('aws_usage_plan_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    throttle: jsonb('throttle').$type<{ rateLimit?: number; burstLimit?: number }>(),
    quota: jsonb('quota').$type<{ limit?: number; period?: string; offset?: number }>(),
    apiStages: jsonb('api_stages').$type<Array<{ apiId: string; stage: string }>>().notNull(),
    firstSeenMs: epochMs('first_seen_ms').notNull(),
    lastSeenMs: epochMs('last_seen_ms').notNull(),
  },
  (t) => [
    uniqueIndex('apigateway_usage_plans_aws_idx').on(t.connectionId, t.region, t.awsUsagePlanId),
    index('apigateway_usage_plans_customer_idx').on(t.customerId, t.name, t.id),
  ],
);

/**
 * API-key subscriptions (SPEC-apigateway §4). The key value is never stored: only its SHA-256 and last four
 * characters. A row is PENDING while its AWS key is being made (a guard deletion row cleans up after a crash),
 * then ACTIVE. `idempotencyKey` is unique per customer while set: two racing requests with the same key get
 * one row; it is cleared when the request failed (a retry may try again) or after `idempotencyExpiresMs`.
 */
export const apiGatewaySubscriptions = pgTable(
  'apigateway_subscriptions',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    region: text('region').notNull(),
    usagePlanId: text('usage_plan_id').notNull(),
    awsApiKeyId: text('aws_api_key_id'),
    /** The keys rotated out (oldest first, the newest 100): their traffic is still the subscription's usage. */
    previousAwsApiKeyIds: text('previous_aws_api_key_ids').array().notNull().default(sql`'{}'::text[]`),
    name: text('name').notNull(),
    description: text('description'),
    status: text('status').notNull(),
    valueSha256: text('value_sha256'),
    valueLast4: text('value_last4'),
    /** Rotations so far; the n-th rotation's key is named `skyport-<id>-r<n>`. */
    rotations: integer('rotations').notNull().default(0),
    creatorId: text('creator_id').notNull(),
    updaterId: text('updater_id').notNull(),
    createdMs: epochMs('created_ms').notNull(),
    updatedMs: epochMs('updated_ms').notNull(),
    lastError: text('last_error'),
    idempotencyKey: text('idempotency_key'),
    requestSha256: text('request_sha256'),
    idempotencyExpiresMs: epochMs('idempotency_expires_ms'),
  },
  (t) => [
    uniqueIndex('apigateway_subscriptions_idempotency_idx').on(t.customerId, t.idempotencyKey),
    index('apigateway_subscriptions_customer_idx').on(t.customerId, t.createdMs, t.id),
    index('apigateway_subscriptions_connection_idx').on(t.connectionId, t.region, t.status),
    index('apigateway_subscriptions_key_idx').on(t.awsApiKeyId),
  ],
);

/**
 * AWS API keys to delete when `dueMs` has passed: the old key of a rotation after its grace period, and the
 * guard of a key being made (by name: deleted only if the request that makes it never finishes). Claimed with a
 * lease (`leaseToken`, `leaseExpiresMs`) so one replica performs each; deleted once done.
 */
export const apiGatewayKeyDeletions = pgTable(
  'apigateway_key_deletions',
  {
    id: uuid('id').primaryKey(),
    customerId: text('customer_id').notNull(),
    connectionId: uuid('connection_id').notNull().references(() => apiGatewayConnections.id, { onDelete: 'cascade' }),
    subscriptionId: uuid('subscription_id').notNull(),
    region: text('region').notNull(),
    usagePlanId: text('usage_plan_id').notNull(),
    /** The key to delete, or null for a guard that finds its key by `keyName`. */
    awsApiKeyId: text('aws_api_key_id'),
    keyName: text('key_name'),
    reason: text('reason').notNull(),
    dueMs: epochMs('due_ms').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    leaseToken: uuid('lease_token'),
    leaseExpiresMs: epochMs('lease_expires_ms'),
  },
  (t) => [index('apigateway_key_deletions_due_idx').on(t.dueMs), index('apigateway_key_deletions_key_idx').on(t.awsApiKeyId)],
);

export type ApiGatewayUsagePlanRow = typeof apiGatewayUsagePlans.$inferSelect;
export type ApiGatewaySubscriptionRow = typeof apiGatewaySubscriptions.$inferSelect;
export type ApiGatewayKeyDeletionRow = typeof apiGatewayKeyDeletions.$inferSelect;
