import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import type { Tx } from '../../db/tx.ts';
import type { IntegrationQueries, IntegrationViewRow } from '../../db/queries/integrations.ts';
import type { Clock } from '../../lib/clock.ts';
import { CONFIG_KEY, type CloudIntegrationWrite } from '../../schemas/cloudIntegration.ts';
import { badRequest, notFound } from '../../errors.ts';
import type { Principal } from './tokens.ts';
import type { ExternalIdService } from './externalIds.ts';
import { bucketOf, type CredentialCheck } from './credentialCheck.ts';
import { readIntegrationInput, normalizeService } from './integrationInput.ts';
import { toCloudIntegration } from './integrationView.ts';
import { scheduledLifecycle } from '../scheduledLifecycle.ts';

interface Deps {
  db: Db;
  queries: IntegrationQueries;
  externalIds: ExternalIdService;
  credentialCheck: CredentialCheck;
  clock: Clock;
}

/** The rules of the cloudintegration resource: create, read, replace, trash, enable/disable. */
export function createIntegrationService(deps: Deps) {
  const { db, queries, externalIds, credentialCheck, clock } = deps;

  async function mustFind(p: Principal, id: string): Promise<IntegrationViewRow> {
    const row = await queries.findById(p.customerId, id);
    if (!row) throw notFound(`cloud integration ${id} does not exist`);
    return row;
  }

  /** Runs `change` on the locked row in a transaction; 404 when the row is gone. */
  async function changeLocked(p: Principal, id: string, change: (row: IntegrationViewRow, tx: Tx) => Promise<IntegrationViewRow | undefined>) {
    return db.transaction(async (tx) => {
      const row = await queries.lockById(tx, p.customerId, id);
      if (!row) throw notFound(`cloud integration ${id} does not exist`);
      const changed = await change(row, tx);
      return toCloudIntegration(changed ?? row);
    });
  }

  const lifecycle = scheduledLifecycle({ clock, changeLocked, update: queries.update });

  return {
    async create(p: Principal, body: CloudIntegrationWrite) {
      const input = readIntegrationInput(body, 'create');
      const externalId = input.externalId!;
      // Cheap checks first, then AWS (outside any transaction), then the binding under a row lock. With
      // forceSave there is no AWS call to spare, and bind() makes the same checks.
      if (!input.forceSave) {
        await externalIds.precheck(p.customerId, externalId, input.roleArn);
        await credentialCheck({ roleArn: input.roleArn, externalId, bucket: bucketOf(input.service, input.config) });
      }
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await externalIds.bind(tx, p.customerId, externalId, input.roleArn);
        return queries.insert(tx, {
          id: randomUUID(),
          customerId: p.customerId,
          name: input.name,
          service: input.service,
          refreshMins: input.refreshMins,
          additionalTags: input.additionalTags,
          config: input.config,
          roleArn: input.roleArn,
          externalId,
          creatorId: p.name,
          updaterId: p.name,
          createdMs: now,
          updatedMs: now,
          nextRunAt: new Date(now), // a new integration is collected at once
        });
      });
      return toCloudIntegration(row);
    },

    async get(p: Principal, id: string) {
      return toCloudIntegration(await mustFind(p, id));
    },

    async list(p: Principal, offset: number, limit: number) {
      const { rows, total } = await queries.listLive(p.customerId, offset, limit);
      return {
        items: rows.map(toCloudIntegration),
        offset,
        limit,
        totalItems: total,
        moreItems: offset + rows.length < total,
      };
    },

    /** Full replace of the writable fields. The stored external ID is kept; service and external ID cannot change. */
    async update(p: Principal, id: string, body: CloudIntegrationWrite) {
      const current = await mustFind(p, id);
      const service = normalizeService(body.service);
      if (service !== current.service) {
        throw badRequest(`service cannot be changed (it is ${current.service}); create a new integration instead`);
      }
      const input = readIntegrationInput(body, 'update');
      const key = CONFIG_KEY[service];
      if (input.externalId !== undefined && input.externalId !== current.externalId) {
        throw badRequest(`${key}.baseCredentials.externalId cannot be changed; create a new integration for another external ID`);
      }
      const roleChanged = input.roleArn !== current.roleArn;
      if (roleChanged && !input.forceSave) {
        await credentialCheck({ roleArn: input.roleArn, externalId: current.externalId, bucket: bucketOf(service, input.config) });
      }
      return changeLocked(p, id, async (row, tx) => {
        if (roleChanged) {
          // Rebind first: it locks the external ID's row, which a create takes too (bind) before it adds an
          // integration with that ID. The check below then sees every committed create, and a create that
          // waits for the lock sees the new role. A 400 rolls the rebinding back.
          await externalIds.rebind(tx, p.customerId, row.externalId, input.roleArn);
          const other = await queries.otherRoleForExternalId(tx, p.customerId, row.externalId, input.roleArn, row.id);
          if (other) {
            throw badRequest(
              `externalId "${row.externalId}" is also used by integration ${other.id} with role ${other.roleArn}; one external ID can back integrations of one role only`,
            );
          }
        }
        return queries.update(tx, p.customerId, id, {
          name: input.name,
          refreshMins: input.refreshMins,
          additionalTags: input.additionalTags,
          config: input.config,
          roleArn: input.roleArn,
          updaterId: p.name,
          updatedMs: clock.now(),
        });
      });
    },

    /** To the trash by default; for good with skipTrash (every later call on the id is a 404). */
    async remove(p: Principal, id: string, skipTrash: boolean) {
      if (skipTrash) {
        // One statement, atomic on its own: no transaction or row lock to take first.
        const gone = await queries.remove(db, p.customerId, id);
        if (!gone) throw notFound(`cloud integration ${id} does not exist`);
        return toCloudIntegration({ ...gone, inTrash: true });
      }
      return changeLocked(p, id, async (row, tx) => {
        if (row.inTrash) return row;
        const now = clock.now();
        return queries.update(tx, p.customerId, id, { inTrash: true, trashedMs: now, updaterId: p.name, updatedMs: now, leaseOwner: null, leaseToken: null, leaseExpiresAt: null });
      });
    },

    ...lifecycle,

    /** Deletes trash older than the retention; returns how many went. */
    purgeTrash: (retentionMs: number) => queries.purgeTrash(clock.now() - retentionMs),
  };
}

export type IntegrationService = ReturnType<typeof createIntegrationService>;
