import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { connectionQueries as queries, type ConnectionViewRow } from '../../db/queries/apiGatewayConnections.ts';
import type { IntegrationQueries } from '../../db/queries/integrations.ts';
import { subscriptionQueries } from '../../db/queries/apiGatewaySubscriptions.ts';
import type { Tx } from '../../db/tx.ts';
import { badRequest, conflict, forbidden, notFound, unavailable } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { ApiGatewayConnectionWrite } from '../../schemas/apiGatewayConnection.ts';
import type { SortableSearchRequest } from '../../schemas/search.ts';
import { connectionSearch } from '../../db/queries/search.ts';
import { searchClauses } from '../api/search.ts';
import type { ExternalIdService } from '../api/externalIds.ts';
import type { SecretBox } from '../secrets/secretBox.ts';
import type { Principal } from '../api/tokens.ts';
import type { AwsAccess } from '../collection/aws/access.ts';
import type { ConnectionCredentials } from '../collection/aws/connectionCredentials.ts';
import { checkConnection, checkOnWrite } from './connectionCheck.ts';
import { readConnectionInput, type ConnectionInput } from './connectionInput.ts';
import { credentialsView, settingsOf, toApiGatewayConnection } from './connectionView.ts';
import { connectionPolicy } from './policy.ts';
import { scheduledLifecycle } from '../scheduledLifecycle.ts';

interface Deps {
  db: Db;
  externalIds: ExternalIdService;
  /** The integrations' queries: an external ID may back integrations and connections, always of one role. */
  integrationQueries: IntegrationQueries;
  secrets: SecretBox;
  aws: AwsAccess;
  clock: Clock;
  settings: { stsRegion: string; ambientCustomers: string[]; principalArn?: string };
}

const ISSUE_HINT = 'create one with POST /api/v2/cloudintegration/awsExternalId';

/**
 * The rules of the apigatewayconnection resource (SPEC-apigateway §1–§2): create, read, replace, trash,
 * enable/disable, search, the credentials check on write, the IAM policy and the per-region check.
 */
export function createConnectionService(deps: Deps) {
  const { db, externalIds, integrationQueries, secrets, aws, clock, settings } = deps;

  async function mustFind(p: Principal, id: string): Promise<ConnectionViewRow> {
    const row = await queries.findById(db, p.customerId, id);
    if (!row) throw notFound(`API Gateway connection ${id} does not exist`);
    return row;
  }

  async function changeLocked(p: Principal, id: string, change: (row: ConnectionViewRow, tx: Tx) => Promise<ConnectionViewRow | undefined>) {
    return db.transaction(async (tx) => {
      const row = await queries.lockById(tx, p.customerId, id);
      if (!row) throw notFound(`API Gateway connection ${id} does not exist`);
      return toApiGatewayConnection((await change(row, tx)) ?? row);
    });
  }

  /** AMBIENT acts as the server's own AWS identity: only for the customers the operator names. */
  function assertAmbientAllowed(p: Principal) {
    const allowed = settings.ambientCustomers;
    if (allowed.includes('*') || allowed.includes(p.customerId)) return;
    throw forbidden(
      `credentials type AMBIENT uses this server's own AWS identity (its instance, task or pod role), not an identity of your account, ` +
        `so it is allowed only for customers the operator lists in SKYPORT_AMBIENT_CUSTOMERS, and customer "${p.customerId}" is not listed; ` +
        'use ROLE (a role with an external ID) or ACCESS_KEY instead',
    );
  }

  async function decryptSecret(p: Principal, id: string): Promise<string> {
    const stored = await queries.secretOf(db, p.customerId, id);
    if (!stored) throw unavailable(`API Gateway connection ${id} has no stored secret`, 60);
    try {
      return await secrets.decrypt(stored, id);
    } catch (err) {
      throw unavailable(`the stored secret of connection ${id} cannot be read: ${(err as Error).message}`, 3600);
    }
  }

  /** Binds (or re-binds, on a role change) the connection's external ID inside the write transaction. */
  async function bindExternalId(tx: Tx, p: Principal, id: string, input: ConnectionInput, before?: ConnectionViewRow) {
    const { externalId, roleArn } = input.credentials;
    if (externalId === undefined || roleArn === undefined) return;
    if (before && before.externalId === externalId) {
      if (before.roleArn === roleArn) return;
      // The same ID with another role: allowed when nothing else uses the ID with the old role (SPEC.md §5).
      const other =
        (await queries.otherRoleForExternalId(tx, p.customerId, externalId, roleArn, id)) ??
        (await integrationQueries.otherRoleForExternalId(tx, p.customerId, externalId, roleArn, id));
      if (other) {
        throw badRequest(`credentials.externalId "${externalId}" is also used by ${other.id} with role ${other.roleArn}; one external ID can back one role only`);
      }
      await externalIds.rebind(tx, p.customerId, externalId, roleArn);
      return;
    }
    await externalIds.bind(tx, p.customerId, externalId, roleArn);
  }

  const columns = (input: ConnectionInput) => ({
    name: input.name,
    credentialType: input.credentials.type,
    roleArn: input.credentials.roleArn ?? null,
    externalId: input.credentials.externalId ?? null,
    accessKeyId: input.credentials.accessKeyId ?? null,
    regions: input.regions,
    apiTypes: input.apiTypes,
    stages: input.stages,
    apiFilter: input.apiFilter,
    export: input.export,
    subscriptions: input.subscriptions,
    traffic: input.traffic,
    syncIntervalMins: input.syncIntervalMins,
    additionalTags: input.additionalTags,
  });

  /**
   * A connection whose subscriptions still have keys in AWS is not deleted: its keys would keep working with
   * nothing in Skyport left to revoke them (the trash is purged after its retention, taking the rows along).
   */
  async function refuseWithLiveKeys(tx: Tx, p: Principal, row: ConnectionViewRow) {
    const live = await subscriptionQueries.countWithKeys(tx, p.customerId, row.id);
    if (live === 0) return;
    throw conflict(
      `API Gateway connection ${row.id} has ${live} subscription${live === 1 ? '' : 's'} whose API keys are still in AWS; ` +
        'revoke them first (DELETE /api/v2/apigatewaysubscription/{id}), then delete the connection',
    );
  }

  const lifecycle = scheduledLifecycle({ clock, changeLocked, update: queries.update });

  return {
    async create(p: Principal, body: ApiGatewayConnectionWrite) {
      const input = readConnectionInput(body);
      const c = input.credentials;
      if (c.type === 'AMBIENT') assertAmbientAllowed(p);
      if (c.type === 'ROLE' && c.externalId === undefined) throw badRequest(`credentials.externalId is required for type ROLE; ${ISSUE_HINT}`);
      if (c.type === 'ACCESS_KEY' && c.secretAccessKey === undefined) throw badRequest('credentials.secretAccessKey is required for type ACCESS_KEY');
      // Cheap checks first, then AWS (outside any transaction), then the binding under a row lock.
      if (c.externalId !== undefined && c.roleArn !== undefined) await externalIds.precheck(p.customerId, c.externalId, c.roleArn);
      if (!input.forceSave) await checkOnWrite(aws, settings.stsRegion, c, input.regions);
      const id = randomUUID();
      const secretCiphertext = c.secretAccessKey !== undefined ? await secrets.encrypt(c.secretAccessKey, id) : null;
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        await bindExternalId(tx, p, id, input);
        return queries.insert(tx, {
          id,
          customerId: p.customerId,
          ...columns(input),
          secretCiphertext,
          creatorId: p.name,
          updaterId: p.name,
          createdMs: now,
          updatedMs: now,
          nextRunAt: new Date(now), // a new connection is synced at once
        });
      });
      return toApiGatewayConnection(row);
    },

    async get(p: Principal, id: string) {
      return toApiGatewayConnection(await mustFind(p, id));
    },

    async list(p: Principal, offset: number, limit: number) {
      const { rows, total } = await queries.page(db, connectionSearch.where(p.customerId, false, []), [], offset, limit);
      return { items: rows.map(toApiGatewayConnection), offset, limit, totalItems: total, moreItems: offset + rows.length < total };
    },

    async search(p: Principal, trashed: boolean, req: SortableSearchRequest) {
      const offset = req.offset ?? 0;
      const limit = req.limit ?? 100;
      const { where, orderBy } = searchClauses(connectionSearch, p, trashed, req);
      const { rows, total } = await queries.page(db, where, orderBy, offset, limit);
      return { items: rows.map(toApiGatewayConnection), offset, limit, totalItems: total, moreItems: offset + rows.length < total };
    },

    /**
     * Full replace of the writable fields. Left out: the external ID (with a role) and the secret (same access
     * key id) keep their stored values. Changed credentials are checked against AWS unless forceSave.
     */
    async update(p: Principal, id: string, body: ApiGatewayConnectionWrite) {
      const current = await mustFind(p, id);
      const input = readConnectionInput(body);
      const c = input.credentials;
      if (c.type === 'AMBIENT') assertAmbientAllowed(p);
      if (c.roleArn !== undefined && c.externalId === undefined && current.externalId !== null) c.externalId = current.externalId;
      if (c.type === 'ROLE' && c.externalId === undefined) throw badRequest(`credentials.externalId is required for type ROLE; ${ISSUE_HINT}`);
      const keepsSecret = c.type === 'ACCESS_KEY' && c.secretAccessKey === undefined;
      if (keepsSecret && !(current.credentialType === 'ACCESS_KEY' && current.accessKeyId === c.accessKeyId)) {
        throw badRequest('credentials.secretAccessKey is required: the stored secret belongs to another access key id (or none)');
      }
      let storedSecret: string | undefined;
      if (current.credentialType === 'ACCESS_KEY' && c.type === 'ACCESS_KEY') {
        storedSecret = await decryptSecret(p, id).catch((err) => (keepsSecret ? Promise.reject(err) : undefined));
      }
      const changed =
        c.type !== current.credentialType ||
        (c.roleArn ?? null) !== current.roleArn ||
        (c.externalId ?? null) !== current.externalId ||
        (c.accessKeyId ?? null) !== current.accessKeyId ||
        (c.secretAccessKey !== undefined && c.secretAccessKey !== storedSecret);
      if (changed && !input.forceSave) {
        if (c.externalId !== undefined && c.externalId !== current.externalId && c.roleArn !== undefined) {
          await externalIds.precheck(p.customerId, c.externalId, c.roleArn);
        }
        await checkOnWrite(aws, settings.stsRegion, { ...c, secretAccessKey: c.secretAccessKey ?? storedSecret }, input.regions);
      }
      const secretCiphertext =
        c.type !== 'ACCESS_KEY' ? null : c.secretAccessKey !== undefined ? await secrets.encrypt(c.secretAccessKey, id) : undefined;
      return changeLocked(p, id, async (row, tx) => {
        await bindExternalId(tx, p, id, input, row);
        return queries.update(tx, p.customerId, id, {
          ...columns(input),
          ...(secretCiphertext !== undefined ? { secretCiphertext } : {}),
          updaterId: p.name,
          updatedMs: clock.now(),
        });
      });
    },

    /** To the trash by default; for good with skipTrash (every later call on the id is a 404). */
    async remove(p: Principal, id: string, skipTrash: boolean) {
      if (skipTrash) {
        let gone: ConnectionViewRow | undefined;
        await changeLocked(p, id, async (row, tx) => {
          await refuseWithLiveKeys(tx, p, row);
          gone = await queries.remove(tx, p.customerId, id);
          return row;
        });
        return toApiGatewayConnection({ ...gone!, inTrash: true });
      }
      return changeLocked(p, id, async (row, tx) => {
        if (row.inTrash) return row;
        await refuseWithLiveKeys(tx, p, row);
        const now = clock.now();
        return queries.update(tx, p.customerId, id, {
          inTrash: true,
          trashedMs: now,
          updaterId: p.name,
          updatedMs: now,
          leaseOwner: null,
          leaseToken: null,
          leaseExpiresAt: null,
        });
      });
    },

    ...lifecycle,

    async policy(p: Principal, id: string) {
      const row = await mustFind(p, id);
      const view = credentialsView(row);
      return connectionPolicy({ ...view, type: row.credentialType as ConnectionCredentials['type'] }, settingsOf(row), settings.principalArn);
    },

    async check(p: Principal, id: string) {
      const row = await mustFind(p, id);
      const view = credentialsView(row);
      const creds: ConnectionCredentials = { ...view, type: row.credentialType as ConnectionCredentials['type'], secretAccessKey: undefined };
      if (creds.type === 'AMBIENT') assertAmbientAllowed(p);
      if (creds.type === 'ACCESS_KEY') creds.secretAccessKey = await decryptSecret(p, id);
      return checkConnection(aws, settings.stsRegion, creds, settingsOf(row));
    },

    /** Deletes trash older than the retention; returns how many went. */
    purgeTrash: (retentionMs: number) => queries.purgeTrash(db, clock.now() - retentionMs),
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;
