import { stringify as toYaml } from 'yaml';
import type { CallContext, SimResponse } from '../request.ts';
import { httpApiExport } from './export.ts';
import type { V2Api, V2Route, V2Stage } from './model.ts';
import { badRequest, notFound } from './store.ts';
import { arrayPage, compact, isoDate, json, pageOf, v2Limit, type Json } from './wire.ts';

/** API Gateway v2 (HTTP and WebSocket APIs): GetApis, GetApi, GetStages, GetRoutes, ExportApi. */

function apiOf(ctx: CallContext, apiId: string): V2Api {
  const api = ctx.state.apigateway.scope(ctx.caller.accountId, ctx.region).v2Apis.get(apiId);
  if (!api) throw notFound(`Invalid API identifier specified ${ctx.caller.accountId}:${apiId}`);
  return api;
}

export const v2ApiJson = (a: V2Api): Json =>
  compact({
    apiEndpoint: a.protocolType === 'HTTP' ? `https://${a.apiId}.execute-api.${a.region}.amazonaws.com` : `wss://${a.apiId}.execute-api.${a.region}.amazonaws.com`,
    apiId: a.apiId,
    apiKeySelectionExpression: '$request.header.x-api-key',
    createdDate: isoDate(a.createdDate),
    description: a.description,
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    name: a.name,
    protocolType: a.protocolType,
    routeSelectionExpression: a.routeSelectionExpression,
    tags: a.tags,
    version: a.version,
  });

const stageJson = (s: V2Stage): Json =>
  compact({
    accessLogSettings: s.accessLogSettings && { destinationArn: s.accessLogSettings.destinationArn, format: s.accessLogSettings.format },
    apiGatewayManaged: false,
    autoDeploy: s.autoDeploy,
    createdDate: isoDate(s.createdDate),
    defaultRouteSettings: { detailedMetricsEnabled: false },
    deploymentId: s.deploymentId,
    description: s.description,
    lastUpdatedDate: isoDate(s.lastUpdatedDate),
    routeSettings: {},
    stageName: s.stageName,
    stageVariables: {},
    tags: s.tags,
  });

const routeJson = (r: V2Route): Json =>
  compact({
    apiGatewayManaged: false,
    apiKeyRequired: r.apiKeyRequired,
    authorizationType: r.authorizationType,
    operationName: r.operationName,
    routeId: r.routeId,
    routeKey: r.routeKey,
    target: r.target,
  });

export function getApis(ctx: CallContext): SimResponse {
  const listing = ctx.state.apigateway.scope(ctx.caller.accountId, ctx.region).v2Apis;
  const page = pageOf(listing, 'v2apis', (a) => a.apiId, ctx.req.query.get('nextToken'), 'nextToken', v2Limit(ctx.req));
  return json(ctx.requestId, compact({ items: page.items.map(v2ApiJson), nextToken: page.next }));
}

export function getApi(ctx: CallContext, apiId: string): SimResponse {
  return json(ctx.requestId, v2ApiJson(apiOf(ctx, apiId)));
}

export function getStages(ctx: CallContext, apiId: string): SimResponse {
  const api = apiOf(ctx, apiId);
  const page = arrayPage([...api.stages.values()], `v2stages/${apiId}`, (s) => s.stageName, ctx.req.query.get('nextToken'), 'nextToken', v2Limit(ctx.req));
  return json(ctx.requestId, compact({ items: page.items.map(stageJson), nextToken: page.next }));
}

export function getRoutes(ctx: CallContext, apiId: string): SimResponse {
  const api = apiOf(ctx, apiId);
  const page = arrayPage([...api.routes.values()], `v2routes/${apiId}`, (r) => r.routeId, ctx.req.query.get('nextToken'), 'nextToken', v2Limit(ctx.req));
  return json(ctx.requestId, compact({ items: page.items.map(routeJson), nextToken: page.next }));
}

/**
 * ExportApi (OAS30 only, JSON or YAML): with `stageName` the routes of that stage's deployment, without it the
 * current routes. WebSocket APIs cannot be exported.
 */
export function exportApi(ctx: CallContext, apiId: string, specification: string): SimResponse {
  const api = apiOf(ctx, apiId);
  if (specification !== 'OAS30') throw badRequest(`Invalid specification ${specification}: must be OAS30`);
  const outputType = ctx.req.query.get('outputType');
  if (outputType !== 'JSON' && outputType !== 'YAML') throw badRequest('outputType must be JSON or YAML');
  const exportVersion = ctx.req.query.get('exportVersion');
  if (exportVersion !== undefined && exportVersion !== '1.0') throw badRequest('exportVersion must be 1.0');
  if (api.protocolType !== 'HTTP') throw badRequest('Exporting WebSocket APIs is not supported');
  const stageName = ctx.req.query.get('stageName');
  let routes = [...api.routes.values()];
  if (stageName !== undefined) {
    const stage = api.stages.get(stageName);
    if (!stage) throw notFound(`Invalid stage identifier specified ${stageName}`);
    routes = stage.deploymentId ? (api.deployments.get(stage.deploymentId)?.routes ?? []) : [];
  }
  const doc = httpApiExport(api, routes, api.region, stageName, ctx.req.query.get('includeExtensions') !== 'false');
  return {
    status: 200,
    headers: { 'content-type': outputType === 'YAML' ? 'application/yaml' : 'application/json', 'x-amzn-requestid': ctx.requestId },
    body: outputType === 'YAML' ? toYaml(doc) : JSON.stringify(doc),
  };
}
