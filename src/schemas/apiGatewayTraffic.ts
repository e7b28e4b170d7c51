import { Type, type Static, type TSchema } from 'typebox';
import { Envelope, OptionalEpochMs } from './common.ts';
import { ref } from './ref.ts';

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Latency = (p: string) =>
  Type.Union([Type.Number(), Type.Null()], { description: `${p} of responseLatency in ms (within ±4.4%, the histogram's precision); null when the log format has no latency` });

const counters = {
  requests: Count('Requests'),
  status2xx: Count('Requests answered 2xx'),
  status3xx: Count('Requests answered 3xx'),
  status4xx: Count('Requests answered 4xx'),
  status5xx: Count('Requests answered 5xx'),
  bytes: Count('Response bytes (responseLength)'),
  latencyP50Ms: Latency('Median'),
  latencyP90Ms: Latency('90th percentile'),
  latencyP99Ms: Latency('99th percentile'),
};

export const ApiGatewayTrafficTotals = Type.Object(counters, { $id: 'ApiGatewayTrafficTotals', description: 'Traffic counters and latency percentiles' });

export const ApiGatewayTrafficRow = Type.Object(
  {
    endpoint: Type.Optional(Type.String({ description: 'groupBy=endpoint: `<METHOD> <path template>`' })),
    status: Type.Optional(Type.Integer({ description: 'groupBy=status: the HTTP status code' })),
    apiKeyId: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'groupBy=apiKey: the API key id ($context.identity.apiKeyId); null for requests without one' })),
    ...counters,
  },
  { $id: 'ApiGatewayTrafficRow', description: 'Traffic of one endpoint, status or API key' },
);

export const ApiGatewayTraffic = Type.Object(
  {
    startTime: Type.Integer({ description: 'Start of the window (epoch ms, inclusive; whole minutes count)' }),
    endTime: Type.Integer({ description: 'End of the window (epoch ms, inclusive)' }),
    groupBy: Type.String({ enum: ['endpoint', 'status', 'apiKey'], description: 'What each row stands for' }),
    rows: Type.Array(ref(ApiGatewayTrafficRow), { description: 'One row per endpoint, status or API key, most requests first' }),
    totals: ref(ApiGatewayTrafficTotals),
  },
  { $id: 'ApiGatewayTraffic', description: "Traffic statistics of an API from its stages' access logs" },
);

export const ResponseContainerApiGatewayTraffic = Envelope('ResponseContainerApiGatewayTraffic', ref(ApiGatewayTraffic), 'Traffic statistics in the envelope');

export const TrafficQuery = Type.Object({
  stage: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only this stage (default: every stage)' })),
  startTime: OptionalEpochMs('Start of the window (default: an hour before endTime)'),
  endTime: OptionalEpochMs('End of the window (default: now)'),
  groupBy: Type.String({ enum: ['endpoint', 'status', 'apiKey'], default: 'endpoint', description: 'Rows per endpoint, status code or API key' }),
});

export type ApiGatewayTrafficView = Static<typeof ApiGatewayTraffic>;
export type ApiGatewayTrafficRowView = Static<typeof ApiGatewayTrafficRow>;
export type TrafficQueryType = Static<typeof TrafficQuery>;

export const apiGatewayTrafficSchemas: TSchema[] = [ApiGatewayTrafficTotals, ApiGatewayTrafficRow, ApiGatewayTraffic, ResponseContainerApiGatewayTraffic];
