/**
 * Maps an access-log line to an endpoint of its stage (SPEC-apigateway §5): by `resourcePath` (REST) or
 * `routeKey` (HTTP, WebSocket), else the longest path template that matches `path`, else a templated form of
 * `path` (numeric and UUID segments → `{id}`). A result that is no live endpoint of the stage is SHADOW traffic.
 */
import type { AccessLine } from './parse.ts';

export interface KnownEndpoint {
  method: string;
  path: string;
}

interface Template {
  method: string;
  path: string;
  segments: string[];
  literals: number;
}

/** The endpoint a line belongs to: a known one, or the (method, path) a SHADOW endpoint gets. */
export interface EndpointRef {
  method: string;
  path: string;
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const MEMO_LIMIT = 10_000;

/** `/prod/pets/42` → `/pets/{id}` (the stage prefix dropped when there is one). */
export function templatePath(path: string, stage: string): string {
  const prefix = `/${stage}`;
  const rest = path === prefix ? '/' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
  return rest
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
    .join('/');
}

function matches(t: Template, segments: string[]): boolean {
  for (let i = 0; i < t.segments.length; i++) {
    const s = t.segments[i];
    if (/^\{[^}]+\+\}$/.test(s)) return segments.length > i; // a greedy {proxy+} takes one or more segments
    if (i >= segments.length) return false;
    if (s.startsWith('{') && s.endsWith('}')) continue;
    if (s !== segments[i]) return false;
  }
  return segments.length === t.segments.length;
}

export function createEndpointMatcher(stage: string, endpoints: readonly KnownEndpoint[]) {
  const known = new Set(endpoints.map((e) => `${e.method} ${e.path}`));
  const templates: Template[] = endpoints
    .filter((e) => e.path.startsWith('/'))
    .map((e) => {
      const segments = e.path.split('/').slice(1);
      return { method: e.method, path: e.path, segments, literals: segments.filter((s) => !s.startsWith('{')).length };
    })
    // Longest first: most literal segments, then most segments.
    .sort((a, b) => b.literals - a.literals || b.segments.length - a.segments.length);
  const memo = new Map<string, EndpointRef>();

  const lookup = (method: string, path: string): EndpointRef =>
    known.has(`${method} ${path}`) ? { method, path } : known.has(`ANY ${path}`) ? { method: 'ANY', path } : { method, path };

  function resolve(line: AccessLine): EndpointRef | null {
    const method = line.method!;
    if (line.resourcePath !== null) return lookup(method, line.resourcePath);
    if (line.routeKey !== null) {
      const space = line.routeKey.indexOf(' ');
      return space > 0 ? lookup(line.routeKey.slice(0, space).toUpperCase(), line.routeKey.slice(space + 1)) : lookup('ANY', line.routeKey);
    }
    if (line.path === null) return null;
    const actual = (line.path.startsWith(`/${stage}/`) ? line.path.slice(stage.length + 1) : line.path).split('/').slice(1);
    for (const t of templates) {
      if ((t.method === method || t.method === 'ANY') && matches(t, actual)) return { method: t.method, path: t.path };
    }
    return { method, path: templatePath(line.path, stage) || '/' };
  }

  return {
    /** The endpoint of a line, or null when the line names no path at all. */
    endpointOf(line: AccessLine): EndpointRef | null {
      const key = `${line.method} ${line.resourcePath ?? ''} ${line.routeKey ?? ''} ${line.path ?? ''}`;
      const hit = memo.get(key);
      if (hit) return hit;
      const ref = resolve(line);
      if (ref && memo.size < MEMO_LIMIT) memo.set(key, ref);
      return ref;
    },
    isKnown: (ref: EndpointRef) => known.has(`${ref.method} ${ref.path}`),
  };
}
