import type { Db } from '../../db/client.ts';
import { inventoryQueries, type ApiListFilter } from '../../db/queries/apiGatewayInventory.ts';
import { usagePlanQueries } from '../../db/queries/apiGatewayUsagePlans.ts';
import type { ApiGatewayApiRow, ApiGatewayChangeRow, ApiGatewayEndpointRow, ApiGatewayStageRow } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { ApiGatewayApiView, ApiGatewayChangeView, ApiGatewayEndpointView, ApiGatewayStageView } from '../../schemas/apiGatewayInventory.ts';
import type { Principal } from '../api/tokens.ts';
import { accessLogReadiness } from './traffic/readiness.ts';

const opt = <K extends string, V>(key: K, value: V | null): { [P in K]?: V } => (value === null ? {} : ({ [key]: value } as { [P in K]?: V }));

export function toStage(s: ApiGatewayStageRow, protocolType: string, usagePlanIds?: string[]): ApiGatewayStageView {
  return {
    name: s.name,
    status: s.status,
    deploymentId: s.deploymentId,
    lastUpdatedMs: s.lastUpdatedMs,
    specSource: s.specSource,
    specSha256: s.specSha256,
    endpointCount: s.endpointCount,
    ...(usagePlanIds ? { usagePlanIds } : {}),
    accessLog: { destinationArn: s.accessLog?.destinationArn ?? null, format: s.accessLog?.format ?? null, ...accessLogReadiness(s.accessLog, protocolType) },
    firstSeenMs: s.firstSeenMs,
    lastSeenMs: s.lastSeenMs,
    ...opt('removedMs', s.removedMs),
  };
}

export function toApi(a: ApiGatewayApiRow, stages?: ApiGatewayStageRow[], plans?: Map<string, string[]>): ApiGatewayApiView {
  return {
    id: a.id,
    connectionId: a.connectionId,
    accountId: a.accountId,
    region: a.region,
    awsApiId: a.awsApiId,
    protocolType: a.protocolType,
    name: a.name,
    ...opt('description', a.description),
    ...opt('version', a.version),
    tags: a.tags,
    ...opt('endpointType', a.endpointType),
    status: a.status,
    firstSeenMs: a.firstSeenMs,
    lastSeenMs: a.lastSeenMs,
    ...opt('removedMs', a.removedMs),
    ...(stages ? { stages: stages.map((s) => toStage(s, a.protocolType, plans && (plans.get(s.name) ?? []))) } : {}),
  };
}

export function toEndpoint(e: ApiGatewayEndpointRow): ApiGatewayEndpointView {
  return {
    stage: e.stage,
    method: e.method,
    path: e.path,
    ...opt('operationId', e.operationId),
    apiKeyRequired: e.apiKeyRequired,
    authorizationType: e.authorizationType,
    classification: e.classification,
    firstSeenMs: e.firstSeenMs,
    lastSeenMs: e.lastSeenMs,
    ...opt('lastTrafficMs', e.lastTrafficMs),
    ...opt('removedMs', e.removedMs),
  };
}

export function toChange(c: ApiGatewayChangeRow): ApiGatewayChangeView {
  return { id: String(c.id), apiId: c.apiId, ...opt('stage', c.stage), kind: c.kind, detail: c.detail, atMs: c.atMs, ...opt('syncRunId', c.syncRunId) };
}

const page = <T>(items: T[], offset: number, limit: number, total: number) => ({ items, offset, limit, totalItems: total, moreItems: offset + items.length < total });

/** The discovered inventory as the API shows it, always scoped to the caller's customer (another's id is 404). */
export function createInventoryService(deps: { db: Db }) {
  const { db } = deps;
  async function mustFind(p: Principal, id: string): Promise<ApiGatewayApiRow> {
    const api = await inventoryQueries.findApi(db, p.customerId, id);
    if (!api) throw notFound(`API Gateway API ${id} not found`);
    return api;
  }
  return {
    async list(p: Principal, filter: ApiListFilter, offset: number, limit: number) {
      const { rows, total } = await inventoryQueries.listApis(db, p.customerId, filter, offset, limit);
      return page(rows.map((r) => toApi(r)), offset, limit, total);
    },
    async get(p: Principal, id: string) {
      const api = await mustFind(p, id);
      return toApi(api, await inventoryQueries.stagesOf(db, api.id), await usagePlanQueries.byStage(db, api.connectionId, api.region, api.awsApiId));
    },
    async endpoints(p: Principal, id: string, filter: { stage?: string; classification?: string }, offset: number, limit: number) {
      const api = await mustFind(p, id);
      const { rows, total } = await inventoryQueries.listEndpoints(db, api.id, filter, offset, limit);
      return page(rows.map(toEndpoint), offset, limit, total);
    },
    /** The stored exported document of a stage: its bytes and sha256; 404 when there is none. */
    async document(p: Principal, id: string, stage: string) {
      const api = await mustFind(p, id);
      const doc = await inventoryQueries.exportOf(db, p.customerId, api.id, stage);
      if (!doc) throw notFound(`no stored OpenAPI document for stage ${stage} of API ${id}`);
      return doc;
    },
    async changes(p: Principal, id: string, offset: number, limit: number) {
      const api = await mustFind(p, id);
      const { rows, total } = await inventoryQueries.listChanges(db, api.id, offset, limit);
      return page(rows.map(toChange), offset, limit, total);
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
