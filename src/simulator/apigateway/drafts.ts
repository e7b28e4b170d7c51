import { newRouteId, newShortId, type RestApi, type RestDeployment, type RestMethod, type RestResource, type RestStage, type V2Api, type V2Route, type V2Stage } from './model.ts';
import type { MethodInput, ResourceInput, StageInput, V2RouteInput } from './inputs.ts';
import { badRequest, conflict } from './api-errors.ts';

/**
 * Changes to one API's draft, deployments and stages: resources and methods (v1), routes (v2), deployments
 * as snapshots of the draft, stages pointing at a deployment.
 */

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);

export function unusedId(taken: Map<string, unknown>, make: () => string): string {
  let id = make();
  while (taken.has(id)) id = make();
  return id;
}

export function latest<T extends { createdDate: number }>(items: Map<string, T>): T | undefined {
  let best: T | undefined;
  for (const item of items.values()) best = item; // insertion order is creation order
  return best;
}

function methodOf(input: MethodInput | string): RestMethod {
  const m = typeof input === 'string' ? { httpMethod: input } : input;
  const httpMethod = m.httpMethod.toUpperCase();
  if (!HTTP_METHODS.has(httpMethod)) throw badRequest(`Invalid HTTP method ${m.httpMethod}`);
  return { httpMethod, authorizationType: m.authorizationType ?? 'NONE', apiKeyRequired: m.apiKeyRequired ?? false, operationName: m.operationName };
}

/** Adds the resource at `path` (and any missing parent) and its methods; an existing resource gains the methods. */
export function addResourceTo(api: RestApi, input: ResourceInput): RestResource {
  if (!input.path.startsWith('/')) throw badRequest(`Resource path must start with /: ${input.path}`);
  let parent = api.byPath.get('/') as RestResource;
  for (const part of input.path.split('/').filter((p) => p !== '')) {
    if (!/^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._~:@!$&'()*+,;=-]+)$/.test(part)) throw badRequest(`Invalid resource path part ${part}`);
    const path = parent.path === '/' ? `/${part}` : `${parent.path}/${part}`;
    let child = api.byPath.get(path);
    if (!child) {
      child = { id: newShortId(), parentId: parent.id, pathPart: part, path, methods: new Map() };
      api.resources.set(child.id, child);
      api.byPath.set(path, child);
    }
    parent = child;
  }
  for (const m of input.methods ?? []) {
    const method = methodOf(m);
    parent.methods.set(method.httpMethod, method);
  }
  return parent;
}

export function deployRest(api: RestApi, now: number, description?: string): RestDeployment {
  const deployment: RestDeployment = {
    id: unusedId(api.deployments, newShortId),
    description,
    createdDate: now,
    apiName: api.name,
    apiDescription: api.description,
    resources: [...api.byPath.values()].map((r) => ({ path: r.path, methods: [...r.methods.values()].map((m) => ({ ...m })) })),
  };
  api.deployments.set(deployment.id, deployment);
  return deployment;
}

export function putRestStage(api: RestApi, input: StageInput, deploymentId: string, now: number): RestStage {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(input.name)) throw badRequest(`Stage name only allows a-zA-Z0-9_-: ${input.name}`);
  const existing = api.stages.get(input.name);
  const stage: RestStage = {
    stageName: input.name,
    deploymentId,
    description: input.description ?? existing?.description,
    accessLogSettings: input.accessLogSettings ?? existing?.accessLogSettings,
    variables: input.variables ?? existing?.variables,
    tracingEnabled: existing?.tracingEnabled ?? false,
    tags: { ...(existing?.tags ?? {}), ...(input.tags ?? {}) },
    createdDate: existing?.createdDate ?? now,
    lastUpdatedDate: now,
  };
  api.stages.set(stage.stageName, stage);
  return stage;
}

export function addRouteTo(api: V2Api, input: V2RouteInput): V2Route {
  const key = input.routeKey;
  if (api.protocolType === 'HTTP' && key !== '$default' && !/^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$/.test(key)) {
    throw badRequest(`Invalid route key ${key}: use "<METHOD> /path" or $default`);
  }
  for (const r of api.routes.values()) if (r.routeKey === key) throw conflict(`Route with key ${key} already exists for this API`);
  const route: V2Route = {
    routeId: unusedId(api.routes, newRouteId),
    routeKey: key,
    authorizationType: input.authorizationType ?? 'NONE',
    apiKeyRequired: input.apiKeyRequired ?? false,
    operationName: input.operationName,
    target: input.target,
  };
  api.routes.set(route.routeId, route);
  return route;
}

export function deployV2(api: V2Api, now: number): { id: string } {
  const id = unusedId(api.deployments, newShortId);
  api.deployments.set(id, { id, createdDate: now, routes: [...api.routes.values()].map((r) => ({ ...r })) });
  return { id };
}

export function pointV2Stage(api: V2Api, stage: V2Stage, deploymentId: string, now: number): void {
  stage.deploymentId = deploymentId;
  stage.lastUpdatedDate = now;
  api.stages.set(stage.stageName, stage);
}
