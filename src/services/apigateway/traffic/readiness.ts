import { RECOMMENDED_ACCESS_LOG_FORMAT } from '../policy.ts';

export interface AccessLogSettings {
  destinationArn: string | null;
  format: string | null;
}

export interface AccessLogReadiness {
  ready: boolean;
  /** What the stage's access logging lacks for Skyport to count its traffic (empty when ready). */
  missingFields: string[];
}

// What a line must carry to be counted: a method, a status and something that names the endpoint (HTTP and
// WebSocket APIs log `resourcePath` as `-`: their route key or path does it).
const REQUIRED: Array<{ field: string; anyOf: string[] }> = [
  { field: 'httpMethod', anyOf: ['$context.httpMethod', '$context.routeKey'] },
  { field: 'status', anyOf: ['$context.status'] },
  { field: 'resourcePath', anyOf: ['$context.resourcePath', '$context.routeKey', '$context.path'] },
];
const REQUIRED_V2: typeof REQUIRED = [REQUIRED[0], REQUIRED[1], { field: 'routeKey', anyOf: ['$context.routeKey', '$context.path'] }];
// API Gateway's CLF preset puts the request time in brackets and the request line in quotes.
const CLF_SHAPE = /\[\$context\.requestTime\]\s+"/;

/**
 * Whether a stage's access logs can be counted (SPEC-apigateway §5): logging on, a format Skyport reads (JSON
 * lines or the CLF preset) and the fields it needs. Akto's format is ready (it lacks only what the recommended
 * format adds: latency, API key, API and stage). HTTP and WebSocket APIs need `routeKey` or `path`.
 */
export function accessLogReadiness(a: AccessLogSettings | null | undefined, protocolType = 'REST'): AccessLogReadiness {
  if (!a?.destinationArn) return { ready: false, missingFields: ['destinationArn'] };
  const format = a.format?.trim() ?? '';
  if (!format.startsWith('{') && !CLF_SHAPE.test(format)) return { ready: false, missingFields: ['format'] };
  const missingFields = (protocolType === 'REST' ? REQUIRED : REQUIRED_V2).filter((r) => !r.anyOf.some((v) => format.includes(v))).map((r) => r.field);
  return { ready: missingFields.length === 0, missingFields };
}

/** The log group name of a destination ARN (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`), if in `region`. */
export function logGroupOf(destinationArn: string | null | undefined, region: string): string | undefined {
  if (!destinationArn) return undefined;
  const m = /^arn:[^:]+:logs:([^:]+):[^:]*:log-group:([^:]+)(?::\*)?$/.exec(destinationArn);
  return m && m[1] === region ? m[2] : undefined;
}

/** What the readiness event tells the user to set. */
export function readinessAdvice(stage: string, r: AccessLogReadiness): string {
  const what = r.missingFields.includes('destinationArn')
    ? 'turn on access logging to a CloudWatch Logs group'
    : r.missingFields.includes('format')
      ? 'use a JSON access-log format'
      : `add ${r.missingFields.join(', ')} to the access-log format`;
  return `Traffic of stage ${stage} cannot be counted: ${what}. Recommended format: ${RECOMMENDED_ACCESS_LOG_FORMAT}`;
}
