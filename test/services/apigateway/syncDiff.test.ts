import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffInventory, type StoredState } from '../../../src/services/apigateway/sync/diff.ts';
import type { ObservedApi } from '../../../src/services/apigateway/sync/observed.ts';
import { globMatches, stageSelected } from '../../../src/services/apigateway/sync/select.ts';
import type { ParsedEndpoint } from '../../../src/services/apigateway/spec/parseDefinition.ts';

const ep = (method: string, path: string, extra: Partial<ParsedEndpoint> = {}): ParsedEndpoint => ({
  method, path, operationId: null, authorizationType: 'NONE', apiKeyRequired: false, classification: 'DOCUMENTED', ...extra,
});
const api = (stages: ObservedApi['stages'], awsApiId = 'a1'): ObservedApi => ({
  protocolType: 'REST', awsApiId, name: `api-${awsApiId}`, description: null, version: null, tags: {}, endpointType: 'REGIONAL', stages,
});
const stage = (name: string, deploymentId: string, endpoints?: ParsedEndpoint[]) => ({
  name, deploymentId, lastUpdatedMs: 1, accessLog: null, ...(endpoints ? { definition: { source: 'EXPORT' as const, endpoints, document: { sha256: `sha-${deploymentId}`, body: '{}' } } } : {}),
});
let ids = 0;
const ctx = (nowMs: number) => ({ customerId: 'c', connectionId: 'conn', accountId: '1', region: 'r', nowMs, newId: () => `id-${++ids}` });

/** Applies a write to a stored state the way the upserts do. */
function apply(state: StoredState, w: ReturnType<typeof diffInventory>): StoredState {
  const apis = new Map(state.apis.map((a) => [a.id, a]));
  for (const a of w.apis) apis.set(a.id, a as StoredState['apis'][number]);
  const stages = new Map(state.stages.map((s) => [`${s.apiId} ${s.name}`, s]));
  for (const s of w.stages) stages.set(`${s.apiId} ${s.name}`, s as StoredState['stages'][number]);
  const eps = new Map(state.endpoints.map((e) => [`${e.apiId} ${e.stage} ${e.method} ${e.path}`, e]));
  for (const e of w.endpoints) eps.set(`${e.apiId} ${e.stage} ${e.method} ${e.path}`, { id: 0, lastTrafficMs: null, ...e } as StoredState['endpoints'][number]);
  return { apis: [...apis.values()], stages: [...stages.values()], endpoints: [...eps.values()] };
}
const kinds = (w: ReturnType<typeof diffInventory>) => w.changes.map((c) => [c.kind, c.stage, c.detail].filter(Boolean).join(' '));

describe('diffInventory', () => {
  test('add, redeploy, change, remove and come back, with tombstones', () => {
    let state: StoredState = { apis: [], stages: [], endpoints: [] };
    const w1 = diffInventory(state, [api([stage('prod', 'd1', [ep('GET', '/a')])])], ctx(1));
    assert.deepEqual(kinds(w1), ['API_ADDED REST API api-a1 (a1) added', 'STAGE_ADDED prod stage prod added with 1 endpoints']);
    state = apply(state, w1);

    assert.deepEqual(diffInventory(state, [api([stage('prod', 'd1')])], ctx(2)).changes, [], 'nothing changed');

    const w3 = diffInventory(state, [api([stage('prod', 'd2', [ep('GET', '/a', { apiKeyRequired: true }), ep('POST', '/b')])])], ctx(3));
    assert.deepEqual(kinds(w3), ['ENDPOINT_CHANGED prod GET /a changed', 'ENDPOINT_ADDED prod POST /b added', 'DEPLOYED prod stage prod deployed (d1 → d2)']);
    state = apply(state, w3);

    const w4 = diffInventory(state, [api([stage('prod', 'd3', [ep('POST', '/b')])])], ctx(4));
    assert.deepEqual(kinds(w4), ['ENDPOINT_REMOVED prod GET /a removed', 'DEPLOYED prod stage prod deployed (d2 → d3)']);
    state = apply(state, w4);
    assert.equal(state.endpoints.find((e) => e.path === '/a')!.removedMs, 4, 'kept with removedMs');

    const w5 = diffInventory(state, [], ctx(5));
    assert.deepEqual(kinds(w5), ['API_REMOVED REST API api-a1 (a1) removed']);
    state = apply(state, w5);
    assert.equal(state.apis[0].status, 'REMOVED');
    assert.equal(state.stages[0].status, 'REMOVED');
    assert.ok(state.endpoints.every((e) => e.removedMs !== null));

    const w6 = diffInventory(state, [api([stage('prod', 'd3', [ep('POST', '/b')])])], ctx(6));
    assert.deepEqual(kinds(w6), ['API_ADDED REST API api-a1 (a1) is back', 'STAGE_ADDED prod stage prod is back with 1 endpoints']);
    state = apply(state, w6);
    assert.equal(state.apis[0].status, 'ACTIVE');
    assert.equal(state.apis[0].firstSeenMs, 1, 'the same API, its history kept');
    assert.equal(state.endpoints.find((e) => e.path === '/b')!.removedMs, null);
  });

  test('a removed stage, and a stage whose definition could not be read keeps its old deployment for a retry', () => {
    let state: StoredState = { apis: [], stages: [], endpoints: [] };
    state = apply(state, diffInventory(state, [api([stage('prod', 'd1', [ep('GET', '/a')]), stage('beta', 'd1', [ep('GET', '/a')])])], ctx(1)));
    const w = diffInventory(state, [api([stage('prod', 'd2')])], ctx(2));
    assert.deepEqual(kinds(w), ['STAGE_REMOVED beta stage beta removed']);
    const prod = w.stages.find((s) => s.name === 'prod')!;
    assert.equal(prod.deploymentId, 'd1', 'unread redeploy: stored deployment kept, so the next sync reads it');
  });

  test("a redeploy leaves the traffic's classifications alone: UNUSED stays UNUSED, SHADOW is neither removed nor changed, a SHADOW endpoint now defined is added", () => {
    let state: StoredState = { apis: [], stages: [], endpoints: [] };
    state = apply(state, diffInventory(state, [api([stage('prod', 'd1', [ep('GET', '/a'), ep('GET', '/b')])])], ctx(1)));
    const apiId = state.apis[0].id;
    // What the traffic step did meanwhile: GET /a had no traffic (UNUSED); traffic on two undefined paths (SHADOW).
    const shadow = (method: string, path: string) => ({ ...state.endpoints[0], id: 0, method, path, operationId: null, classification: 'SHADOW', firstSeenMs: 2, lastSeenMs: 2, lastTrafficMs: 2, removedMs: null });
    state = {
      ...state,
      endpoints: [
        ...state.endpoints.map((e) => (e.path === '/a' ? { ...e, classification: 'UNUSED' } : e)),
        shadow('GET', '/c'),
        shadow('DELETE', '/d'),
      ],
    };
    const w = diffInventory(state, [api([stage('prod', 'd2', [ep('GET', '/a'), ep('GET', '/b'), ep('GET', '/c')])])], ctx(3));
    assert.deepEqual(kinds(w), ['ENDPOINT_ADDED prod GET /c added', 'DEPLOYED prod stage prod deployed (d1 → d2)']);
    const written = new Map(w.endpoints.map((e) => [`${e.method} ${e.path}`, e]));
    assert.equal(written.get('GET /a')!.classification, 'UNUSED');
    assert.equal(written.get('GET /c')!.classification, 'DOCUMENTED');
    assert.equal(written.get('GET /c')!.firstSeenMs, 2, 'first seen in traffic');
    assert.equal(written.has('DELETE /d'), false, 'the SHADOW endpoint is left as it is');
    assert.equal(apiId, w.stages[0].apiId);
  });

  test('identical documents are listed once per content', () => {
    const w = diffInventory({ apis: [], stages: [], endpoints: [] }, [api([stage('prod', 'd1', []), stage('beta', 'd1', [])])], ctx(1));
    assert.equal(new Set(w.documents.map((d) => d.sha256)).size, 1);
  });
});

describe('stage globs', () => {
  test('* and ? and literal names', () => {
    assert.ok(globMatches('prod*', 'prod-eu'));
    assert.ok(globMatches('*', ''));
    assert.ok(globMatches('p?od', 'prod'));
    assert.ok(globMatches('*-canary', 'prod-canary'));
    assert.ok(!globMatches('prod', 'prod2'));
    assert.ok(!globMatches('a*b*c', 'aXXbYY'));
    assert.ok(globMatches('$default', '$default'));
  });
  test('include and exclude', () => {
    const f = { include: ['prod*'], exclude: ['*-canary'] };
    assert.ok(stageSelected('prod', f));
    assert.ok(!stageSelected('prod-canary', f));
    assert.ok(!stageSelected('dev', f));
    assert.ok(stageSelected('anything', { include: [], exclude: [] }), 'no include means every stage');
  });
});
