import type { ApiGatewaySubscriptionRow, ApiGatewayUsagePlanRow } from '../../../db/schema.ts';
import type { ApiGatewaySubscriptionView, ApiGatewayUsagePlanView } from '../../../schemas/apiGatewaySubscription.ts';

/** The API shape of a subscription: never the key's hash, the idempotency bookkeeping or (but once) the value. */
export function toSubscription(r: ApiGatewaySubscriptionRow, value?: string): ApiGatewaySubscriptionView {
  return {
    id: r.id,
    connectionId: r.connectionId,
    region: r.region,
    usagePlanId: r.usagePlanId,
    ...(r.awsApiKeyId !== null ? { awsApiKeyId: r.awsApiKeyId } : {}),
    name: r.name,
    ...(r.description !== null ? { description: r.description } : {}),
    status: r.status,
    ...(r.valueLast4 !== null ? { valueLast4: r.valueLast4 } : {}),
    ...(value !== undefined ? { value } : {}),
    creatorId: r.creatorId,
    updaterId: r.updaterId,
    createdEpochMillis: r.createdMs,
    updatedEpochMillis: r.updatedMs,
    ...(r.lastError !== null ? { lastError: r.lastError } : {}),
  };
}

export function toUsagePlan(r: ApiGatewayUsagePlanRow): ApiGatewayUsagePlanView {
  return {
    id: r.id,
    connectionId: r.connectionId,
    region: r.region,
    awsUsagePlanId: r.awsUsagePlanId,
    name: r.name,
    ...(r.description !== null ? { description: r.description } : {}),
    ...(r.throttle !== null ? { throttle: r.throttle } : {}),
    ...(r.quota !== null ? { quota: r.quota } : {}),
    apiStages: r.apiStages,
    firstSeenMs: r.firstSeenMs,
    lastSeenMs: r.lastSeenMs,
  };
}
