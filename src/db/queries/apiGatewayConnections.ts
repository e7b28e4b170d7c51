import { and, asc, count, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { apiGatewayConnections, type ApiGatewayConnectionRow } from '../schema.ts';
import { isIntegrationId } from './integrations.ts';
import type { DbOrTx, Tx } from '../tx.ts';

const t = apiGatewayConnections;

/**
 * The columns the API shows (services/apigateway/connectionView.ts). The tenant, the encrypted secret and the
 * scheduler's bookkeeping stay in the database; the secret is read only by `secretOf`, when AWS needs it.
 */
const {
  customerId: _customerId,
  secretCiphertext: _secretCiphertext,
  trashedMs: _trashedMs,
  nextRunAt: _nextRunAt,
  leaseOwner: _leaseOwner,
  leaseToken: _leaseToken,
  leaseExpiresAt: _leaseExpiresAt,
  consecutiveFailures: _consecutiveFailures,
  ...viewColumns
} = getTableColumns(t);
export type ConnectionViewRow = Pick<ApiGatewayConnectionRow, keyof typeof viewColumns>;
export type ConnectionInsert = typeof t.$inferInsert;

const mine = (customerId: string, id: string) => and(eq(t.id, id), eq(t.customerId, customerId));

/** Every query of the apigateway_connections table; each takes the database or a transaction. */
export const connectionQueries = {
  async findById(db: DbOrTx, customerId: string, id: string): Promise<ConnectionViewRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db.select(viewColumns).from(t).where(mine(customerId, id));
    return row;
  },

  /** Locks the row for the rest of the transaction. */
  async lockById(tx: Tx, customerId: string, id: string): Promise<ConnectionViewRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await tx.select(viewColumns).from(t).where(mine(customerId, id)).for('update');
    return row;
  },

  /** The encrypted secret of an ACCESS_KEY connection (null for the other types). */
  async secretOf(db: DbOrTx, customerId: string, id: string): Promise<string | null | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db.select({ secret: t.secretCiphertext }).from(t).where(mine(customerId, id));
    return row?.secret;
  },

  async insert(db: DbOrTx, row: ConnectionInsert): Promise<ConnectionViewRow> {
    const [stored] = await db.insert(t).values(row).returning(viewColumns);
    return stored;
  },

  async update(db: DbOrTx, customerId: string, id: string, set: Partial<ConnectionInsert>): Promise<ConnectionViewRow | undefined> {
    const [row] = await db.update(t).set(set).where(mine(customerId, id)).returning(viewColumns);
    return row;
  },

  async remove(db: DbOrTx, customerId: string, id: string): Promise<ConnectionViewRow | undefined> {
    if (!isIntegrationId(id)) return undefined;
    const [row] = await db.delete(t).where(mine(customerId, id)).returning(viewColumns);
    return row;
  },

  /** Another connection of the customer that uses this external ID with a different role, if any. */
  async otherRoleForExternalId(db: DbOrTx, customerId: string, externalId: string, roleArn: string, exceptId: string) {
    const [row] = await db
      .select({ id: t.id, roleArn: t.roleArn })
      .from(t)
      .where(and(eq(t.customerId, customerId), eq(t.externalId, externalId), sql`${t.roleArn} <> ${roleArn}`, sql`${t.id} <> ${exceptId}`))
      .limit(1);
    return row;
  },

  /** Rows of one customer matching `where`, sorted (then by creation), paged, with the total count. */
  async page(db: Db, where: SQL, orderBy: SQL[], offset: number, limit: number) {
    const [rows, [{ n }]] = await Promise.all([
      db.select(viewColumns).from(t).where(where).orderBy(...orderBy, asc(t.createdMs), asc(t.id)).limit(limit).offset(offset),
      db.select({ n: count() }).from(t).where(where),
    ]);
    return { rows, total: n };
  },

  /** Deletes trashed connections whose trash time is before `cutoffMs`; returns how many. */
  async purgeTrash(db: Db, cutoffMs: number): Promise<number> {
    const rows = await db.delete(t).where(and(eq(t.inTrash, true), sql`${t.trashedMs} < ${cutoffMs}`)).returning({ id: t.id });
    return rows.length;
  },
};

export type ConnectionQueries = typeof connectionQueries;
