import type { RestDeployment, RestMethod, RestStage, V2Api, V2Route } from './model.ts';

/**
 * OpenAPI documents as API Gateway exports them: method keys in lower case, `ANY` as
 * `x-amazon-apigateway-any-method`, path parameters declared, API-key and IAM security schemes, and with
 * the `integrations`/`apigateway` extension the `x-amazon-apigateway-integration` of each operation.
 */
type Json = Record<string, unknown>;

export type ExportType = 'oas30' | 'swagger';
export type Extensions = 'none' | 'integrations' | 'apigateway' | 'authorizers' | 'postman';

const ANY_KEY = 'x-amazon-apigateway-any-method';

const methodKey = (httpMethod: string): string => (httpMethod === 'ANY' ? ANY_KEY : httpMethod.toLowerCase());

function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+?)\+?\}/g)].map((m) => m[1]);
}

function security(authorizationType: string, apiKeyRequired: boolean): Array<Record<string, string[]>> | undefined {
  const s: Array<Record<string, string[]>> = [];
  if (apiKeyRequired) s.push({ api_key: [] });
  if (authorizationType === 'AWS_IAM') s.push({ sigv4: [] });
  if (authorizationType === 'CUSTOM') s.push({ custom_authorizer: [] });
  if (authorizationType === 'COGNITO_USER_POOLS') s.push({ cognito_authorizer: [] });
  if (authorizationType === 'JWT') s.push({ jwt_authorizer: [] });
  return s.length > 0 ? s : undefined;
}

function securitySchemes(methods: Array<{ authorizationType: string; apiKeyRequired: boolean }>, extensions: Extensions): Json | undefined {
  const schemes: Json = {};
  for (const m of methods) {
    if (m.apiKeyRequired) schemes.api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
    if (m.authorizationType === 'AWS_IAM') {
      schemes.sigv4 = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    }
    if (m.authorizationType === 'CUSTOM') {
      schemes.custom_authorizer = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'custom', ...(extensions === 'authorizers' || extensions === 'apigateway' ? { 'x-amazon-apigateway-authorizer': { type: 'token', authorizerResultTtlInSeconds: 300 } } : {}) };
    }
    if (m.authorizationType === 'COGNITO_USER_POOLS') {
      schemes.cognito_authorizer = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools' };
    }
    if (m.authorizationType === 'JWT') schemes.jwt_authorizer = { type: 'oauth2', flows: {} };
  }
  return Object.keys(schemes).length > 0 ? schemes : undefined;
}

function operation(kind: ExportType, path: string, m: { authorizationType: string; apiKeyRequired: boolean; operationName?: string }, extensions: Extensions, httpMethod: string): Json {
  const params = pathParameters(path).map((name) =>
    kind === 'oas30' ? { name, in: 'path', required: true, schema: { type: 'string' } } : { name, in: 'path', required: true, type: 'string' },
  );
  const op: Json = {};
  if (m.operationName) op.operationId = m.operationName;
  if (params.length > 0) op.parameters = params;
  op.responses = kind === 'oas30' ? { '200': { description: '200 response', content: {} } } : { '200': { description: '200 response' } };
  const sec = security(m.authorizationType, m.apiKeyRequired);
  if (sec) op.security = sec;
  if (extensions === 'integrations' || extensions === 'apigateway') {
    op['x-amazon-apigateway-integration'] = { type: 'mock', httpMethod, passthroughBehavior: 'when_no_match', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } };
  }
  return op;
}

/** The export of a REST API stage: what its deployment held when it was made. */
export function restExport(input: {
  kind: ExportType;
  extensions: Extensions;
  apiId: string;
  region: string;
  stage: RestStage;
  deployment: RestDeployment;
  /** Admin quirk: write method keys upper case (some hand-written specs do). */
  upperCaseMethods?: boolean;
}): Json {
  const { kind, extensions, deployment, stage } = input;
  const paths: Json = {};
  const all: RestMethod[] = [];
  for (const r of deployment.resources) {
    if (r.methods.length === 0) continue;
    const item: Json = {};
    for (const m of r.methods) {
      const key = input.upperCaseMethods && m.httpMethod !== 'ANY' ? m.httpMethod : methodKey(m.httpMethod);
      item[key] = operation(kind, r.path, m, extensions, m.httpMethod);
      all.push(m);
    }
    paths[r.path] = item;
  }
  const info: Json = { title: deployment.apiName, version: new Date(deployment.createdDate).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  if (deployment.apiDescription) info.description = deployment.apiDescription;
  const host = `${input.apiId}.execute-api.${input.region}.amazonaws.com`;
  const schemes = securitySchemes(all, extensions);
  if (kind === 'oas30') {
    const doc: Json = {
      openapi: '3.0.1',
      info,
      servers: [{ url: `https://${host}/{basePath}`, variables: { basePath: { default: stage.stageName } } }],
      paths,
    };
    if (schemes) doc.components = { securitySchemes: schemes };
    return doc;
  }
  const doc: Json = { swagger: '2.0', info, host, basePath: `/${stage.stageName}`, schemes: ['https'], paths };
  if (schemes) doc.securityDefinitions = schemes;
  return doc;
}

/** `GET /items/{id}` → ['get', '/items/{id}']; `$default` → the any-method of path `/$default`, as AWS exports it. */
function routePath(routeKey: string): [string, string] {
  if (routeKey === '$default') return [ANY_KEY, '/$default'];
  const space = routeKey.indexOf(' ');
  return [methodKey(routeKey.slice(0, space)), routeKey.slice(space + 1)];
}

/** ExportApi of an HTTP API (OAS 3.0): the routes of the stage's deployment, or the current ones without a stage. */
export function httpApiExport(api: V2Api, routes: V2Route[], region: string, stageName: string | undefined, includeExtensions: boolean): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const [key, path] = routePath(r.routeKey);
    const op = operation('oas30', path, r, 'none', key);
    if (includeExtensions) op['x-amazon-apigateway-integration'] = { type: 'http_proxy', httpMethod: 'ANY', uri: 'https://example.com', payloadFormatVersion: '1.0' };
    (paths[path] ??= {})[key] = op;
  }
  const doc: Json = {
    openapi: '3.0.1',
    info: { title: api.name, version: api.version ?? new Date(api.createdDate).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    servers: [{ url: `https://${api.apiId}.execute-api.${region}.amazonaws.com/${stageName && stageName !== '$default' ? stageName : ''}` }],
    paths,
  };
  if (api.description) (doc.info as Json).description = api.description;
  const schemes = securitySchemes(routes, 'none');
  if (schemes) doc.components = { securitySchemes: schemes };
  if (includeExtensions) doc['x-amazon-apigateway-importexport-version'] = '1.0';
  return doc;
}
