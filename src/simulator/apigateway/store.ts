import { badRequest, conflict, limitExceeded, notFound } from './api-errors.ts';
import { addResourceTo, addRouteTo, deployRest, deployV2, latest, pointV2Stage, putRestStage, unusedId } from './drafts.ts';
import type {
  CreateApiKeyInput,
  CreateRestApiInput,
  CreateUsagePlanInput,
  CreateV2ApiInput,
  ResourceInput,
  SeedRestApisInput,
  StageInput,
  V2RouteInput,
  V2StageInput,
} from './inputs.ts';
import { RateLimiter } from './limits.ts';
import { Listing } from './listing.ts';
import {
  newApiId,
  newApiKeyValue,
  newShortId,
  type ApiKey,
  type RestApi,
  type RestDeployment,
  type RestResource,
  type RestStage,
  type UsagePlan,
  type V2Api,
  type V2Route,
  type V2Stage,
} from './model.ts';

/** AWS's quota of API keys per account and region (it cannot be raised past this by default). */
export const MAX_API_KEYS_PER_REGION = 10_000;

/** One account × region of API Gateway: what a caller there can see. */
export class RegionScope {
  readonly restApis = new Listing<RestApi>();
  readonly v2Apis = new Listing<V2Api>();
  readonly usagePlans = new Listing<UsagePlan>();
  readonly apiKeys = new Listing<ApiKey>();
}

/** Every API, plan and key of every account and region, plus global id indexes for the admin calls. */
export class ApiGatewayStore {
  /** The control-plane quotas every call draws from. */
  readonly limiter = new RateLimiter();
  private readonly scopes = new Map<string, RegionScope>();
  private readonly restById = new Map<string, RestApi>();
  private readonly v2ById = new Map<string, V2Api>();
  private readonly planById = new Map<string, UsagePlan>();
  private readonly keyById = new Map<string, ApiKey>();

  scope(accountId: string, region: string): RegionScope {
    const k = `${accountId}|${region}`;
    let s = this.scopes.get(k);
    if (!s) {
      s = new RegionScope();
      this.scopes.set(k, s);
    }
    return s;
  }

  /** Counts for the admin state endpoint. */
  counts(): { restApis: number; v2Apis: number; usagePlans: number; apiKeys: number } {
    return { restApis: this.restById.size, v2Apis: this.v2ById.size, usagePlans: this.planById.size, apiKeys: this.keyById.size };
  }

  // ---- REST APIs (v1) ---------------------------------------------------------------------------------

  restApi(id: string): RestApi {
    const api = this.restById.get(id);
    if (!api) throw notFound(`Invalid API identifier specified ${id}`);
    return api;
  }

  createRestApi(input: CreateRestApiInput, now: number): RestApi {
    const id = input.id ?? unusedId(this.restById, newApiId);
    if (this.restById.has(id)) throw conflict(`REST API ${id} already exists`);
    const root: RestResource = { id: newApiId(), path: '/', methods: new Map() };
    const api: RestApi = {
      id,
      accountId: input.accountId,
      region: input.region,
      name: input.name,
      description: input.description,
      version: input.version,
      createdDate: now,
      endpointType: input.endpointType ?? 'REGIONAL',
      apiKeySource: 'HEADER',
      tags: { ...(input.tags ?? {}) },
      rootResourceId: root.id,
      upperCaseExportMethods: input.upperCaseExportMethods,
      resources: new Map([[root.id, root]]),
      byPath: new Map([['/', root]]),
      deployments: new Map(),
      stages: new Map(),
    };
    for (const r of input.resources ?? []) addResourceTo(api, r);
    this.restById.set(id, api);
    this.scope(api.accountId, api.region).restApis.set(id, api);
    const stages = (input.stages ?? []).map((s) => (typeof s === 'string' ? { name: s } : s));
    if (stages.length > 0) {
      const deployment = deployRest(api, now, 'initial deployment');
      for (const s of stages) putRestStage(api, s, deployment.id, now);
    }
    return api;
  }

  /** Many small REST APIs at once: `/` and `/items/{id}` (GET, POST with an API key), one deployment, the stages. */
  seedRestApis(input: SeedRestApisInput, now: number): RestApi[] {
    const apis: RestApi[] = [];
    const prefix = input.namePrefix ?? 'api';
    const stages = (input.stages ?? ['prod']).map((name) => ({ name, accessLogSettings: input.accessLogSettings }));
    for (let i = 0; i < input.count; i++) {
      apis.push(
        this.createRestApi(
          {
            accountId: input.accountId,
            region: input.region,
            name: `${prefix}-${String(i).padStart(5, '0')}`,
            resources: [{ path: '/items/{id}', methods: ['GET', { httpMethod: 'POST', apiKeyRequired: true }] }],
            stages,
          },
          now,
        ),
      );
    }
    return apis;
  }

  addResource(restApiId: string, input: ResourceInput): RestResource {
    return addResourceTo(this.restApi(restApiId), input);
  }

  /** A new deployment of the current resources; `stageName` (created if missing) then points at it. */
  deployRestApi(restApiId: string, now: number, input: { stageName?: string; description?: string; stage?: Omit<StageInput, 'name'> } = {}): RestDeployment {
    const api = this.restApi(restApiId);
    const deployment = deployRest(api, now, input.description);
    if (input.stageName) putRestStage(api, { name: input.stageName, ...(input.stage ?? {}) }, deployment.id, now);
    return deployment;
  }

  /** Creates or changes a stage (access-log settings, tags…); `deploymentId` defaults to the latest deployment. */
  putRestStage(restApiId: string, input: StageInput & { deploymentId?: string }, now: number): RestStage {
    const api = this.restApi(restApiId);
    const deploymentId = input.deploymentId ?? api.stages.get(input.name)?.deploymentId ?? latest(api.deployments)?.id;
    if (!deploymentId || !api.deployments.has(deploymentId)) throw badRequest('Invalid deployment identifier specified');
    return putRestStage(api, input, deploymentId, now);
  }

  deleteRestApi(restApiId: string): boolean {
    const api = this.restById.get(restApiId);
    if (!api) return false;
    this.restById.delete(restApiId);
    this.scope(api.accountId, api.region).restApis.delete(restApiId);
    for (const plan of this.scope(api.accountId, api.region).usagePlans.values()) {
      plan.apiStages = plan.apiStages.filter((s) => s.apiId !== restApiId);
    }
    return true;
  }

  // ---- HTTP and WebSocket APIs (v2) -------------------------------------------------------------------

  v2Api(id: string): V2Api {
    const api = this.v2ById.get(id);
    if (!api) throw notFound(`Invalid API identifier specified ${id}`);
    return api;
  }

  createV2Api(input: CreateV2ApiInput, now: number): V2Api {
    if (input.protocolType !== 'HTTP' && input.protocolType !== 'WEBSOCKET') throw badRequest('protocolType must be HTTP or WEBSOCKET');
    const apiId = input.id ?? unusedId(this.v2ById, newApiId);
    if (this.v2ById.has(apiId) || this.restById.has(apiId)) throw conflict(`API ${apiId} already exists`);
    const api: V2Api = {
      apiId,
      accountId: input.accountId,
      region: input.region,
      name: input.name,
      protocolType: input.protocolType,
      routeSelectionExpression: input.routeSelectionExpression ?? (input.protocolType === 'HTTP' ? '${request.method} ${request.path}' : '$request.body.action'),
      description: input.description,
      version: input.version,
      createdDate: now,
      tags: { ...(input.tags ?? {}) },
      routes: new Map(),
      deployments: new Map(),
      stages: new Map(),
    };
    for (const r of input.routes ?? []) addRouteTo(api, typeof r === 'string' ? { routeKey: r } : r);
    this.v2ById.set(apiId, api);
    this.scope(api.accountId, api.region).v2Apis.set(apiId, api);
    for (const s of input.stages ?? []) this.putV2Stage(apiId, typeof s === 'string' ? { name: s } : s, now);
    return api;
  }

  addRoute(apiId: string, input: V2RouteInput, now: number): V2Route {
    const api = this.v2Api(apiId);
    const route = addRouteTo(api, input);
    // Auto-deploying stages pick up every change at once, as AWS does.
    for (const stage of api.stages.values()) if (stage.autoDeploy) pointV2Stage(api, stage, deployV2(api, now).id, now);
    return route;
  }

  deployV2Api(apiId: string, now: number, stageName?: string): string {
    const api = this.v2Api(apiId);
    const deployment = deployV2(api, now);
    if (stageName) {
      const stage = api.stages.get(stageName) ?? this.putV2Stage(apiId, { name: stageName }, now);
      pointV2Stage(api, stage, deployment.id, now);
    }
    return deployment.id;
  }

  putV2Stage(apiId: string, input: V2StageInput, now: number): V2Stage {
    const api = this.v2Api(apiId);
    const existing = api.stages.get(input.name);
    const stage: V2Stage = {
      stageName: input.name,
      deploymentId: existing?.deploymentId,
      autoDeploy: input.autoDeploy ?? existing?.autoDeploy ?? (api.protocolType === 'HTTP' && input.name === '$default'),
      description: input.description ?? existing?.description,
      accessLogSettings: input.accessLogSettings ?? existing?.accessLogSettings,
      tags: { ...(existing?.tags ?? {}), ...(input.tags ?? {}) },
      createdDate: existing?.createdDate ?? now,
      lastUpdatedDate: now,
    };
    api.stages.set(stage.stageName, stage);
    if (!stage.deploymentId) pointV2Stage(api, stage, deployV2(api, now).id, now);
    return stage;
  }

  deleteV2Api(apiId: string): boolean {
    const api = this.v2ById.get(apiId);
    if (!api) return false;
    this.v2ById.delete(apiId);
    this.scope(api.accountId, api.region).v2Apis.delete(apiId);
    return true;
  }

  // ---- usage plans and API keys -----------------------------------------------------------------------

  usagePlan(accountId: string, region: string, id: string): UsagePlan {
    const plan = this.scope(accountId, region).usagePlans.get(id);
    if (!plan) throw notFound(`Invalid Usage Plan ID specified`);
    return plan;
  }

  apiKey(accountId: string, region: string, id: string): ApiKey {
    const key = this.scope(accountId, region).apiKeys.get(id);
    if (!key) throw notFound('Invalid API Key identifier specified');
    return key;
  }

  createUsagePlan(input: CreateUsagePlanInput): UsagePlan {
    const id = input.id ?? unusedId(this.planById, newShortId);
    if (this.planById.has(id)) throw conflict(`Usage plan ${id} already exists`);
    for (const ref of input.apiStages ?? []) {
      const api = this.restById.get(ref.apiId);
      if (!api || api.accountId !== input.accountId || api.region !== input.region || !api.stages.has(ref.stage)) {
        throw badRequest(`Invalid stage identifier specified: ${ref.apiId}/${ref.stage}`);
      }
    }
    const plan: UsagePlan = {
      id,
      accountId: input.accountId,
      region: input.region,
      name: input.name,
      description: input.description,
      apiStages: (input.apiStages ?? []).map((s) => ({ apiId: s.apiId, stage: s.stage })),
      throttle: input.throttle,
      quota: input.quota && { limit: input.quota.limit, offset: input.quota.offset ?? 0, period: input.quota.period },
      tags: { ...(input.tags ?? {}) },
      keyIds: new Set(),
      usage: new Map(),
    };
    this.planById.set(id, plan);
    this.scope(plan.accountId, plan.region).usagePlans.set(id, plan);
    return plan;
  }

  createApiKey(input: CreateApiKeyInput, now: number): ApiKey {
    const scope = this.scope(input.accountId, input.region);
    if (scope.apiKeys.size >= MAX_API_KEYS_PER_REGION) throw limitExceeded(`API keys per account and region are limited to ${MAX_API_KEYS_PER_REGION}`);
    if (input.value !== undefined) {
      if (input.value.length < 20 || input.value.length > 128) throw badRequest('API Key value should be at least 20 characters and at most 128 characters');
      for (const k of scope.apiKeys.values()) if (k.value === input.value) throw conflict('API Key already exists');
    }
    const id = unusedId(this.keyById, newApiId);
    const key: ApiKey = {
      id,
      accountId: input.accountId,
      region: input.region,
      value: input.value ?? newApiKeyValue(),
      name: input.name ?? id,
      description: input.description,
      customerId: input.customerId,
      // AWS creates keys disabled unless asked otherwise.
      enabled: input.enabled ?? false,
      createdDate: now,
      lastUpdatedDate: now,
      tags: { ...(input.tags ?? {}) },
    };
    this.keyById.set(id, key);
    scope.apiKeys.set(id, key);
    return key;
  }

  /** Deletes a key and takes it out of every usage plan. */
  deleteApiKey(accountId: string, region: string, id: string): void {
    const key = this.apiKey(accountId, region, id);
    const scope = this.scope(accountId, region);
    scope.apiKeys.delete(id);
    this.keyById.delete(id);
    for (const plan of scope.usagePlans.values()) plan.keyIds.delete(key.id);
  }

  /** Adds a key to a plan: unknown plan or key → NotFound; already in it, or in another plan for the same stage → Conflict. */
  addUsagePlanKey(accountId: string, region: string, planId: string, keyId: string): { plan: UsagePlan; key: ApiKey } {
    const plan = this.usagePlan(accountId, region, planId);
    const key = this.apiKey(accountId, region, keyId);
    if (plan.keyIds.has(keyId)) throw conflict(`Usage Plan ${planId} already contains API Key ${keyId}`);
    for (const other of this.scope(accountId, region).usagePlans.values()) {
      if (other === plan || !other.keyIds.has(keyId)) continue;
      if (other.apiStages.some((a) => plan.apiStages.some((b) => a.apiId === b.apiId && a.stage === b.stage))) {
        throw conflict(`API Key ${keyId} cannot reference multiple Usage Plans with the same API Stage`);
      }
    }
    plan.keyIds.add(keyId);
    return { plan, key };
  }

  removeUsagePlanKey(accountId: string, region: string, planId: string, keyId: string): void {
    const plan = this.usagePlan(accountId, region, planId);
    if (!plan.keyIds.delete(keyId)) throw notFound('Invalid Usage Plan Key identifier specified');
  }

  /** Requests a key made on a day (`YYYY-MM-DD`) under a plan, as GetUsage reports them. */
  recordUsage(planId: string, keyId: string, day: string, requests: number): void {
    const plan = this.planById.get(planId);
    if (!plan) throw notFound('Invalid Usage Plan ID specified');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw badRequest('day must be YYYY-MM-DD');
    let days = plan.usage.get(keyId);
    if (!days) plan.usage.set(keyId, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + requests);
  }

  /**
   * What API Gateway's data plane decides for one request with `x-api-key: <value>` to a REST API stage: the key
   * must exist in the API's account and region, be enabled, and be in a usage plan covering the stage (else AWS
   * answers 403 `Forbidden`). An admitted request counts for `day` in GetUsage.
   */
  invoke(restApiId: string, stage: string, value: string, day: string): { status: 200; usagePlanId: string; keyId: string } | { status: 403; message: string } {
    const api = this.restApi(restApiId);
    if (!api.stages.has(stage)) throw notFound(`Invalid stage identifier specified`);
    const scope = this.scope(api.accountId, api.region);
    const key = [...scope.apiKeys.values()].find((k) => k.value === value);
    const plan = key?.enabled ? [...scope.usagePlans.values()].find((p) => p.keyIds.has(key.id) && p.apiStages.some((s) => s.apiId === restApiId && s.stage === stage)) : undefined;
    if (!key || !plan) return { status: 403, message: 'Forbidden' };
    this.recordUsage(plan.id, key.id, day, 1);
    return { status: 200, usagePlanId: plan.id, keyId: key.id };
  }

  /** A plan or key by id, whatever its account (admin calls). */
  planOf(id: string): UsagePlan {
    const plan = this.planById.get(id);
    if (!plan) throw notFound('Invalid Usage Plan ID specified');
    return plan;
  }

  keyOf(id: string): ApiKey {
    const key = this.keyById.get(id);
    if (!key) throw notFound('Invalid API Key identifier specified');
    return key;
  }
}
