import { createHash } from 'node:crypto';
import { clfTime } from '../logs/access-log.ts';

/** What API Gateway knows of one request when it writes the stage's access-log line. */
export interface AccessLogRequest {
  requestId: string;
  apiId: string;
  stage: string;
  httpMethod: string;
  /** The matched resource's path template (`/pets/{petId}`), or the path when none matches. */
  resourcePath: string;
  path: string;
  status: number;
  timeMs: number;
  apiKeyId?: string;
  sourceIp: string;
  responseLatencyMs: number;
  integrationLatencyMs: number;
  responseLength: number;
}

/**
 * The access-log line of a REST API request: the stage's format with its `$context` variables substituted, as
 * API Gateway does (unknown or empty variables become `-`; values are JSON-string safe, so a JSON format stays
 * JSON).
 */
export function renderAccessLogLine(format: string, r: AccessLogRequest): string {
  const values: Record<string, string> = {
    requestId: r.requestId,
    extendedRequestId: r.requestId,
    apiId: r.apiId,
    stage: r.stage,
    httpMethod: r.httpMethod,
    resourcePath: r.resourcePath,
    path: `/${r.stage}${r.path}`,
    routeKey: '-',
    status: String(r.status),
    protocol: 'HTTP/1.1',
    requestTime: clfTime(r.timeMs),
    requestTimeEpoch: String(r.timeMs),
    'identity.sourceIp': r.sourceIp,
    'identity.apiKeyId': r.apiKeyId ?? '-',
    'identity.caller': '-',
    'identity.user': '-',
    responseLatency: String(r.responseLatencyMs),
    integrationLatency: String(r.integrationLatencyMs),
    responseLength: String(r.responseLength),
  };
  return format.replace(/\$context\.([A-Za-z]+(?:\.[A-Za-z]+)*)/g, (_, name: string) => JSON.stringify(values[name] || '-').slice(1, -1));
}

/** API Gateway names access-log streams with 32 hex digits; one stable stream per API and stage here. */
export function accessLogStreamName(apiId: string, stage: string): string {
  return createHash('md5').update(`${apiId}/${stage}`).digest('hex');
}

/** How many literal segments of `template` match `segments`, or undefined when it does not match. */
function literalMatches(template: string, segments: readonly string[]): number | undefined {
  const parts = template.split('/').filter(Boolean);
  let literal = 0;
  for (let i = 0; i < parts.length; i++) {
    if (/^\{.+\+\}$/.test(parts[i])) return i < segments.length ? literal : undefined;
    if (i >= segments.length) return undefined;
    if (/^\{.+\}$/.test(parts[i])) continue;
    if (parts[i] !== segments[i]) return undefined;
    literal++;
  }
  return parts.length === segments.length ? literal : undefined;
}

/** The path template of `path` among an API's resource paths (`{x}` one segment, `{x+}` the rest; the most literal wins). */
export function matchResource(resourcePaths: Iterable<string>, path: string): string | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: { template: string; literal: number } | undefined;
  for (const template of resourcePaths) {
    const literal = literalMatches(template, segments);
    if (literal !== undefined && (!best || literal > best.literal)) best = { template, literal };
  }
  return best?.template;
}
