import { and, asc, count, eq, inArray, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import { apiGatewayKeyDeletions as d, apiGatewaySubscriptions as t, type ApiGatewayKeyDeletionRow, type ApiGatewaySubscriptionRow } from '../schema.ts';
import { isIntegrationId } from './integrations.ts';
import type { DbOrTx } from '../tx.ts';

export type SubscriptionInsert = typeof t.$inferInsert;
export type KeyDeletionInsert = typeof d.$inferInsert;

const mine = (customerId: string, id: string) => and(eq(t.id, id), eq(t.customerId, customerId));

/** Every query of the apigateway_subscriptions and apigateway_key_deletions tables. */
export const subscriptionQueries = {
  /** Inserts a new row; undefined when its idempotency key is already held by another row (the race's loser). */
  async insertUnlessKeyTaken(db: DbOrTx, row: SubscriptionInsert): Promise<ApiGatewaySubscriptionRow | undefined> {
    const [stored] = await db.insert(t).values(row).onConflictDoNothing({ target: [t.customerId, t.idempotencyKey] }).returning();
    return stored;
  },

  async findByIdempotencyKey(db: DbOrTx, customerId: string, key: string): Promise<ApiGatewaySubscriptionRow | undefined> {
    const [row] = await db.select().from(t).where(and(eq(t.customerId, customerId), eq(t.idempotencyKey, key)));
    return row;
  },

  /** Frees idempotency keys whose 24 hours are over (the key may then name a new subscription). */
  async releaseExpiredKey(db: DbOrTx, customerId: string, key: string, nowMs: number): Promise<void> {
    await db
      .update(t)
      .set({ idempotencyKey: null, requestSha256: null, idempotencyExpiresMs: null })
      .where(and(eq(t.customerId, customerId), eq(t.idempotencyKey, key), lte(t.idempotencyExpiresMs, nowMs)));
  },

  async findById(db: DbOrTx, customerId: string, id: string): Promise<ApiGatewaySubscriptionRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db.select().from(t).where(mine(customerId, id));
    return row;
  },

  /**
   * Changes a row only if it is still as the caller read it (`expect`: status and key), so concurrent changes
   * of one subscription never overwrite each other. Returns the new row, or undefined when it had changed.
   */
  async updateIf(
    db: DbOrTx,
    customerId: string,
    id: string,
    expect: { status: string; awsApiKeyId: string | null },
    set: Partial<SubscriptionInsert>,
  ): Promise<ApiGatewaySubscriptionRow | undefined> {
    const key = expect.awsApiKeyId === null ? sql`${t.awsApiKeyId} IS NULL` : eq(t.awsApiKeyId, expect.awsApiKeyId);
    const [row] = await db.update(t).set(set).where(and(mine(customerId, id), eq(t.status, expect.status), key)).returning();
    return row;
  },

  async page(db: DbOrTx, where: SQL, orderBy: SQL[], offset: number, limit: number) {
    const [rows, [{ n }]] = await Promise.all([
      db.select().from(t).where(where).orderBy(...orderBy, asc(t.createdMs), asc(t.id)).limit(limit).offset(offset),
      db.select({ n: count() }).from(t).where(where),
    ]);
    return { rows, total: n };
  },

  /** Subscriptions of one connection × region in the given states (what a sync reconciles). */
  /** Subscriptions of a connection whose key may still be in AWS (every status but REVOKED and FAILED). */
  async countWithKeys(db: DbOrTx, customerId: string, connectionId: string): Promise<number> {
    const [row] = await db
      .select({ n: count() })
      .from(t)
      .where(and(eq(t.customerId, customerId), eq(t.connectionId, connectionId), notInArray(t.status, ['REVOKED', 'FAILED'])));
    return row?.n ?? 0;
  },

  async ofRegion(db: DbOrTx, connectionId: string, region: string, statuses: string[]): Promise<ApiGatewaySubscriptionRow[]> {
    return db
      .select()
      .from(t)
      .where(and(eq(t.connectionId, connectionId), eq(t.region, region), inArray(t.status, statuses)));
  },

  /** Which of these AWS key ids (or subscription ids, for keys being made) Skyport knows in a customer. */
  async knownKeys(db: DbOrTx, customerId: string, keyIds: string[], subscriptionIds: string[]): Promise<{ keyIds: Set<string>; subscriptionIds: Set<string> }> {
    const keys = new Set<string>();
    const subs = new Set<string>();
    if (keyIds.length > 0) {
      for (const r of await db.select({ k: t.awsApiKeyId }).from(t).where(and(eq(t.customerId, customerId), inArray(t.awsApiKeyId, keyIds)))) keys.add(r.k!);
      for (const r of await db.select({ k: d.awsApiKeyId }).from(d).where(and(eq(d.customerId, customerId), inArray(d.awsApiKeyId, keyIds)))) keys.add(r.k!);
    }
    const ids = subscriptionIds.filter(isIntegrationId);
    if (ids.length > 0) {
      for (const r of await db.select({ id: t.id }).from(t).where(and(eq(t.customerId, customerId), inArray(t.id, ids), eq(t.status, 'PENDING')))) subs.add(r.id);
    }
    return { keyIds: keys, subscriptionIds: subs };
  },

  // ---- key deletions ------------------------------------------------------------------------------------

  async scheduleDeletion(db: DbOrTx, row: KeyDeletionInsert): Promise<void> {
    await db.insert(d).values(row);
  },

  /** Makes a (guard) deletion due at once, naming the key when it is known. */
  async scheduleDeletionNow(db: DbOrTx, id: string, nowMs: number, awsApiKeyId?: string): Promise<void> {
    await db
      .update(d)
      .set({ dueMs: nowMs, ...(awsApiKeyId !== undefined ? { awsApiKeyId } : {}) })
      .where(eq(d.id, id));
  },

  /** Every pending deletion of a subscription becomes due now (a revoke takes old keys in their grace period too). */
  async dueNowForSubscription(db: DbOrTx, subscriptionId: string, nowMs: number): Promise<void> {
    await db.update(d).set({ dueMs: nowMs }).where(eq(d.subscriptionId, subscriptionId));
  },

  async cancelDeletion(db: DbOrTx, id: string): Promise<void> {
    await db.delete(d).where(eq(d.id, id));
  },

  /** Claims up to `limit` due deletions whose lease is free or lapsed; one statement, so two replicas never share one. */
  async claimDueDeletions(db: DbOrTx, nowMs: number, leaseMs: number, limit: number): Promise<ApiGatewayKeyDeletionRow[]> {
    const res = await db.execute(sql`
      UPDATE ${d} AS k
         SET lease_token = gen_random_uuid(), lease_expires_ms = ${nowMs + leaseMs}, attempts = k.attempts + 1
        FROM (
          SELECT id FROM ${d}
           WHERE due_ms <= ${nowMs} AND (lease_expires_ms IS NULL OR lease_expires_ms < ${nowMs})
           ORDER BY due_ms
           LIMIT ${limit}
             FOR UPDATE SKIP LOCKED
        ) AS due
       WHERE k.id = due.id
      RETURNING k.*`);
    return (res.rows as Record<string, unknown>[]).map((r) => ({
      id: r.id as string,
      customerId: r.customer_id as string,
      connectionId: r.connection_id as string,
      subscriptionId: r.subscription_id as string,
      region: r.region as string,
      usagePlanId: r.usage_plan_id as string,
      awsApiKeyId: (r.aws_api_key_id as string | null) ?? null,
      keyName: (r.key_name as string | null) ?? null,
      reason: r.reason as string,
      dueMs: Number(r.due_ms),
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      leaseToken: r.lease_token as string,
      leaseExpiresMs: Number(r.lease_expires_ms),
    }));
  },

  /** Done: the row goes, if this lease still holds it. */
  async finishDeletion(db: DbOrTx, id: string, leaseToken: string): Promise<boolean> {
    const gone = await db.delete(d).where(and(eq(d.id, id), eq(d.leaseToken, leaseToken))).returning({ id: d.id });
    return gone.length > 0;
  },

  /** Failed: tried again at `retryAtMs`. */
  async retryDeletion(db: DbOrTx, id: string, leaseToken: string, retryAtMs: number, error: string): Promise<void> {
    await db
      .update(d)
      .set({ dueMs: retryAtMs, lastError: error.slice(0, 2000), leaseToken: null, leaseExpiresMs: null })
      .where(and(eq(d.id, id), eq(d.leaseToken, leaseToken)));
  },

  async deletionsOf(db: DbOrTx, subscriptionId: string): Promise<ApiGatewayKeyDeletionRow[]> {
    return db.select().from(d).where(eq(d.subscriptionId, subscriptionId)).orderBy(asc(d.dueMs));
  },
};
