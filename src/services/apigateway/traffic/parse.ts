/**
 * Access-log lines → what the statistics need. JSON lines (Akto's format, the recommended format, or any JSON
 * format with the same `$context` keys) and API Gateway's Common Log Format preset. API Gateway writes every
 * value as a string and `-` for a variable that has no value (for example `routeKey` on a REST API), so both
 * are read as absent. A line that is neither, or has no method or status, is unparseable: counted, skipped.
 */
export interface AccessLine {
  method: string | null;
  /** The REST resource template (`/pets/{petId}`). */
  resourcePath: string | null;
  /** The HTTP or WebSocket route key (`GET /items/{id}`, `$default`). */
  routeKey: string | null;
  /** The request path as called (`/prod/pets/42`). */
  path: string | null;
  status: number;
  bytes: number;
  /** responseLatency in ms; null when the format has none. */
  latencyMs: number | null;
  apiId: string | null;
  stage: string | null;
  apiKeyId: string | null;
}

const value = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
  return s === null || s === '' || s === '-' ? null : s;
};

const num = (v: unknown): number | null => {
  const s = value(v);
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

function fromJson(o: Record<string, unknown>): AccessLine | null {
  const status = num(o.status ?? o.statusCode);
  const routeKey = value(o.routeKey);
  let method = value(o.httpMethod ?? o.method);
  if (method === null && routeKey !== null) method = routeKey.split(' ', 1)[0];
  if (status === null || !Number.isInteger(status) || status < 100 || status > 599 || method === null) return null;
  return {
    method: method.toUpperCase(),
    resourcePath: value(o.resourcePath),
    routeKey,
    path: value(o.path),
    status,
    bytes: num(o.responseLength) ?? 0,
    latencyMs: num(o.responseLatency),
    apiId: value(o.apiId),
    stage: value(o.stage),
    apiKeyId: value(o.apiKeyId),
  };
}

// `ip caller user [requestTime] "METHOD target PROTOCOL" status length requestId`
const CLF = /^\S+ \S+ \S+ \[[^\]]*\] "([^"]*)" (\d{3}) (\S+)/;

function fromClf(line: string): AccessLine | null {
  const m = CLF.exec(line);
  if (!m) return null;
  const parts = m[1].split(' ');
  if (parts.length < 2) return null;
  const method = parts[0].toUpperCase();
  let resourcePath: string | null = null;
  let routeKey: string | null = null;
  // HTTP APIs' preset logs the route key (`GET /items/{id}` or `$default`) where REST logs the resource path.
  if (parts.length >= 4) routeKey = `${parts[1]} ${parts[2]}`;
  else if (parts[1].startsWith('/')) resourcePath = parts[1];
  else routeKey = parts[1];
  return {
    method,
    resourcePath,
    routeKey,
    path: null,
    status: Number(m[2]),
    bytes: num(m[3]) ?? 0,
    latencyMs: null,
    apiId: null,
    stage: null,
    apiKeyId: null,
  };
}

/** One line, or null when it cannot be read. Never throws. */
export function parseAccessLine(message: string): AccessLine | null {
  const text = message.trim();
  if (text.startsWith('{')) {
    try {
      const o = JSON.parse(text) as unknown;
      return o !== null && typeof o === 'object' && !Array.isArray(o) ? fromJson(o as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return fromClf(text);
}
