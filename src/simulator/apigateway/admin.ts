import { randomUUID } from 'node:crypto';
import type { SimState } from '../state.ts';
import { accessLogStreamName, matchResource, renderAccessLogLine } from './accessLogLine.ts';
import type { ApiGatewayLimits } from './limits.ts';
import type { ApiKey, RestApi, RestDeployment, RestResource, RestStage, UsagePlan, V2Api, V2Route, V2Stage } from './model.ts';
import type {
  CreateApiKeyInput,
  CreateRestApiInput,
  CreateUsagePlanInput,
  CreateV2ApiInput,
  MethodInput,
  SeedRestApisInput,
  StageInput,
  V2RouteInput,
  V2StageInput,
} from './inputs.ts';

/**
 * The in-process admin API of the simulated API Gateway (`sim.apigateway`): create and change APIs, stages,
 * deployments, usage plans and keys behind the back of the AWS API, and tune the quotas. Every API belongs
 * to the account (created if missing) and region given.
 */
export class ApiGatewayAdmin {
  constructor(
    private readonly state: SimState,
    private readonly now: () => number,
  ) {}

  private get store() {
    return this.state.apigateway;
  }

  // ---- REST APIs --------------------------------------------------------------------------------------

  /** A REST API with resources/methods; `stages` are created on a first deployment. */
  createRestApi(input: CreateRestApiInput): RestApi {
    this.state.iam.ensureAccount(input.accountId);
    return this.store.createRestApi(input, this.now());
  }

  /** `count` small REST APIs (`/items/{id}` GET and POST, deployed to `stages`, default `prod`). */
  seedRestApis(input: SeedRestApisInput): RestApi[] {
    this.state.iam.ensureAccount(input.accountId);
    return this.store.seedRestApis(input, this.now());
  }

  /** Adds a resource (and missing parents) with methods to the draft; deploy to make it visible in exports. */
  addResource(input: { restApiId: string; path: string; methods?: Array<MethodInput | string> }): RestResource {
    return this.store.addResource(input.restApiId, input);
  }

  /** A new deployment of the current draft; with `stageName` that stage (created if missing) points at it. */
  deployRestApi(input: { restApiId: string; stageName?: string; description?: string }): RestDeployment {
    return this.store.deployRestApi(input.restApiId, this.now(), input);
  }

  /** Creates or changes a stage (access-log settings, tags, variables); keeps its deployment unless given. */
  putRestStage(input: StageInput & { restApiId: string; deploymentId?: string }): RestStage {
    return this.store.putRestStage(input.restApiId, input, this.now());
  }

  deleteRestApi(restApiId: string): boolean {
    return this.store.deleteRestApi(restApiId);
  }

  restApi(restApiId: string): RestApi {
    return this.store.restApi(restApiId);
  }

  // ---- HTTP and WebSocket APIs ------------------------------------------------------------------------

  createV2Api(input: CreateV2ApiInput): V2Api {
    this.state.iam.ensureAccount(input.accountId);
    return this.store.createV2Api(input, this.now());
  }

  createHttpApi(input: Omit<CreateV2ApiInput, 'protocolType'>): V2Api {
    return this.createV2Api({ ...input, protocolType: 'HTTP' });
  }

  createWebSocketApi(input: Omit<CreateV2ApiInput, 'protocolType'>): V2Api {
    return this.createV2Api({ ...input, protocolType: 'WEBSOCKET' });
  }

  /** Adds a route; auto-deploying stages are redeployed at once. */
  addRoute(input: V2RouteInput & { apiId: string }): V2Route {
    return this.store.addRoute(input.apiId, input, this.now());
  }

  /** A new deployment of the current routes; with `stageName` that stage points at it. Returns its id. */
  deployV2Api(input: { apiId: string; stageName?: string }): string {
    return this.store.deployV2Api(input.apiId, this.now(), input.stageName);
  }

  putV2Stage(input: V2StageInput & { apiId: string }): V2Stage {
    return this.store.putV2Stage(input.apiId, input, this.now());
  }

  deleteV2Api(apiId: string): boolean {
    return this.store.deleteV2Api(apiId);
  }

  v2Api(apiId: string): V2Api {
    return this.store.v2Api(apiId);
  }

  // ---- usage plans and keys ---------------------------------------------------------------------------

  /** A usage plan over existing REST API stages of the same account and region. */
  createUsagePlan(input: CreateUsagePlanInput): UsagePlan {
    this.state.iam.ensureAccount(input.accountId);
    return this.store.createUsagePlan(input);
  }

  createApiKey(input: CreateApiKeyInput): ApiKey {
    this.state.iam.ensureAccount(input.accountId);
    return this.store.createApiKey({ enabled: true, ...input }, this.now());
  }

  /** As if someone deleted the key in the console. */
  deleteApiKey(keyId: string): void {
    const key = this.store.keyOf(keyId);
    this.store.deleteApiKey(key.accountId, key.region, keyId);
  }

  setApiKeyEnabled(keyId: string, enabled: boolean): ApiKey {
    const key = this.store.keyOf(keyId);
    key.enabled = enabled;
    key.lastUpdatedDate = this.now();
    return key;
  }

  addUsagePlanKey(usagePlanId: string, keyId: string): void {
    const plan = this.store.planOf(usagePlanId);
    this.store.addUsagePlanKey(plan.accountId, plan.region, usagePlanId, keyId);
  }

  removeUsagePlanKey(usagePlanId: string, keyId: string): void {
    const plan = this.store.planOf(usagePlanId);
    this.store.removeUsagePlanKey(plan.accountId, plan.region, usagePlanId, keyId);
  }

  /** Requests a key made on `day` (YYYY-MM-DD) under a plan, as GetUsage reports them. */
  recordUsage(input: { usagePlanId: string; keyId: string; day: string; requests: number }): void {
    this.store.recordUsage(input.usagePlanId, input.keyId, input.day, input.requests);
  }

  /**
   * One request with `x-api-key` to a REST API stage, as API Gateway's data plane decides it (200, or 403
   * Forbidden). When the stage has access logging on and its log group exists (AWS does not create it), the
   * request's line in the stage's format goes to the group, on one stream per API and stage.
   */
  invoke(input: { restApiId: string; stage: string; apiKey: string; method?: string; path?: string }) {
    const now = this.now();
    const result = this.store.invoke(input.restApiId, input.stage, input.apiKey, new Date(now).toISOString().slice(0, 10));
    this.writeAccessLog(input, result.status === 200 ? result.keyId : undefined, result.status, now);
    return result;
  }

  private writeAccessLog(input: { restApiId: string; stage: string; method?: string; path?: string }, apiKeyId: string | undefined, status: number, now: number): void {
    const api = this.store.restApi(input.restApiId);
    const settings = api.stages.get(input.stage)?.accessLogSettings;
    const destination = settings && /^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(settings.destinationArn);
    if (!settings || !destination) return;
    const [, region, accountId, groupName] = destination;
    const logs = this.state.logs;
    const group = logs.group(accountId, region, groupName);
    if (!group) return;
    const streamName = accessLogStreamName(api.id, input.stage);
    const stream = group.streams.get(streamName) ?? logs.createStream(group, streamName, now)!;
    const path = input.path ?? '/';
    const line = renderAccessLogLine(settings.format, {
      requestId: randomUUID(),
      apiId: api.id,
      stage: input.stage,
      httpMethod: (input.method ?? 'GET').toUpperCase(),
      resourcePath: matchResource([...api.resources.values()].map((r) => r.path), path) ?? path,
      path,
      status,
      timeMs: now,
      apiKeyId,
      sourceIp: '198.51.100.7',
      responseLatencyMs: status === 200 ? 25 : 2,
      integrationLatencyMs: status === 200 ? 20 : 0,
      responseLength: status === 200 ? 512 : 23,
    });
    logs.putMessage(group, stream, now, line, now);
  }

  apiKey(keyId: string): ApiKey {
    return this.store.keyOf(keyId);
  }

  usagePlan(usagePlanId: string): UsagePlan {
    return this.store.planOf(usagePlanId);
  }

  /** What an account holds in a region (for tests that look behind the API). */
  apiKeys(accountId: string, region: string): ApiKey[] {
    return [...this.store.scope(accountId, region).apiKeys.values()];
  }

  restApisOf(accountId: string, region: string): RestApi[] {
    return [...this.store.scope(accountId, region).restApis.values()];
  }

  v2ApisOf(accountId: string, region: string): V2Api[] {
    return [...this.store.scope(accountId, region).v2Apis.values()];
  }

  usagePlansOf(accountId: string, region: string): UsagePlan[] {
    return [...this.store.scope(accountId, region).usagePlans.values()];
  }

  // ---- quotas -----------------------------------------------------------------------------------------

  get limits(): ApiGatewayLimits {
    return { ...this.store.limiter.limits };
  }

  /** Changes the quotas (e.g. `{ enabled: false }` for a test that pages fast); buckets restart full. */
  setLimits(change: Partial<ApiGatewayLimits>): ApiGatewayLimits {
    return this.store.limiter.configure(change);
  }

  /** Back to AWS's quotas. */
  resetLimits(): ApiGatewayLimits {
    this.store.limiter.reset();
    return this.limits;
  }
}
