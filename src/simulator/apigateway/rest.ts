import { stringify as toYaml } from 'yaml';
import type { CallContext, SimResponse } from '../request.ts';
import { restExport, type Extensions, type ExportType } from './export.ts';
import type { RestApi, RestDeployment, RestResource, RestStage } from './model.ts';
import { badRequest, notFound } from './store.ts';
import { compact, epochSeconds, json, pageOf, arrayPage, v1Limit, type Json } from './wire.ts';

/** API Gateway v1 reads of REST APIs: GetRestApis/GetRestApi, GetResources, GetStages/GetStage, GetDeployments/GetDeployment, GetExport. */

/** The caller's REST API: another account's or region's id is as unknown as a made-up one. */
export function restApiOf(ctx: CallContext, id: string): RestApi {
  const api = ctx.state.apigateway.scope(ctx.caller.accountId, ctx.region).restApis.get(id);
  if (!api) throw notFound(`Invalid API identifier specified ${ctx.caller.accountId}:${id}`);
  return api;
}

function stageOf(ctx: CallContext, api: RestApi, name: string): RestStage {
  const stage = api.stages.get(name);
  if (!stage) throw notFound(`Invalid stage identifier specified`);
  return stage;
}

export const restApiJson = (api: RestApi): Json =>
  compact({
    id: api.id,
    name: api.name,
    description: api.description,
    createdDate: epochSeconds(api.createdDate),
    version: api.version,
    apiKeySource: api.apiKeySource,
    endpointConfiguration: { types: [api.endpointType], ipAddressType: 'ipv4' },
    tags: Object.keys(api.tags).length > 0 ? api.tags : undefined,
    disableExecuteApiEndpoint: false,
    rootResourceId: api.rootResourceId,
  });

function resourceJson(r: RestResource, embedMethods: boolean): Json {
  const out = compact({ id: r.id, parentId: r.parentId, pathPart: r.pathPart, path: r.path });
  if (r.methods.size > 0) {
    const methods: Json = {};
    for (const m of r.methods.values()) {
      // Without embed=methods AWS lists only which methods exist.
      methods[m.httpMethod] = embedMethods
        ? compact({ httpMethod: m.httpMethod, authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired, operationName: m.operationName })
        : {};
    }
    out.resourceMethods = methods;
  }
  return out;
}

export const stageJson = (s: RestStage): Json =>
  compact({
    deploymentId: s.deploymentId,
    stageName: s.stageName,
    description: s.description,
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    variables: s.variables,
    accessLogSettings: s.accessLogSettings && { format: s.accessLogSettings.format, destinationArn: s.accessLogSettings.destinationArn },
    tracingEnabled: s.tracingEnabled,
    tags: Object.keys(s.tags).length > 0 ? s.tags : undefined,
    createdDate: epochSeconds(s.createdDate),
    lastUpdatedDate: epochSeconds(s.lastUpdatedDate),
  });

function deploymentJson(d: RestDeployment, apiSummary: boolean): Json {
  const out = compact({ id: d.id, description: d.description, createdDate: epochSeconds(d.createdDate) });
  if (apiSummary) {
    const summary: Json = {};
    for (const r of d.resources) {
      if (r.methods.length === 0) continue;
      summary[r.path] = Object.fromEntries(r.methods.map((m) => [m.httpMethod, { authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired }]));
    }
    out.apiSummary = summary;
  }
  return out;
}

/** `embed` arrives as a comma-separated list (the SDK joins the list). */
const embeds = (ctx: CallContext): string[] => (ctx.req.query.get('embed') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');

export function getRestApis(ctx: CallContext): SimResponse {
  const listing = ctx.state.apigateway.scope(ctx.caller.accountId, ctx.region).restApis;
  const page = pageOf(listing, 'restapis', (a) => a.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req));
  return json(ctx.requestId, compact({ item: page.items.map(restApiJson), position: page.next }));
}

export function getRestApi(ctx: CallContext, id: string): SimResponse {
  return json(ctx.requestId, restApiJson(restApiOf(ctx, id)));
}

export function getResources(ctx: CallContext, id: string): SimResponse {
  const api = restApiOf(ctx, id);
  const embed = embeds(ctx).includes('methods');
  const page = arrayPage([...api.resources.values()], `resources/${id}`, (r) => r.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req));
  return json(ctx.requestId, compact({ item: page.items.map((r) => resourceJson(r, embed)), position: page.next }));
}

export function getStages(ctx: CallContext, id: string): SimResponse {
  const api = restApiOf(ctx, id);
  const deploymentId = ctx.req.query.get('deploymentId');
  const stages = [...api.stages.values()].filter((s) => !deploymentId || s.deploymentId === deploymentId);
  return json(ctx.requestId, { item: stages.map(stageJson) });
}

export function getStage(ctx: CallContext, id: string, stageName: string): SimResponse {
  return json(ctx.requestId, stageJson(stageOf(ctx, restApiOf(ctx, id), stageName)));
}

export function getDeployments(ctx: CallContext, id: string): SimResponse {
  const api = restApiOf(ctx, id);
  const page = arrayPage([...api.deployments.values()], `deployments/${id}`, (d) => d.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req));
  return json(ctx.requestId, compact({ item: page.items.map((d) => deploymentJson(d, false)), position: page.next }));
}

export function getDeployment(ctx: CallContext, id: string, deploymentId: string): SimResponse {
  const api = restApiOf(ctx, id);
  const d = api.deployments.get(deploymentId);
  if (!d) throw notFound('Invalid Deployment identifier specified');
  return json(ctx.requestId, deploymentJson(d, embeds(ctx).includes('apisummary')));
}

const EXTENSIONS: readonly Extensions[] = ['integrations', 'apigateway', 'authorizers', 'postman'];

/** GetExport: the stage's deployed definition (a snapshot taken at deployment), JSON or YAML per `Accept`. */
export function getExport(ctx: CallContext, id: string, stageName: string, exportType: string): SimResponse {
  const api = restApiOf(ctx, id);
  const stage = stageOf(ctx, api, stageName);
  if (exportType !== 'oas30' && exportType !== 'swagger') throw badRequest(`Invalid export type ${exportType}: use oas30 or swagger`);
  const ext = ctx.req.query.get('extensions');
  if (ext !== undefined && !EXTENSIONS.includes(ext as Extensions)) throw badRequest(`Invalid extensions ${ext}`);
  const accept = String(ctx.req.headers.accept ?? 'application/json');
  const yaml = accept.includes('yaml');
  if (!yaml && !accept.includes('json') && !accept.includes('*/*')) throw badRequest(`Unsupported Accept ${accept}: use application/json or application/yaml`);
  const deployment = api.deployments.get(stage.deploymentId) as RestDeployment;
  const doc = restExport({
    kind: exportType as ExportType,
    extensions: (ext as Extensions | undefined) ?? 'none',
    apiId: api.id,
    region: api.region,
    stage,
    deployment,
    upperCaseMethods: api.upperCaseExportMethods,
  });
  const fileKind = exportType === 'oas30' ? 'oas30' : 'swagger';
  return {
    status: 200,
    headers: {
      'content-type': yaml ? 'application/yaml' : 'application/json',
      'content-disposition': `attachment; filename="${fileKind}_${stage.stageName}.${yaml ? 'yaml' : 'json'}"`,
      'x-amzn-requestid': ctx.requestId,
    },
    body: yaml ? toYaml(doc) : JSON.stringify(doc, null, 2),
  };
}
