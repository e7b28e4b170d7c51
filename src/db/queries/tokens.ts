import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { customers, tokens } from '../schema.ts';
import type { DbOrTx } from '../tx.ts';

/** A token to store: only the hash of its value. */
export interface TokenInsert {
  id: string;
  customerId: string;
  name: string;
  tokenHash: string;
  permissions: string[];
}

export async function insertCustomer(db: DbOrTx, customerId: string): Promise<void> {
  await db.insert(customers).values({ id: customerId }).onConflictDoNothing();
}

export async function insertToken(db: DbOrTx, row: TokenInsert): Promise<void> {
  await db.insert(tokens).values(row);
}

/**
 * Stores the bootstrap token, or restores it (unrevoked, with agent_management) when a token with this hash
 * exists; true when a row was written. The unique index on the hash lets exactly one of several replicas insert.
 */
export async function upsertBootstrapToken(db: DbOrTx, row: TokenInsert): Promise<boolean> {
  const stored = await db
    .insert(tokens)
    .values(row)
    .onConflictDoUpdate({
      target: tokens.tokenHash,
      set: { revokedAt: null, permissions: sql`array(SELECT DISTINCT unnest(${tokens.permissions} || ARRAY['agent_management']))` },
      setWhere: sql`${tokens.revokedAt} IS NOT NULL OR NOT ('agent_management' = ANY(${tokens.permissions}))`,
    })
    .returning({ id: tokens.id });
  return stored.length > 0;
}

/**
 * Stores `row` only if no token was ever created; true when it was. An advisory lock makes replicas that start
 * together on an empty database store only one.
 */
export async function insertFirstToken(db: Db, row: TokenInsert): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7253110043)`);
    const [any] = await tx.select({ id: tokens.id }).from(tokens).limit(1);
    if (any) return false;
    await insertCustomer(tx, row.customerId);
    await insertToken(tx, row);
    return true;
  });
}

/** Every token (or one customer's), oldest first; never the hash. */
export async function listTokens(db: DbOrTx, customerId?: string) {
  return db
    .select({
      id: tokens.id,
      name: tokens.name,
      customerId: tokens.customerId,
      permissions: tokens.permissions,
      createdAt: tokens.createdAt,
      revokedAt: tokens.revokedAt,
      lastUsedAt: tokens.lastUsedAt,
    })
    .from(tokens)
    .where(customerId ? eq(tokens.customerId, customerId) : undefined)
    .orderBy(asc(tokens.createdAt), asc(tokens.id));
}

/** Notes a token's use at `at`, unless it was noted after `notBefore` (at most one write per period). */
export async function noteTokenUse(db: DbOrTx, id: string, at: Date, notBefore: Date): Promise<void> {
  await db
    .update(tokens)
    .set({ lastUsedAt: at })
    .where(and(eq(tokens.id, id), or(isNull(tokens.lastUsedAt), lt(tokens.lastUsedAt, notBefore))));
}

/** Revokes an active token; its hash (to drop from caches), or undefined when no active token has this id. */
export async function revokeToken(db: DbOrTx, id: string, at: Date): Promise<string | undefined> {
  const rows = await db
    .update(tokens)
    .set({ revokedAt: at })
    .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
    .returning({ hash: tokens.tokenHash });
  return rows[0]?.hash;
}

/** The active token with this hash, if any. */
export async function activeTokenByHash(db: DbOrTx, hash: string) {
  const [row] = await db
    .select({ id: tokens.id, name: tokens.name, customerId: tokens.customerId, permissions: tokens.permissions, tokenHash: tokens.tokenHash })
    .from(tokens)
    .where(and(eq(tokens.tokenHash, hash), isNull(tokens.revokedAt)));
  return row;
}
