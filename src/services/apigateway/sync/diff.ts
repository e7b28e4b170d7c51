import type { ApiGatewayApiRow, ApiGatewayEndpointRow, ApiGatewayStageRow } from '../../../db/schema.ts';
import type { ApiInsert, EndpointInsert, StageInsert } from '../../../db/queries/apiGatewayInventory.ts';
import type { ParsedEndpoint } from '../spec/parseDefinition.ts';
import type { ObservedApi } from './observed.ts';

export type ChangeKind =
  | 'API_ADDED'
  | 'API_REMOVED'
  | 'STAGE_ADDED'
  | 'STAGE_REMOVED'
  | 'DEPLOYED'
  | 'ENDPOINT_ADDED'
  | 'ENDPOINT_REMOVED'
  | 'ENDPOINT_CHANGED';

export interface Change {
  apiId: string;
  apiName: string;
  stage: string | null;
  kind: ChangeKind;
  detail: string;
}

export interface StoredState {
  apis: ApiGatewayApiRow[];
  stages: ApiGatewayStageRow[];
  endpoints: ApiGatewayEndpointRow[];
}

export interface InventoryWrite {
  apis: ApiInsert[];
  stages: StageInsert[];
  endpoints: EndpointInsert[];
  documents: Array<{ sha256: string; body: string }>;
  changes: Change[];
}

export interface DiffContext {
  customerId: string;
  connectionId: string;
  accountId: string;
  region: string;
  nowMs: number;
  newId: () => string;
}

const apiKey = (protocolType: string, awsApiId: string) => `${protocolType} ${awsApiId}`;
const stageKey = (apiId: string, stage: string) => `${apiId} ${stage}`;
const endpointKey = (stage: string, method: string, path: string) => `${stage} ${method} ${path}`;

/** Whether a stage's definition must be read again: new, back from removal, redeployed, or never read. */
export function needsDefinition(stored: ApiGatewayStageRow | undefined, deploymentId: string | null): boolean {
  return stored === undefined || stored.status !== 'ACTIVE' || stored.specSource === null || stored.deploymentId !== deploymentId;
}

/** The stored stages of a connection × region by `<apiId> <stage>`, and API ids by protocol and AWS id. */
export function indexState(state: StoredState) {
  return {
    apiIds: new Map(state.apis.map((a) => [apiKey(a.protocolType, a.awsApiId), a.id])),
    stages: new Map(state.stages.map((s) => [stageKey(s.apiId, s.name), s])),
  };
}

export const storedStageOf = (index: ReturnType<typeof indexState>, protocolType: string, awsApiId: string, stage: string) => {
  const id = index.apiIds.get(apiKey(protocolType, awsApiId));
  return id === undefined ? undefined : index.stages.get(stageKey(id, stage));
};

/**
 * The classification a stored endpoint has as far as the definition goes: the traffic step turns a defined
 * endpoint UNUSED (no traffic for a while) and adds SHADOW ones (traffic, no definition); neither is the
 * definition's business, so an UNUSED endpoint counts as DOCUMENTED here and keeps its UNUSED.
 */
const definedAs = (c: string) => (c === 'UNUSED' ? 'DOCUMENTED' : c);

const sameEndpoint = (a: ApiGatewayEndpointRow, b: ParsedEndpoint) =>
  a.operationId === b.operationId && a.authorizationType === b.authorizationType && a.apiKeyRequired === b.apiKeyRequired && definedAs(a.classification) === b.classification;

/**
 * The difference between what is stored for one connection × region and what AWS shows now, as the rows to
 * write and one change per difference. Pure. Nothing is deleted: what disappeared gets its tombstone
 * (`status REMOVED` and `removedMs`); what reappears is ACTIVE again. A new stage's endpoints are recorded
 * without one ENDPOINT_ADDED each (its STAGE_ADDED says how many); redeployed stages list every endpoint
 * added, removed or changed.
 */
export function diffInventory(state: StoredState, observed: ObservedApi[], ctx: DiffContext): InventoryWrite {
  const { nowMs } = ctx;
  const out: InventoryWrite = { apis: [], stages: [], endpoints: [], documents: [], changes: [] };
  const storedApis = new Map(state.apis.map((a) => [apiKey(a.protocolType, a.awsApiId), a]));
  const storedStages = new Map(state.stages.map((s) => [stageKey(s.apiId, s.name), s]));
  const stagesByApi = new Map<string, ApiGatewayStageRow[]>();
  for (const s of state.stages) {
    let list = stagesByApi.get(s.apiId);
    if (!list) stagesByApi.set(s.apiId, (list = []));
    list.push(s);
  }
  const endpointsByStage = new Map<string, ApiGatewayEndpointRow[]>();
  for (const e of state.endpoints) {
    const k = stageKey(e.apiId, e.stage);
    let list = endpointsByStage.get(k);
    if (!list) endpointsByStage.set(k, (list = []));
    list.push(e);
  }
  const change = (apiId: string, apiName: string, stage: string | null, kind: ChangeKind, detail: string) =>
    out.changes.push({ apiId, apiName, stage, kind, detail });
  const tombstoneEndpoints = (apiId: string, stage: string) => {
    for (const e of endpointsByStage.get(stageKey(apiId, stage)) ?? []) {
      if (e.removedMs === null) out.endpoints.push({ ...e, removedMs: nowMs });
    }
  };

  const seenApis = new Set<string>();
  for (const api of observed) {
    const key = apiKey(api.protocolType, api.awsApiId);
    if (seenApis.has(key)) continue; // listed twice (pages that overlapped): the first answer stands
    seenApis.add(key);
    const stored = storedApis.get(key);
    const id = stored?.id ?? ctx.newId();
    const isNew = stored === undefined || stored.status !== 'ACTIVE';
    out.apis.push({
      id,
      customerId: ctx.customerId,
      connectionId: ctx.connectionId,
      accountId: ctx.accountId,
      region: ctx.region,
      awsApiId: api.awsApiId,
      protocolType: api.protocolType,
      name: api.name,
      description: api.description,
      version: api.version,
      tags: api.tags,
      endpointType: api.endpointType,
      status: 'ACTIVE',
      firstSeenMs: stored?.firstSeenMs ?? nowMs,
      lastSeenMs: nowMs,
      removedMs: null,
    });
    if (isNew) change(id, api.name, null, 'API_ADDED', `${api.protocolType} API ${api.name} (${api.awsApiId}) ${stored ? 'is back' : 'added'}`);

    const seenStages = new Set<string>();
    for (const stage of api.stages) {
      seenStages.add(stage.name);
      const sk = stageKey(id, stage.name);
      const storedStage = storedStages.get(sk);
      const stageIsNew = storedStage === undefined || storedStage.status !== 'ACTIVE';
      const def = stage.definition;
      let endpointCount = storedStage?.endpointCount ?? 0;
      if (def) {
        endpointCount = def.endpoints.length;
        if (def.document) out.documents.push(def.document);
        const before = new Map((endpointsByStage.get(sk) ?? []).map((e) => [endpointKey(e.stage, e.method, e.path), e]));
        const now = new Set<string>();
        for (const e of def.endpoints) {
          const ek = endpointKey(stage.name, e.method, e.path);
          if (now.has(ek)) continue;
          now.add(ek);
          const prev = before.get(ek);
          const live = prev !== undefined && prev.removedMs === null;
          // A SHADOW endpoint (seen in traffic) that the definition now has is newly defined: added.
          const defined = live && prev.classification !== 'SHADOW';
          if (!stageIsNew && !defined) change(id, api.name, stage.name, 'ENDPOINT_ADDED', `${e.method} ${e.path} added`);
          else if (!stageIsNew && defined && !sameEndpoint(prev, e)) change(id, api.name, stage.name, 'ENDPOINT_CHANGED', `${e.method} ${e.path} changed`);
          const unused = defined && prev.classification === 'UNUSED' && e.classification === 'DOCUMENTED';
          out.endpoints.push({
            apiId: id,
            stage: stage.name,
            method: e.method,
            path: e.path,
            operationId: e.operationId,
            apiKeyRequired: e.apiKeyRequired,
            authorizationType: e.authorizationType,
            classification: unused ? 'UNUSED' : e.classification,
            firstSeenMs: live ? prev.firstSeenMs : nowMs,
            lastSeenMs: nowMs,
            removedMs: null,
          });
        }
        for (const [ek, prev] of before) {
          // SHADOW endpoints were never in a definition: a new one leaves them as the traffic made them.
          if (now.has(ek) || prev.removedMs !== null || prev.classification === 'SHADOW') continue;
          if (!stageIsNew) change(id, api.name, stage.name, 'ENDPOINT_REMOVED', `${prev.method} ${prev.path} removed`);
          out.endpoints.push({ ...prev, removedMs: nowMs });
        }
      }
      if (stageIsNew) change(id, api.name, stage.name, 'STAGE_ADDED', `stage ${stage.name} ${storedStage ? 'is back' : 'added'} with ${endpointCount} endpoints`);
      else if (def && storedStage.deploymentId !== stage.deploymentId) {
        change(id, api.name, stage.name, 'DEPLOYED', `stage ${stage.name} deployed (${storedStage.deploymentId ?? 'none'} → ${stage.deploymentId ?? 'none'})`);
      }
      out.stages.push({
        apiId: id,
        name: stage.name,
        // A stage whose definition could not be read keeps its stored deployment, so the next sync reads it again.
        deploymentId: def ? stage.deploymentId : stageIsNew ? null : storedStage.deploymentId,
        lastUpdatedMs: stage.lastUpdatedMs,
        specSource: def ? def.source : (storedStage?.specSource ?? null),
        specSha256: def ? (def.document?.sha256 ?? null) : (storedStage?.specSha256 ?? null),
        endpointCount,
        accessLog: stage.accessLog,
        status: 'ACTIVE',
        firstSeenMs: stageIsNew ? nowMs : storedStage.firstSeenMs,
        lastSeenMs: nowMs,
        removedMs: null,
      });
    }
    for (const s of stagesByApi.get(id) ?? []) {
      if (s.status !== 'ACTIVE' || seenStages.has(s.name)) continue;
      change(id, api.name, s.name, 'STAGE_REMOVED', `stage ${s.name} removed`);
      out.stages.push({ ...s, status: 'REMOVED', removedMs: nowMs });
      tombstoneEndpoints(id, s.name);
    }
  }

  for (const a of state.apis) {
    if (a.status !== 'ACTIVE' || seenApis.has(apiKey(a.protocolType, a.awsApiId))) continue;
    change(a.id, a.name, null, 'API_REMOVED', `${a.protocolType} API ${a.name} (${a.awsApiId}) removed`);
    out.apis.push({ ...a, status: 'REMOVED', removedMs: nowMs });
    for (const s of stagesByApi.get(a.id) ?? []) {
      if (s.status !== 'ACTIVE') continue;
      out.stages.push({ ...s, status: 'REMOVED', removedMs: nowMs });
      tombstoneEndpoints(a.id, s.name);
    }
  }
  return out;
}
