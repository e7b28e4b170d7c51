import type { SimResponse } from '../request.ts';
import type { ApiGatewayAdmin } from './admin.ts';
import type { ApiKey, RestApi, UsagePlan, V2Api } from './model.ts';

/**
 * The admin HTTP routes of the simulated API Gateway, under `/_simulator/apigateway/…` (see README.md).
 * `route` is `<METHOD> <path after /_simulator>`; answers undefined for a route that is not ours. Errors are
 * thrown and answered 400 by the admin dispatcher.
 */
type Json = Record<string, unknown>;

const ok = (value: unknown): SimResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

function each(body: unknown, fn: (item: Json) => unknown): unknown {
  if (Array.isArray(body)) return body.map((b) => fn(b as Json));
  return fn((body ?? {}) as Json);
}

export const restApiSummary = (a: RestApi): Json => ({
  id: a.id,
  accountId: a.accountId,
  region: a.region,
  name: a.name,
  rootResourceId: a.rootResourceId,
  resources: [...a.byPath.values()].map((r) => ({ id: r.id, path: r.path, methods: [...r.methods.keys()] })),
  deployments: [...a.deployments.keys()],
  stages: [...a.stages.values()].map((s) => ({ name: s.stageName, deploymentId: s.deploymentId, accessLogSettings: s.accessLogSettings })),
});

export const v2ApiSummary = (a: V2Api): Json => ({
  apiId: a.apiId,
  accountId: a.accountId,
  region: a.region,
  name: a.name,
  protocolType: a.protocolType,
  routes: [...a.routes.values()].map((r) => ({ routeId: r.routeId, routeKey: r.routeKey })),
  stages: [...a.stages.values()].map((s) => ({ name: s.stageName, deploymentId: s.deploymentId, autoDeploy: s.autoDeploy, accessLogSettings: s.accessLogSettings })),
});

const planSummary = (p: UsagePlan): Json => ({ id: p.id, accountId: p.accountId, region: p.region, name: p.name, apiStages: p.apiStages, keyIds: [...p.keyIds] });
const keySummary = (k: ApiKey): Json => ({ id: k.id, accountId: k.accountId, region: k.region, name: k.name, value: k.value, enabled: k.enabled, tags: k.tags });

export function handleApiGatewayAdmin(admin: ApiGatewayAdmin, route: string, body: unknown, query: URLSearchParams): SimResponse | undefined {
  const b = (body ?? {}) as Json;
  const s = (v: unknown): string => String(v ?? '');
  const optional = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
  switch (route) {
    case 'POST /apigateway/restapis':
      return ok(each(body, (i) => restApiSummary(admin.createRestApi(i as never))));
    case 'POST /apigateway/restapis/seed':
      return ok(each(body, (i) => ({ ids: admin.seedRestApis(i as never).map((a) => a.id) })));
    case 'POST /apigateway/restapis/resources':
      return ok(each(body, (i) => {
        const r = admin.addResource(i as never);
        return { id: r.id, path: r.path, methods: [...r.methods.keys()] };
      }));
    case 'POST /apigateway/restapis/deploy':
      return ok(each(body, (i) => ({ deploymentId: admin.deployRestApi(i as never).id })));
    case 'POST /apigateway/restapis/stages':
      return ok(each(body, (i) => admin.putRestStage(i as never)));
    case 'POST /apigateway/restapis/delete':
      return ok({ deleted: admin.deleteRestApi(s(b.restApiId)) });
    case 'GET /apigateway/restapis':
      return ok([...admin.restApisOf(s(query.get('accountId')), s(query.get('region')))].map(restApiSummary));

    case 'POST /apigateway/v2apis':
      return ok(each(body, (i) => v2ApiSummary(admin.createV2Api(i as never))));
    case 'POST /apigateway/v2apis/routes':
      return ok(each(body, (i) => admin.addRoute(i as never)));
    case 'POST /apigateway/v2apis/deploy':
      return ok(each(body, (i) => ({ deploymentId: admin.deployV2Api(i as never) })));
    case 'POST /apigateway/v2apis/stages':
      return ok(each(body, (i) => admin.putV2Stage(i as never)));
    case 'POST /apigateway/v2apis/delete':
      return ok({ deleted: admin.deleteV2Api(s(b.apiId)) });
    case 'GET /apigateway/v2apis':
      return ok([...admin.v2ApisOf(s(query.get('accountId')), s(query.get('region')))].map(v2ApiSummary));

    case 'POST /apigateway/usageplans':
      return ok(each(body, (i) => planSummary(admin.createUsagePlan(i as never))));
    case 'POST /apigateway/usageplans/keys':
      admin.addUsagePlanKey(s(b.usagePlanId), s(b.keyId));
      return ok(planSummary(admin.usagePlan(s(b.usagePlanId))));
    case 'POST /apigateway/usageplans/keys/delete':
      admin.removeUsagePlanKey(s(b.usagePlanId), s(b.keyId));
      return ok(planSummary(admin.usagePlan(s(b.usagePlanId))));
    case 'POST /apigateway/usage':
      return ok(each(body, (i) => {
        admin.recordUsage(i as never);
        return { recorded: true };
      }));
    case 'POST /apigateway/apikeys':
      return ok(each(body, (i) => keySummary(admin.createApiKey(i as never))));
    case 'POST /apigateway/apikeys/enabled':
      if (typeof b.enabled !== 'boolean') throw new Error('enabled must be a boolean');
      return ok(keySummary(admin.setApiKeyEnabled(s(b.keyId), b.enabled)));
    case 'POST /apigateway/apikeys/delete':
      admin.deleteApiKey(s(b.keyId));
      return ok({ deleted: s(b.keyId) });
    case 'GET /apigateway/apikeys':
      return ok(admin.apiKeys(s(query.get('accountId')), s(query.get('region'))).map(keySummary));

    case 'POST /apigateway/invoke':
      return ok(admin.invoke({ restApiId: s(b.restApiId), stage: s(b.stage), apiKey: s(b.apiKey), method: optional(b.method), path: optional(b.path) }));

    case 'GET /apigateway/limits':
      return ok(admin.limits);
    case 'POST /apigateway/limits':
      return ok(b.reset === true ? admin.resetLimits() : admin.setLimits(b as never));
  }
  return undefined;
}
