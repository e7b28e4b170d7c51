/**
 * Endpoints out of an exported API definition (API Gateway's GetExport / ExportApi output, or a hand-written
 * spec imported into API Gateway). Pure: bytes in, endpoints out, no AWS or database.
 *
 * Accepts OpenAPI 3.x and Swagger 2.0 JSON, method keys in any case (imported specs sometimes use `GET`),
 * empty or null path items, and API Gateway's `x-amazon-apigateway-any-method` as `ANY`.
 */

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT';
export type EndpointClassification = 'DOCUMENTED' | 'PROXY';

export interface ParsedEndpoint {
  /** Upper case; `ANY` for the any-method. */
  method: string;
  /** The path template as written (`/pets/{petId}`, `/{proxy+}`, `/$default`). */
  path: string;
  operationId: string | null;
  authorizationType: AuthorizationType;
  apiKeyRequired: boolean;
  classification: EndpointClassification;
}

export interface ParsedDefinition {
  format: 'oas3' | 'swagger2';
  title: string | null;
  version: string | null;
  endpoints: ParsedEndpoint[];
}

export class DefinitionParseError extends Error {}

const ANY_KEY = 'x-amazon-apigateway-any-method';
const HTTP_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{proxy+}` anywhere in the template, or HTTP APIs' `$default` route, catches every request. */
export function classifyPath(path: string): EndpointClassification {
  return /\{[^}]+\+\}/.test(path) || path === '$default' || path === '/$default' ? 'PROXY' : 'DOCUMENTED';
}

/** What a security scheme means in API Gateway terms; undefined when it is not one API Gateway writes. */
function schemeMeaning(scheme: unknown): 'API_KEY' | AuthorizationType | undefined {
  if (!isObject(scheme)) return undefined;
  const authType = typeof scheme['x-amazon-apigateway-authtype'] === 'string' ? scheme['x-amazon-apigateway-authtype'].toLowerCase() : undefined;
  if (authType === 'awssigv4') return 'AWS_IAM';
  if (authType === 'cognito_user_pools') return 'COGNITO_USER_POOLS';
  if (authType === 'custom' || isObject(scheme['x-amazon-apigateway-authorizer'])) return 'CUSTOM';
  const type = typeof scheme.type === 'string' ? scheme.type.toLowerCase() : '';
  if (type === 'oauth2' || type === 'openidconnect') return 'JWT';
  if (type === 'apikey' && typeof scheme.name === 'string' && scheme.name.toLowerCase() === 'x-api-key') return 'API_KEY';
  return undefined;
}

function authOf(security: unknown, schemes: Json): { authorizationType: AuthorizationType; apiKeyRequired: boolean } {
  let authorizationType: AuthorizationType = 'NONE';
  let apiKeyRequired = false;
  if (!Array.isArray(security)) return { authorizationType, apiKeyRequired };
  for (const requirement of security) {
    if (!isObject(requirement)) continue;
    for (const name of Object.keys(requirement)) {
      const meaning = schemeMeaning(schemes[name]);
      if (meaning === 'API_KEY') apiKeyRequired = true;
      else if (meaning !== undefined && authorizationType === 'NONE') authorizationType = meaning;
    }
  }
  return { authorizationType, apiKeyRequired };
}

/** Parses a definition given as text or as an already-decoded JSON value. */
export function parseDefinition(input: string | unknown): ParsedDefinition {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new DefinitionParseError(`not JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(doc)) throw new DefinitionParseError('the definition is not a JSON object');
  let format: ParsedDefinition['format'];
  let schemes: unknown;
  if (typeof doc.openapi === 'string' && doc.openapi.startsWith('3.')) {
    format = 'oas3';
    schemes = isObject(doc.components) ? doc.components.securitySchemes : undefined;
  } else if (doc.swagger === '2.0') {
    format = 'swagger2';
    schemes = doc.securityDefinitions;
  } else {
    throw new DefinitionParseError('neither OpenAPI 3 (`openapi: 3.x`) nor Swagger 2.0 (`swagger: "2.0"`)');
  }
  const schemeMap = isObject(schemes) ? schemes : {};
  const paths = doc.paths === undefined || doc.paths === null ? {} : doc.paths;
  if (!isObject(paths)) throw new DefinitionParseError('`paths` is not an object');

  const endpoints: ParsedEndpoint[] = [];
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue; // empty path items (`"/x": {}` or null) declare no endpoint
    for (const [key, op] of Object.entries(item)) {
      const method = key.toLowerCase() === ANY_KEY ? 'ANY' : key.toUpperCase();
      if (method !== 'ANY' && !HTTP_METHODS.has(method)) continue; // `parameters`, `summary`, other extensions
      const identity = `${method} ${path}`;
      if (seen.has(identity)) continue; // `get` and `GET` in one item: the first wins
      seen.add(identity);
      const operation = isObject(op) ? op : {};
      const security = operation.security !== undefined ? operation.security : doc.security;
      endpoints.push({
        method,
        path,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : null,
        ...authOf(security, schemeMap),
        classification: classifyPath(path),
      });
    }
  }
  endpoints.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path < b.path ? -1 : 1));
  const info = isObject(doc.info) ? doc.info : {};
  return {
    format,
    title: typeof info.title === 'string' ? info.title : null,
    version: typeof info.version === 'string' ? info.version : null,
    endpoints,
  };
}
