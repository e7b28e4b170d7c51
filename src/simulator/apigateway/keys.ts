import type { CallContext, SimResponse } from '../request.ts';
import type { ApiKey, UsagePlan } from './model.ts';
import { badRequest, notFound } from './store.ts';
import { arrayPage, bodyOf, compact, epochSeconds, flag, json, noContent, pageOf, v1Limit, type Json } from './wire.ts';

/**
 * API Gateway v1 usage plans and API keys: GetUsagePlans/GetUsagePlan/GetUsagePlanKeys, GetApiKeys/GetApiKey,
 * CreateApiKey, UpdateApiKey, DeleteApiKey, CreateUsagePlanKey, DeleteUsagePlanKey, GetUsage.
 */

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const usagePlanJson = (p: UsagePlan): Json =>
  compact({
    id: p.id,
    name: p.name,
    description: p.description,
    apiStages: p.apiStages.map((s) => ({ apiId: s.apiId, stage: s.stage })),
    throttle: p.throttle,
    quota: p.quota,
    tags: Object.keys(p.tags).length > 0 ? p.tags : undefined,
  });

export const apiKeyJson = (k: ApiKey, includeValue: boolean): Json =>
  compact({
    id: k.id,
    value: includeValue ? k.value : undefined,
    name: k.name,
    customerId: k.customerId,
    description: k.description,
    enabled: k.enabled,
    createdDate: epochSeconds(k.createdDate),
    lastUpdatedDate: epochSeconds(k.lastUpdatedDate),
    stageKeys: [],
    tags: Object.keys(k.tags).length > 0 ? k.tags : undefined,
  });

const scopeOf = (ctx: CallContext) => ctx.state.apigateway.scope(ctx.caller.accountId, ctx.region);
const store = (ctx: CallContext) => ctx.state.apigateway;

export function getUsagePlans(ctx: CallContext): SimResponse {
  const keyId = ctx.req.query.get('keyId');
  const page = pageOf(scopeOf(ctx).usagePlans, 'usageplans', (p) => p.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req), keyId ? (p) => p.keyIds.has(keyId) : undefined);
  return json(ctx.requestId, compact({ item: page.items.map(usagePlanJson), position: page.next }));
}

export function getUsagePlan(ctx: CallContext, planId: string): SimResponse {
  return json(ctx.requestId, usagePlanJson(store(ctx).usagePlan(ctx.caller.accountId, ctx.region, planId)));
}

export function getUsagePlanKeys(ctx: CallContext, planId: string): SimResponse {
  const plan = store(ctx).usagePlan(ctx.caller.accountId, ctx.region, planId);
  const name = ctx.req.query.get('name');
  const keys = [...plan.keyIds].map((id) => scopeOf(ctx).apiKeys.get(id)).filter((k): k is ApiKey => !!k && (!name || k.name.startsWith(name)));
  const page = arrayPage(keys, `usageplankeys/${planId}`, (k) => k.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req));
  return json(ctx.requestId, compact({ item: page.items.map((k) => ({ id: k.id, type: 'API_KEY', value: k.value, name: k.name })), position: page.next }));
}

export function getApiKeys(ctx: CallContext): SimResponse {
  const name = ctx.req.query.get('name');
  const customerId = ctx.req.query.get('customerId');
  const includeValues = flag(ctx.req, 'includeValues');
  const filter = name || customerId ? (k: ApiKey) => (!name || k.name.startsWith(name)) && (!customerId || k.customerId === customerId) : undefined;
  const page = pageOf(scopeOf(ctx).apiKeys, 'apikeys', (k) => k.id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req), filter);
  return json(ctx.requestId, compact({ item: page.items.map((k) => apiKeyJson(k, includeValues)), position: page.next }));
}

export function getApiKey(ctx: CallContext, keyId: string): SimResponse {
  return json(ctx.requestId, apiKeyJson(store(ctx).apiKey(ctx.caller.accountId, ctx.region, keyId), flag(ctx.req, 'includeValue')));
}

function tagsOf(v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw badRequest('tags must be a map of strings');
  const entries = Object.entries(v as Json);
  if (entries.length > 50) throw badRequest('At most 50 tags');
  for (const [k, val] of entries) {
    if (typeof val !== 'string' || k.length < 1 || k.length > 128 || val.length > 256 || k.startsWith('aws:')) throw badRequest(`Invalid tag ${k}`);
  }
  return v as Record<string, string>;
}

export function createApiKey(ctx: CallContext): SimResponse {
  const b = bodyOf(ctx.req);
  if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw badRequest('enabled must be a boolean');
  const name = str(b.name);
  if (name !== undefined && (name.length < 1 || name.length > 1024)) throw badRequest('Invalid API Key name');
  const key = store(ctx).createApiKey(
    {
      accountId: ctx.caller.accountId,
      region: ctx.region,
      name,
      description: str(b.description),
      value: str(b.value),
      enabled: b.enabled as boolean | undefined,
      customerId: str(b.customerId),
      tags: tagsOf(b.tags),
    },
    ctx.clock.now(),
  );
  // The value is returned on creation (and later only with includeValue(s)).
  return json(ctx.requestId, apiKeyJson(key, true), 201);
}

/** UpdateApiKey: JSON-patch `replace` of /enabled, /name, /description or /customerId. */
export function updateApiKey(ctx: CallContext, keyId: string): SimResponse {
  const key = store(ctx).apiKey(ctx.caller.accountId, ctx.region, keyId);
  const ops = bodyOf(ctx.req).patchOperations;
  if (!Array.isArray(ops)) throw badRequest('patchOperations is required');
  const next = { ...key };
  for (const raw of ops as Json[]) {
    const op = str(raw?.op);
    const path = str(raw?.path);
    const value = str(raw?.value);
    if (op !== 'replace') throw badRequest(`Invalid patch operation specified. Must be one of: [replace]`);
    if (path === '/enabled') {
      if (value !== 'true' && value !== 'false') throw badRequest(`Invalid value for /enabled: ${String(value)}`);
      next.enabled = value === 'true';
    } else if (path === '/name') {
      if (!value) throw badRequest('Invalid API Key name');
      next.name = value;
    } else if (path === '/description') next.description = value;
    else if (path === '/customerId') next.customerId = value;
    else throw badRequest(`Invalid patch path ${String(path)}`);
  }
  Object.assign(key, next, { lastUpdatedDate: ctx.clock.now() });
  return json(ctx.requestId, apiKeyJson(key, false));
}

export function deleteApiKey(ctx: CallContext, keyId: string): SimResponse {
  store(ctx).deleteApiKey(ctx.caller.accountId, ctx.region, keyId);
  return noContent(ctx.requestId);
}

export function createUsagePlanKey(ctx: CallContext, planId: string): SimResponse {
  const b = bodyOf(ctx.req);
  const keyId = str(b.keyId);
  if (!keyId) throw badRequest('keyId is required');
  if (b.keyType !== 'API_KEY') throw badRequest(`Invalid keyType ${String(b.keyType)}: must be API_KEY`);
  const { key } = store(ctx).addUsagePlanKey(ctx.caller.accountId, ctx.region, planId, keyId);
  return json(ctx.requestId, { id: key.id, type: 'API_KEY', value: key.value, name: key.name }, 201);
}

export function deleteUsagePlanKey(ctx: CallContext, planId: string, keyId: string): SimResponse {
  store(ctx).removeUsagePlanKey(ctx.caller.accountId, ctx.region, planId, keyId);
  return noContent(ctx.requestId);
}

const DAY_MS = 86_400_000;
const MAX_USAGE_DAYS = 90;

function day(text: string | undefined, name: string): number {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw badRequest(`Invalid ${name}: must be yyyy-MM-dd`);
  }
  return Date.parse(`${text}T00:00:00Z`);
}

/**
 * GetUsage: per key, one `[used, remaining]` pair per day from startDate to endDate (inclusive). `remaining`
 * is the plan quota minus what was used in the period so far (0 without a quota). Keys in the plan with no
 * traffic report zeros; `keyId` narrows to one key (a key not in the plan is NotFound).
 */
export function getUsage(ctx: CallContext, planId: string): SimResponse {
  const plan = store(ctx).usagePlan(ctx.caller.accountId, ctx.region, planId);
  const startText = ctx.req.query.get('startDate');
  const endText = ctx.req.query.get('endDate');
  const start = day(startText, 'startDate');
  const end = day(endText, 'endDate');
  if (end < start) throw badRequest('The endDate must not be before the startDate');
  const days = (end - start) / DAY_MS + 1;
  if (days > MAX_USAGE_DAYS) throw badRequest(`The usage data requested spans more than ${MAX_USAGE_DAYS} days`);
  const keyId = ctx.req.query.get('keyId');
  if (keyId && !plan.keyIds.has(keyId)) throw notFound('Invalid API Key identifier specified');
  const ids = keyId ? [keyId] : [...plan.keyIds];
  const page = arrayPage(ids, `usage/${planId}`, (id) => id, ctx.req.query.get('position'), 'position', v1Limit(ctx.req));
  const values: Record<string, Array<[number, number]>> = {};
  for (const id of page.items) {
    const used = plan.usage.get(id);
    let total = 0;
    values[id] = Array.from({ length: days }, (_, i) => {
      const n = used?.get(new Date(start + i * DAY_MS).toISOString().slice(0, 10)) ?? 0;
      total += n;
      return [n, plan.quota ? Math.max(0, plan.quota.limit - total) : 0];
    });
  }
  return json(ctx.requestId, compact({ usagePlanId: plan.id, startDate: startText, endDate: endText, values, position: page.next }));
}
