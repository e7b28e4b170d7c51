import { GetDeploymentCommand, GetExportCommand, GetResourcesCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ExportApiCommand, GetRoutesCommand, type ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { createHash } from 'node:crypto';
import { classifyAwsError } from '../../collection/aws/errors.ts';
import { classifyPath, parseDefinition, type AuthorizationType, type ParsedEndpoint } from '../spec/parseDefinition.ts';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';
import type { StageDefinition } from './observed.ts';

/** Exports larger than this are not stored (a definition is kilobytes; this bounds what one stage can cost). */
const MAX_EXPORT_BYTES = 8 * 1024 * 1024;
const MAX_PAGES = 1_000;

export interface ExportSettings {
  enabled: boolean;
  format: string;
  extensions: string;
}

const AUTH_TYPES = new Set<AuthorizationType>(['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS', 'JWT']);
const authOf = (t: string | undefined): AuthorizationType => (AUTH_TYPES.has(t as AuthorizationType) ? (t as AuthorizationType) : 'NONE');

/** Failures that belong to the credentials or to AWS as a whole are not a reason to try the next source. */
function rethrowIfNotDefinitionFailure(err: unknown): void {
  const c = classifyAwsError(err);
  if (c.kind === 'credentials' || c.kind === 'transient' || c.code === 'AbortError' || c.code === 'TimeoutError') throw err;
}

function documentOf(bytes: Uint8Array | undefined): { sha256: string; body: string } | null {
  if (!bytes || bytes.byteLength === 0 || bytes.byteLength > MAX_EXPORT_BYTES) return null;
  const body = Buffer.from(bytes).toString('utf8');
  return { sha256: createHash('sha256').update(body).digest('hex'), body };
}

const endpoint = (method: string, path: string, m: { authorizationType?: string; apiKeyRequired?: boolean; operationName?: string }): ParsedEndpoint => ({
  method: method.toUpperCase(),
  path,
  operationId: m.operationName ?? null,
  authorizationType: authOf(m.authorizationType),
  apiKeyRequired: m.apiKeyRequired === true,
  classification: classifyPath(path),
});

/**
 * A REST stage's definition: GetExport of its deployment, else GetDeployment(embed=apisummary), else
 * GetResources(embed=methods) (the draft, the last resort); the source used is recorded.
 */
export async function readRestDefinition(
  retry: ThrottleRetry,
  client: APIGatewayClient,
  restApiId: string,
  stage: { name: string; deploymentId: string | null },
  settings: ExportSettings,
): Promise<StageDefinition> {
  if (settings.enabled) {
    try {
      const res = await retry.call((abortSignal) =>
        client.send(
          new GetExportCommand({
            restApiId,
            stageName: stage.name,
            exportType: settings.format === 'swagger' ? 'swagger' : 'oas30',
            accepts: 'application/json',
            parameters: settings.extensions === 'none' ? {} : { extensions: settings.extensions },
          }),
          { abortSignal },
        ),
      );
      const document = documentOf(res.body);
      if (document) return { source: 'EXPORT', endpoints: parseDefinition(document.body).endpoints, document };
    } catch (err) {
      rethrowIfNotDefinitionFailure(err);
    }
  }
  if (stage.deploymentId) {
    try {
      const res = await retry.call((abortSignal) =>
        client.send(new GetDeploymentCommand({ restApiId, deploymentId: stage.deploymentId!, embed: ['apisummary'] }), { abortSignal }),
      );
      if (res.apiSummary) {
        const endpoints = Object.entries(res.apiSummary).flatMap(([path, methods]) =>
          Object.entries(methods ?? {}).map(([method, m]) => endpoint(method, path, m)),
        );
        return { source: 'DEPLOYMENT', endpoints, document: null };
      }
    } catch (err) {
      rethrowIfNotDefinitionFailure(err);
    }
  }
  const endpoints: ParsedEndpoint[] = [];
  let position: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await retry.call((abortSignal) =>
      client.send(new GetResourcesCommand({ restApiId, limit: 500, embed: ['methods'], ...(position ? { position } : {}) }), { abortSignal }),
    );
    for (const r of res.items ?? []) {
      if (!r.path) continue;
      for (const [method, m] of Object.entries(r.resourceMethods ?? {})) endpoints.push(endpoint(method, r.path, m));
    }
    position = res.position;
    if (!position) break;
  }
  return { source: 'RESOURCES', endpoints, document: null };
}

/** `GET /items/{id}` → GET and the template; `$default` and WebSocket route keys stay as they are, method ANY. */
export function routeEndpoint(route: { RouteKey?: string; AuthorizationType?: string; ApiKeyRequired?: boolean; OperationName?: string }): ParsedEndpoint | undefined {
  const key = route.RouteKey;
  if (!key) return undefined;
  const m = /^([A-Za-z]+) (\/.*)$/.exec(key);
  const info = { authorizationType: route.AuthorizationType, apiKeyRequired: route.ApiKeyRequired, operationName: route.OperationName };
  return m ? endpoint(m[1], m[2], info) : endpoint('ANY', key, info);
}

/** The routes of an HTTP or WebSocket API, every page. */
export async function readV2Routes(retry: ThrottleRetry, client: ApiGatewayV2Client, apiId: string): Promise<ParsedEndpoint[]> {
  const out: ParsedEndpoint[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await retry.call((abortSignal) =>
      client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: '500', ...(next ? { NextToken: next } : {}) }), { abortSignal }),
    );
    for (const r of res.Items ?? []) {
      const e = routeEndpoint(r);
      if (e) out.push(e);
    }
    next = res.NextToken;
    if (!next) break;
  }
  return out;
}

/**
 * An HTTP API stage's definition: endpoints from its routes; the OAS 3 document from ExportApi when it
 * answers (optional: its failure only leaves the stage without a stored document).
 */
export async function readV2Definition(
  retry: ThrottleRetry,
  client: ApiGatewayV2Client,
  api: { awsApiId: string; protocolType: string },
  stageName: string,
  routes: ParsedEndpoint[],
  settings: ExportSettings,
): Promise<StageDefinition> {
  let document: StageDefinition['document'] = null;
  if (settings.enabled && api.protocolType === 'HTTP') {
    try {
      const res = await retry.call((abortSignal) =>
        client.send(new ExportApiCommand({ ApiId: api.awsApiId, Specification: 'OAS30', OutputType: 'JSON', StageName: stageName }), { abortSignal }),
      );
      document = documentOf(res.body);
    } catch (err) {
      rethrowIfNotDefinitionFailure(err);
    }
  }
  return { source: 'ROUTES', endpoints: routes, document };
}
