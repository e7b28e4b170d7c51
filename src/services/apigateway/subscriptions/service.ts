import { createHash } from 'node:crypto';
import type { Db } from '../../../db/client.ts';
import { connectionQueries, type ConnectionViewRow } from '../../../db/queries/apiGatewayConnections.ts';
import { subscriptionQueries as q } from '../../../db/queries/apiGatewaySubscriptions.ts';
import { usagePlanQueries } from '../../../db/queries/apiGatewayUsagePlans.ts';
import type { ApiGatewaySubscriptionRow } from '../../../db/schema.ts';
import { badRequest, conflict, notFound, unavailable } from '../../../errors.ts';
import type { Clock } from '../../../lib/clock.ts';
import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { ApiGatewaySubscriptionCreate } from '../../../schemas/apiGatewaySubscription.ts';
import type { SortableSearchRequest } from '../../../schemas/search.ts';
import type { Principal } from '../../api/tokens.ts';
import { ALL_REGIONS } from '../regions.ts';
import { awsFailure, type SubscriptionAccess } from './access.ts';
import { isNotFound, keysAws, type KeyClients } from './keysAws.ts';
import { createSubscriptionUsage } from './usage.ts';
import { toSubscription, toUsagePlan } from './view.ts';
import { subscriptionSearch } from '../../../db/queries/search.ts';
import { searchClauses } from '../../api/search.ts';

/** Every request's AWS work (credentials, the plan check, both key calls) ends by then. */
const OPERATION_DEADLINE_MS = 60_000;
/** A key being made is deleted by its guard this long after, unless the request that makes it finished. */
export const GUARD_DELAY_MS = 5 * 60_000;
const IDEMPOTENCY_MS = 24 * 3_600_000;
/** Keys rotated out that a subscription remembers for its usage (traffic is kept 30 days by default). */
const MAX_PREVIOUS_KEYS = 100;
/** A replay of a request still running waits this long for it, polling. */
const REPLAY_WAIT_MS = OPERATION_DEADLINE_MS + 5_000;
const REPLAY_POLL_MS = 100;
/**
 * A plan GetUsagePlan found is trusted this long (per connection × region × plan): a bulk of subscriptions into one
 * plan checks it once, leaving the account's request budget to the key calls. A plan deleted meanwhile still ends
 * in a 404 (CreateUsagePlanKey answers NotFound, and the key is deleted again).
 */
const PLAN_SEEN_MS = 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const page = <T>(items: T[], offset: number, limit: number, total: number) => ({ items, offset, limit, totalItems: total, moreItems: offset + items.length < total });

/** The name of a subscription's key: `skyport-<id>`, its n-th rotation's `skyport-<id>-r<n>` (guards find keys by it). */
export const keyName = (subscriptionId: string, rotation = 0) => (rotation === 0 ? `skyport-${subscriptionId}` : `skyport-${subscriptionId}-r${rotation}`);

/**
 * Subscriptions (SPEC-apigateway §4): API keys in usage plans, created idempotently and never half-made, revoked,
 * rotated with a grace period, suspended and resumed. AWS state and rows agree after any failure: a key made by a
 * request that then fails is deleted at once, and one whose request never finished (a crash) by its guard row.
 */
export function createSubscriptionService(deps: { db: Db; clock: Clock; access: SubscriptionAccess }) {
  const { db, clock, access } = deps;
  const plansSeen = new Map<string, number>();

  async function mustFind(p: Principal, id: string): Promise<ApiGatewaySubscriptionRow> {
    const row = await q.findById(db, p.customerId, id);
    if (!row) throw notFound(`API Gateway subscription ${id} does not exist`);
    return row;
  }

  async function usableConnection(p: Principal, connectionId: string, region: string): Promise<ConnectionViewRow> {
    const conn = await connectionQueries.findById(db, p.customerId, connectionId);
    if (!conn || conn.inTrash) throw notFound(`API Gateway connection ${connectionId} does not exist`);
    if (!conn.subscriptions.enabled) throw badRequest(`API Gateway connection ${connectionId} has subscriptions switched off: set subscriptions.enabled to true`);
    if (conn.disabled) throw badRequest(`API Gateway connection ${connectionId} is disabled: enable it first`);
    if (conn.regions[0] !== ALL_REGIONS && !conn.regions.includes(region)) {
      throw badRequest(`region "${region}" is not one of connection ${connectionId}'s regions (${conn.regions.join(', ')})`);
    }
    return conn;
  }

  /** Runs `work` with the region's clients under the operation deadline; AWS failures become 502/503 naming them. */
  async function withAws<T>(p: Principal, conn: ConnectionViewRow, region: string, what: string, work: (c: KeyClients) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(OPERATION_DEADLINE_MS);
    try {
      return await work(await access.open(conn, p.customerId, region, signal));
    } catch (err) {
      throw awsFailure(what, err);
    }
  }

  /** Makes a key in the plan; on failure of the second call the key is deleted again (the guard stays if that fails too). */
  async function makeKey(c: KeyClients, input: { sub: ApiGatewaySubscriptionRow; rotation: number; enabled: boolean; guardId: string }) {
    const { sub } = input;
    const key = await keysAws.createKey(c, { name: keyName(sub.id, input.rotation), description: sub.description ?? undefined, enabled: input.enabled, connectionId: sub.connectionId, subscriptionId: sub.id });
    try {
      await keysAws.addToPlan(c, sub.usagePlanId, key.id);
    } catch (err) {
      // Compensation; if it fails too, the guard (due at once) deletes the key by name.
      await keysAws.deleteKey(c, sub.usagePlanId, key.id).then(
        () => q.cancelDeletion(db, input.guardId),
        () => q.scheduleDeletionNow(db, input.guardId, clock.now(), key.id),
      );
      if (isNotFound(err)) throw notFound(`usage plan ${sub.usagePlanId} does not exist in ${sub.region}`);
      throw err;
    }
    return key;
  }

  const guard = (sub: ApiGatewaySubscriptionRow, rotation: number, nowMs: number) => ({
    id: uuidv7(nowMs),
    customerId: sub.customerId,
    connectionId: sub.connectionId,
    subscriptionId: sub.id,
    region: sub.region,
    usagePlanId: sub.usagePlanId,
    awsApiKeyId: null,
    keyName: keyName(sub.id, rotation),
    reason: rotation === 0 ? 'GUARD_CREATE' : 'GUARD_ROTATE',
    dueMs: nowMs + GUARD_DELAY_MS,
  });

  /** A replayed request: the stored subscription once its first request has finished (never with the value). */
  async function replay(p: Principal, existing: ApiGatewaySubscriptionRow, requestSha: string) {
    if (existing.requestSha256 !== requestSha) {
      throw conflict(`Idempotency-Key was already used with another request body (subscription ${existing.id}); use a new key for a new request`);
    }
    const until = Date.now() + REPLAY_WAIT_MS;
    let row = existing;
    while (row.status === 'PENDING' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, REPLAY_POLL_MS));
      row = (await q.findById(db, p.customerId, row.id)) ?? row;
    }
    if (row.status === 'PENDING') throw unavailable(`subscription ${row.id} is still being created; retry with the same Idempotency-Key`, 5);
    return toSubscription(row);
  }

  return {
    /** Requests per day with the subscription's keys, from the access logs. */
    usage: createSubscriptionUsage({ db, clock }),

    async create(p: Principal, body: ApiGatewaySubscriptionCreate, idempotencyKey?: string) {
      const conn = await usableConnection(p, body.connectionId, body.region);
      const requestSha = sha256(JSON.stringify([body.connectionId, body.region, body.usagePlanId, body.name, body.description ?? null]));
      const nowMs = clock.now();
      if (idempotencyKey !== undefined) {
        await q.releaseExpiredKey(db, p.customerId, idempotencyKey, nowMs);
        const existing = await q.findByIdempotencyKey(db, p.customerId, idempotencyKey);
        if (existing) return replay(p, existing, requestSha);
      }
      // The plan first: an unknown plan is a 404, whatever AWS would let through later.
      const planKey = `${conn.id}|${body.region}|${body.usagePlanId}`;
      if ((plansSeen.get(planKey) ?? 0) <= nowMs) {
        await withAws(p, conn, body.region, 'checking the usage plan', async (c) => {
          try {
            await keysAws.getUsagePlan(c, body.usagePlanId);
          } catch (err) {
            if (isNotFound(err)) throw notFound(`usage plan ${body.usagePlanId} does not exist in ${body.region} of connection ${conn.id}`);
            throw err;
          }
        });
        if (plansSeen.size >= 10_000) plansSeen.clear();
        plansSeen.set(planKey, nowMs + PLAN_SEEN_MS);
      }
      const id = uuidv7(nowMs);
      const pending = {
        id,
        customerId: p.customerId,
        connectionId: conn.id,
        region: body.region,
        usagePlanId: body.usagePlanId,
        name: body.name,
        description: body.description ?? null,
        status: 'PENDING',
        creatorId: p.name,
        updaterId: p.name,
        createdMs: nowMs,
        updatedMs: nowMs,
        ...(idempotencyKey !== undefined ? { idempotencyKey, requestSha256: requestSha, idempotencyExpiresMs: nowMs + IDEMPOTENCY_MS } : {}),
      };
      // The row and its guard in one transaction; the unique idempotency key makes a racing twin lose here.
      const inserted = await db.transaction(async (tx) => {
        const sub = await q.insertUnlessKeyTaken(tx, pending);
        if (!sub) return undefined;
        const g = guard(sub, 0, nowMs);
        await q.scheduleDeletion(tx, g);
        return { sub, guardId: g.id };
      });
      if (!inserted) {
        const existing = await q.findByIdempotencyKey(db, p.customerId, idempotencyKey!);
        if (!existing) throw conflict('a request with this Idempotency-Key ended just now; retry');
        return replay(p, existing, requestSha);
      }
      const { sub, guardId } = inserted;
      let key: { id: string; value: string };
      try {
        key = await withAws(p, conn, body.region, 'creating the API key', (c) => makeKey(c, { sub, rotation: 0, enabled: true, guardId }));
      } catch (err) {
        await db.transaction(async (tx) => {
          await q.updateIf(tx, p.customerId, id, { status: 'PENDING', awsApiKeyId: null }, {
            status: 'FAILED',
            lastError: (err as Error).message.slice(0, 2000),
            updatedMs: clock.now(),
            // A failed request may be retried with the same key.
            idempotencyKey: null,
            requestSha256: null,
            idempotencyExpiresMs: null,
          });
        });
        throw err;
      }
      const active = await db.transaction(async (tx) => {
        const row = await q.updateIf(tx, p.customerId, id, { status: 'PENDING', awsApiKeyId: null }, {
          status: 'ACTIVE',
          awsApiKeyId: key.id,
          valueSha256: sha256(key.value),
          valueLast4: key.value.slice(-4),
          updatedMs: clock.now(),
        });
        if (row) await q.cancelDeletion(tx, guardId);
        return row;
      });
      if (!active) throw unavailable(`subscription ${id} was changed while being created; read it again`, 5);
      return toSubscription(active, key.value);
    },

    async get(p: Principal, id: string) {
      return toSubscription(await mustFind(p, id));
    },

    async list(p: Principal, offset: number, limit: number) {
      const { rows, total } = await q.page(db, subscriptionSearch.where(p.customerId, false, []), [], offset, limit);
      return page(rows.map((r) => toSubscription(r)), offset, limit, total);
    },

    async search(p: Principal, req: SortableSearchRequest) {
      const offset = req.offset ?? 0;
      const limit = req.limit ?? 100;
      const { where, orderBy } = searchClauses(subscriptionSearch, p, false, req);
      const { rows, total } = await q.page(db, where, orderBy, offset, limit);
      return page(rows.map((r) => toSubscription(r)), offset, limit, total);
    },

    /** Revoke: DeleteUsagePlanKey, then DeleteApiKey (NotFound counts as done); the row stays as REVOKED. */
    async revoke(p: Principal, id: string) {
      const sub = await mustFind(p, id);
      if (sub.status === 'REVOKED') return toSubscription(sub);
      if (sub.status === 'PENDING') throw conflict(`subscription ${id} is still being created; revoke it once it is ACTIVE or FAILED`);
      if (sub.awsApiKeyId !== null) {
        const conn = await connectionQueries.findById(db, p.customerId, sub.connectionId);
        if (conn) await withAws(p, conn, sub.region, 'revoking the API key', (c) => keysAws.deleteKey(c, sub.usagePlanId, sub.awsApiKeyId!));
      }
      const row = await db.transaction(async (tx) => {
        const done = await q.updateIf(tx, p.customerId, id, sub, { status: 'REVOKED', lastError: null, updaterId: p.name, updatedMs: clock.now() });
        // Old keys still in their grace period go now too.
        if (done) await q.dueNowForSubscription(tx, id, clock.now());
        return done;
      });
      if (!row) throw conflict(`subscription ${id} changed meanwhile; read it and try again`);
      return toSubscription(row);
    },

    /** A new key into the same plan (value returned once); the old one is deleted when `graceMins` have passed. */
    async rotate(p: Principal, id: string, graceMins: number) {
      const sub = await mustFind(p, id);
      if (sub.status !== 'ACTIVE' && sub.status !== 'SUSPENDED') throw conflict(`subscription ${id} is ${sub.status}; only ACTIVE or SUSPENDED subscriptions rotate`);
      const conn = await usableConnection(p, sub.connectionId, sub.region);
      const nowMs = clock.now();
      const started = await db.transaction(async (tx) => {
        const bumped = await q.updateIf(tx, p.customerId, id, sub, { rotations: sub.rotations + 1 });
        if (!bumped) return undefined;
        const g = guard(bumped, bumped.rotations, nowMs);
        await q.scheduleDeletion(tx, g);
        return { row: bumped, guardId: g.id };
      });
      if (!started) throw conflict(`subscription ${id} changed meanwhile; read it and try again`);
      const { row, guardId } = started;
      const key = await withAws(p, conn, sub.region, 'rotating the API key', (c) =>
        makeKey(c, { sub: row, rotation: row.rotations, enabled: sub.status === 'ACTIVE', guardId }),
      );
      const rotated = await db.transaction(async (tx) => {
        const changed = await q.updateIf(tx, p.customerId, id, row, {
          awsApiKeyId: key.id,
          previousAwsApiKeyIds: row.awsApiKeyId ? [...row.previousAwsApiKeyIds, row.awsApiKeyId].slice(-MAX_PREVIOUS_KEYS) : row.previousAwsApiKeyIds,
          valueSha256: sha256(key.value),
          valueLast4: key.value.slice(-4),
          updaterId: p.name,
          updatedMs: clock.now(),
        });
        if (!changed) return undefined;
        await q.cancelDeletion(tx, guardId);
        await q.scheduleDeletion(tx, {
          ...guard(row, 0, nowMs),
          id: uuidv7(nowMs),
          awsApiKeyId: row.awsApiKeyId,
          keyName: null,
          reason: 'ROTATED',
          dueMs: nowMs + graceMins * 60_000,
        });
        return changed;
      });
      // Changed meanwhile (revoked, another rotation): the guard, now due, deletes the key made here.
      if (!rotated) {
        await q.scheduleDeletionNow(db, guardId, clock.now(), key.id);
        throw conflict(`subscription ${id} changed while rotating; the new key is being deleted again`);
      }
      return toSubscription(rotated, key.value);
    },

    /** Suspend (enabled false) or resume (enabled true) the key in AWS. */
    async setEnabled(p: Principal, id: string, enabled: boolean) {
      const sub = await mustFind(p, id);
      const from = enabled ? 'SUSPENDED' : 'ACTIVE';
      const to = enabled ? 'ACTIVE' : 'SUSPENDED';
      if (sub.status === to) return toSubscription(sub);
      if (sub.status !== from) throw conflict(`subscription ${id} is ${sub.status}; only a ${from} subscription can be ${enabled ? 'resumed' : 'suspended'}`);
      const conn = await usableConnection(p, sub.connectionId, sub.region);
      await withAws(p, conn, sub.region, enabled ? 'enabling the API key' : 'disabling the API key', (c) => keysAws.setEnabled(c, sub.awsApiKeyId!, enabled));
      const row = await db.transaction(async (tx) => {
        const done = await q.updateIf(tx, p.customerId, id, sub, { status: to, updaterId: p.name, updatedMs: clock.now() });
        // A suspended subscription has no working key: an old key still in its rotation grace period goes now.
        if (done && !enabled) await q.dueNowForSubscription(tx, id, clock.now());
        return done;
      });
      if (!row) throw conflict(`subscription ${id} changed meanwhile; read it and try again`);
      return toSubscription(row);
    },

    async usagePlans(p: Principal, filter: { connectionId?: string; region?: string }, offset: number, limit: number) {
      const { rows, total } = await usagePlanQueries.list(db, p.customerId, filter, offset, limit);
      return page(rows.map(toUsagePlan), offset, limit, total);
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
