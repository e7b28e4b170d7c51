import type { Db } from '../../../db/client.ts';
import { subscriptionQueries } from '../../../db/queries/apiGatewaySubscriptions.ts';
import { trafficQueries } from '../../../db/queries/apiGatewayTraffic.ts';
import { badRequest, notFound } from '../../../errors.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { ApiGatewaySubscriptionUsageView, SubscriptionUsageQueryType } from '../../../schemas/apiGatewaySubscription.ts';
import type { Principal } from '../../api/tokens.ts';

const DAY = 86_400_000;
/** The longest window in days (a quarter; traffic minutes are kept 30 days by default). */
const MAX_DAYS = 92;

const dayStart = (ms: number) => ms - (ms % DAY);

/**
 * A subscription's usage (SPEC-apigateway §1 row 21): requests per UTC day whose access-log line carries one of
 * its API keys, the current one and those rotated out, on the connection's APIs in the subscription's region.
 */
export function createSubscriptionUsage(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return async function usage(p: Principal, id: string, query: SubscriptionUsageQueryType): Promise<ApiGatewaySubscriptionUsageView> {
    const sub = await subscriptionQueries.findById(db, p.customerId, id);
    if (!sub) throw notFound(`API Gateway subscription ${id} does not exist`);
    const endTime = query.endTime ?? clock.now();
    const startTime = query.startTime ?? dayStart(endTime) - 6 * DAY;
    if (endTime < startTime) throw badRequest(`endTime (${endTime}) is before startTime (${startTime})`);
    const firstDay = dayStart(startTime);
    const dayCount = (dayStart(endTime) - firstDay) / DAY + 1;
    if (dayCount > MAX_DAYS) throw badRequest(`the window spans ${dayCount} days; ask for at most ${MAX_DAYS}`);

    const keys = [sub.awsApiKeyId, ...[...sub.previousAwsApiKeyIds].reverse()].filter((k): k is string => !!k);
    // Minutes are whole: the one holding startTime counts, as in …/traffic.
    const counted = await trafficQueries.usageByApiKeys(db, p.customerId, sub.connectionId, sub.region, keys, startTime - (startTime % 60_000), endTime);
    const byDay = new Map(counted.map((d) => [d.dayMs, d.requests]));
    const days = Array.from({ length: dayCount }, (_, i) => {
      const start = firstDay + i * DAY;
      return { day: new Date(start).toISOString().slice(0, 10), startEpochMillis: start, requests: byDay.get(start) ?? 0 };
    });
    return { subscriptionId: sub.id, awsApiKeyIds: keys, startTime, endTime, totalRequests: days.reduce((n, d) => n + d.requests, 0), days };
  };
}
