import crypto, { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { activeTokenByHash, insertCustomer, insertFirstToken, insertToken, listTokens, noteTokenUse, revokeToken, upsertBootstrapToken } from '../../db/queries/tokens.ts';
import type { Clock } from '../../lib/clock.ts';
import { newApiToken } from '../../lib/random.ts';
import { badRequest, notFound } from '../../errors.ts';
import { isUuid } from '../../lib/text.ts';

export const PERMISSIONS = ['agent_management'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const DEFAULT_CUSTOMER = 'default';

/** Who is calling: resolved from a token on every API request. */
export interface Principal {
  tokenId: string;
  name: string;
  customerId: string;
  permissions: string[];
}

// Runs on every API request (the auth cache is keyed by the hash): the one-shot crypto.hash (Node >= 20.12)
// costs less than createHash().update().digest().
export const hashToken: (token: string) => string =
  typeof crypto.hash === 'function'
    ? (token) => crypto.hash('sha256', token, 'hex')
    : (token) => createHash('sha256').update(token).digest('hex');

const CUSTOMER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function createTokenService(deps: { db: Db; clock: Clock; cacheTtlMs: number }) {
  const { db, clock, cacheTtlMs } = deps;
  // Verified tokens, by hash. Bounded; entries live cacheTtlMs, so a revocation elsewhere takes
  // effect within that time (a revocation through this process takes effect at once).
  const cache = new Map<string, { principal: Principal; until: number }>();
  const CACHE_MAX = 10_000;
  const LAST_USE_RESOLUTION_MS = 60_000;

  /**
   * Notes the use for `token list`. At most one write per token per minute (the condition makes the others
   * no-ops), and not awaited: a failure to note it must never fail the request it came with.
   */
  const recorded = new Map<string, number>();
  function recordUse(id: string, now: number) {
    // This process noted it less than a minute ago: no query at all.
    if ((recorded.get(id) ?? -Infinity) > now - LAST_USE_RESOLUTION_MS) return;
    if (recorded.size >= CACHE_MAX) recorded.clear();
    recorded.set(id, now);
    noteTokenUse(db, id, new Date(now), new Date(now - LAST_USE_RESOLUTION_MS)).then(() => {}, () => {});
  }

  async function ensureCustomer(customerId: string) {
    if (!CUSTOMER_ID.test(customerId)) {
      throw badRequest(`customer "${customerId}" must be 1-63 characters of a-z, 0-9, _ and -`);
    }
    await insertCustomer(db, customerId);
  }

  async function storeToken(token: string, opts: { name: string; permissions: string[]; customerId: string }) {
    for (const p of opts.permissions) {
      if (!(PERMISSIONS as readonly string[]).includes(p)) throw badRequest(`unknown permission "${p}" (known: ${PERMISSIONS.join(', ')})`);
    }
    await ensureCustomer(opts.customerId);
    const id = randomUUID();
    await insertToken(db, { id, customerId: opts.customerId, name: opts.name, tokenHash: hashToken(token), permissions: opts.permissions });
    return id;
  }

  return {
    ensureCustomer,

    /** Creates a token; the plaintext is returned once and never stored. */
    async create(opts: { name: string; permissions: string[]; customerId?: string }) {
      const token = newApiToken();
      const id = await storeToken(token, { ...opts, customerId: opts.customerId ?? DEFAULT_CUSTOMER });
      return { id, token };
    },

    /** Makes sure a token with exactly this value exists with agent_management (SKYPORT_BOOTSTRAP_TOKEN). */
    async ensureBootstrap(token: string): Promise<boolean> {
      await ensureCustomer(DEFAULT_CUSTOMER);
      // Replicas starting together all get here: the unique index on the hash lets exactly one insert win.
      // A token with this value that was revoked, or lost agent_management, is restored: the variable says
      // this value must work (revoke it by removing the variable, then revoking the token).
      return upsertBootstrapToken(db, { id: randomUUID(), customerId: DEFAULT_CUSTOMER, name: 'bootstrap', tokenHash: hashToken(token), permissions: ['agent_management'] });
    },

    /**
     * On a first start (no token ever created), creates the admin token and returns it; otherwise null.
     * An advisory lock makes replicas that start together on an empty database create only one.
     */
    async createFirstToken(): Promise<string | null> {
      const token = newApiToken();
      const created = await insertFirstToken(db, { id: randomUUID(), customerId: DEFAULT_CUSTOMER, name: 'admin', tokenHash: hashToken(token), permissions: ['agent_management'] });
      return created ? token : null;
    },

    async list(customerId?: string) {
      return listTokens(db, customerId);
    },

    async revoke(id: string) {
      // Token ids are UUIDs; anything else cannot name a token (and would be a SQL error on the uuid column).
      if (!isUuid(id.toLowerCase())) throw notFound(`no active token with id ${id}`);
      const hash = await revokeToken(db, id, new Date(clock.now()));
      if (hash === undefined) throw notFound(`no active token with id ${id}`);
      cache.delete(hash);
    },

    /**
     * The principal of a token verified within the cache TTL, without a promise: the auth hook answers most
     * requests from here and calls verify() only on a miss.
     */
    cached(token: string): Principal | undefined {
      const hit = cache.get(hashToken(token));
      return hit && hit.until > clock.now() ? hit.principal : undefined;
    },

    /** Resolves a presented token to its principal, or null when unknown or revoked. */
    async verify(token: string): Promise<Principal | null> {
      const hash = hashToken(token);
      const now = clock.now();
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.principal;
      const row = await activeTokenByHash(db, hash);
      // The index lookup finds the row; the stored hash is then compared in constant time.
      if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) {
        cache.delete(hash);
        return null;
      }
      const principal: Principal = { tokenId: row.id, name: row.name, customerId: row.customerId, permissions: row.permissions };
      recordUse(row.id, now);
      if (cacheTtlMs > 0) {
        if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
        cache.set(hash, { principal, until: now + cacheTtlMs });
      }
      return principal;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
