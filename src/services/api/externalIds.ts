import type { ExternalIdQueries } from '../../db/queries/externalIds.ts';
import type { Tx } from '../../db/tx.ts';
import type { ExternalIdRow } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { randomAlphanumeric } from '../../lib/random.ts';
import { badRequest, notFound } from '../../errors.ts';

export const EXTERNAL_ID_LENGTH = 16;

/**
 * External IDs: issued per customer, expire unused after a TTL, bound to the first role that uses them.
 * A role's trust policy names one external ID, so one ID may back several integrations only with one role.
 */
export function createExternalIdService(deps: { queries: ExternalIdQueries; clock: Clock; ttlMs: number }) {
  const { queries, clock, ttlMs } = deps;

  const live = (row: ExternalIdRow | undefined, now: number) =>
    row !== undefined && row.deletedMs === null && (row.usedMs !== null || row.expiresMs > now);

  /** Why `row` cannot back an integration with `roleArn`, or null when it can. */
  function problem(value: string, row: ExternalIdRow | undefined, roleArn: string, now: number): string | null {
    if (!row) {
      return `externalId "${value}" was not issued by this server for your account; create one with POST /api/v2/cloudintegration/awsExternalId`;
    }
    if (row.deletedMs !== null) return `externalId "${value}" was deleted; create a new one with POST /api/v2/cloudintegration/awsExternalId`;
    if (row.usedMs === null && row.expiresMs <= now) {
      return `externalId "${value}" expired unused; create a new one with POST /api/v2/cloudintegration/awsExternalId`;
    }
    if (row.roleArn !== null && row.roleArn !== roleArn) {
      return `externalId "${value}" is already used with role ${row.roleArn}; one external ID can back integrations of one role only`;
    }
    return null;
  }

  return {
    async issue(customerId: string): Promise<string> {
      const now = clock.now();
      const value = randomAlphanumeric(EXTERNAL_ID_LENGTH);
      await queries.insert({ value, customerId, createdMs: now, expiresMs: now + ttlMs });
      return value;
    },

    async confirm(customerId: string, value: string): Promise<string> {
      const row = await queries.find(customerId, value);
      if (!live(row, clock.now())) throw notFound(`external ID "${value}" does not exist, expired or was deleted`);
      return value;
    },

    async remove(customerId: string, value: string): Promise<string> {
      if (!(await queries.markDeleted(customerId, value, clock.now()))) {
        throw notFound(`external ID "${value}" does not exist or was already deleted`);
      }
      return value;
    },

    /** Fails fast, before any AWS call, when the ID cannot back this role. Reads without locking. */
    async precheck(customerId: string, value: string, roleArn: string) {
      const why = problem(value, await queries.find(customerId, value), roleArn, clock.now());
      if (why) throw badRequest(why);
    },

    /** Inside the write transaction: re-checks under a row lock and binds the ID to the role. */
    async bind(tx: Tx, customerId: string, value: string, roleArn: string) {
      const now = clock.now();
      const why = problem(value, await queries.lock(tx, customerId, value), roleArn, now);
      if (why) throw badRequest(why);
      await queries.bind(tx, value, roleArn, now);
    },

    /**
     * On an update that changes the role: rebinds a still-existing ID to the new role. A deleted or purged
     * ID is left alone; the integration keeps its stored copy (SPEC §5).
     */
    async rebind(tx: Tx, customerId: string, value: string, roleArn: string) {
      const row = await queries.lock(tx, customerId, value);
      if (row && row.deletedMs === null) await queries.bind(tx, value, roleArn, clock.now());
    },

    purge: (cutoffMs: number) => queries.purge(cutoffMs),
  };
}

export type ExternalIdService = ReturnType<typeof createExternalIdService>;
