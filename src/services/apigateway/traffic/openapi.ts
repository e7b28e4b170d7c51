/**
 * An OpenAPI 3 document built from the endpoints seen in a stage's traffic (SPEC-apigateway §5,
 * `openapi?source=observed`): their paths, methods and the status codes answered. Route keys that are no
 * path (`$default`, WebSocket `$connect`) have no place in OpenAPI and are left out; `ANY` is written as API
 * Gateway's own `x-amazon-apigateway-any-method`, as its exports do.
 */
export interface ObservedEndpoint {
  method: string;
  path: string;
  operationId: string | null;
  classification?: string;
  statuses: number[];
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']);

export function observedDocument(api: { name: string; awsApiId: string }, stage: string, endpoints: readonly ObservedEndpoint[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const e of endpoints) {
    if (!e.path.startsWith('/')) continue;
    const key = e.method === 'ANY' ? 'x-amazon-apigateway-any-method' : METHODS.has(e.method) ? e.method.toLowerCase() : undefined;
    if (key === undefined) continue;
    const params = [...e.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses = Object.fromEntries(e.statuses.map((s) => [String(s), { description: `Answered ${s} in the access logs` }]));
    const op: Record<string, unknown> = { responses: Object.keys(responses).length > 0 ? responses : { default: { description: 'Seen in the access logs' } } };
    // An operationId must be unique in a document.
    if (e.operationId && !operationIds.has(e.operationId)) {
      operationIds.add(e.operationId);
      op.operationId = e.operationId;
    }
    if (params.length > 0) op.parameters = params;
    if (e.classification) op['x-skyport-classification'] = e.classification;
    (paths[e.path] ??= {})[key] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: api.name, version: stage, description: `Built by Skyport from the access logs of stage ${stage} of API ${api.awsApiId}` },
    paths,
  };
}
