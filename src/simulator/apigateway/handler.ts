import { failure, SimError } from '../errors.ts';
import type { CallContext, ServiceHandler, SimRequest, SimResponse } from '../request.ts';
import * as keys from './keys.ts';
import * as rest from './rest.ts';
import { segments, renderError, toSimError } from './wire.ts';
import * as v2 from './v2.ts';

/**
 * API Gateway's two control-plane APIs on one port. Both SDK clients sign with the scope `apigateway`; the
 * v2 client's paths start with `/v2/`, so they are counted (and can be faulted) as service `apigatewayv2`.
 * Every call of either draws from the same per account × region quota.
 */
type Op = (ctx: CallContext, params: string[]) => SimResponse;

interface Route {
  method: string;
  /** Literal segments, `*` for an id. */
  pattern: string[];
  api: string;
  run: Op;
}

const route = (method: string, path: string, api: string, run: Op): Route => ({ method, pattern: path.split('/').filter((s) => s !== ''), api, run });

const V1: Route[] = [
  route('GET', '/restapis', 'GetRestApis', (c) => rest.getRestApis(c)),
  route('GET', '/restapis/*', 'GetRestApi', (c, [id]) => rest.getRestApi(c, id)),
  route('GET', '/restapis/*/resources', 'GetResources', (c, [id]) => rest.getResources(c, id)),
  route('GET', '/restapis/*/stages', 'GetStages', (c, [id]) => rest.getStages(c, id)),
  route('GET', '/restapis/*/stages/*', 'GetStage', (c, [id, stage]) => rest.getStage(c, id, stage)),
  route('GET', '/restapis/*/stages/*/exports/*', 'GetExport', (c, [id, stage, type]) => rest.getExport(c, id, stage, type)),
  route('GET', '/restapis/*/deployments', 'GetDeployments', (c, [id]) => rest.getDeployments(c, id)),
  route('GET', '/restapis/*/deployments/*', 'GetDeployment', (c, [id, dep]) => rest.getDeployment(c, id, dep)),
  route('GET', '/usageplans', 'GetUsagePlans', (c) => keys.getUsagePlans(c)),
  route('GET', '/usageplans/*', 'GetUsagePlan', (c, [id]) => keys.getUsagePlan(c, id)),
  route('GET', '/usageplans/*/keys', 'GetUsagePlanKeys', (c, [id]) => keys.getUsagePlanKeys(c, id)),
  route('POST', '/usageplans/*/keys', 'CreateUsagePlanKey', (c, [id]) => keys.createUsagePlanKey(c, id)),
  route('DELETE', '/usageplans/*/keys/*', 'DeleteUsagePlanKey', (c, [id, key]) => keys.deleteUsagePlanKey(c, id, key)),
  route('GET', '/usageplans/*/usage', 'GetUsage', (c, [id]) => keys.getUsage(c, id)),
  route('GET', '/apikeys', 'GetApiKeys', (c) => keys.getApiKeys(c)),
  route('POST', '/apikeys', 'CreateApiKey', (c) => keys.createApiKey(c)),
  route('GET', '/apikeys/*', 'GetApiKey', (c, [id]) => keys.getApiKey(c, id)),
  route('PATCH', '/apikeys/*', 'UpdateApiKey', (c, [id]) => keys.updateApiKey(c, id)),
  route('DELETE', '/apikeys/*', 'DeleteApiKey', (c, [id]) => keys.deleteApiKey(c, id)),
];

const V2: Route[] = [
  route('GET', '/v2/apis', 'GetApis', (c) => v2.getApis(c)),
  route('GET', '/v2/apis/*', 'GetApi', (c, [id]) => v2.getApi(c, id)),
  route('GET', '/v2/apis/*/stages', 'GetStages', (c, [id]) => v2.getStages(c, id)),
  route('GET', '/v2/apis/*/routes', 'GetRoutes', (c, [id]) => v2.getRoutes(c, id)),
  route('GET', '/v2/apis/*/exports/*', 'ExportApi', (c, [id, spec]) => v2.exportApi(c, id, spec)),
];

function match(routes: Route[], req: SimRequest): { route: Route; params: string[] } | undefined {
  const parts = segments(req.rawPath);
  for (const r of routes) {
    if (r.method !== req.method || r.pattern.length !== parts.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      if (r.pattern[i] === '*') params.push(parts[i]);
      else ok = r.pattern[i] === parts[i];
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

/** Which of the two API Gateway services a (signed) request is for. */
export const apiGatewayServiceOf = (url: string): 'apigateway' | 'apigatewayv2' => (pathOf(url).startsWith('/v2/') ? 'apigatewayv2' : 'apigateway');

/** An unsigned request to an API Gateway path (answered with its missing-authentication error). */
export const isApiGatewayPath = (url: string): boolean => /^\/(restapis|usageplans|apikeys|v2\/apis)(\/|$)/.test(pathOf(url));

function handlerFor(service: 'apigateway' | 'apigatewayv2', routes: Route[]): ServiceHandler {
  return {
    service,
    operation: (req) => match(routes, req)?.route.api ?? 'Unknown',
    handle(ctx) {
      const found = match(routes, ctx.req);
      if (!found) throw new SimError(404, 'NotFoundException', `Unknown operation ${ctx.req.method} ${ctx.req.rawPath}`);
      // A region the account has not enabled rejects the credentials, as for EC2 and CloudWatch.
      const account = ctx.state.iam.accounts.get(ctx.caller.accountId);
      if (!account || !account.regions.includes(ctx.region)) throw failure(service, 'unknown-key');
      const retryAfter = ctx.state.apigateway.limiter.admit(ctx.caller.accountId, ctx.region, found.route.api);
      if (retryAfter > 0) throw failure(service, 'throttle', {}, { retryAfter: String(retryAfter) });
      try {
        return found.route.run(ctx, found.params);
      } catch (err) {
        throw toSimError(err);
      }
    },
    renderError: (err, requestId) => renderError(err, requestId),
  };
}

export const apigateway = handlerFor('apigateway', V1);
export const apigatewayv2 = handlerFor('apigatewayv2', V2);
