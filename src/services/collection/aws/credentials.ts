import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../../../lib/clock.ts';

export const SESSION_SECONDS = 3600;
/** Credentials are renewed this long before they expire, so no call goes out with an expiring key. */
export const REFRESH_BEFORE_MS = 5 * 60_000;

export interface RoleRef {
  /** Names the cache entry (the integration or connection id). */
  id: string;
  roleArn: string;
  /** Integrations always have one; an API Gateway connection with access keys or AMBIENT may not. */
  externalId?: string;
  /** Who signs the AssumeRole when not Skyport itself (an access key id with its secret's digest): a new signer is a new entry. */
  signerKey?: string;
}

/** The 12-digit account of a role ARN (arn:aws:iam::123456789012:role/x). */
export function accountOfRole(roleArn: string): string {
  return roleArn.split(':')[4] ?? '';
}

/** RoleSessionName allows [\w+=,.@-], at most 64 characters; it names Skyport and the integration in CloudTrail. */
export function sessionName(id: string): string {
  return `skyport-${id}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

export async function assumeRole(
  sts: STSClient,
  role: { roleArn: string; externalId?: string; session: string; signal?: AbortSignal },
): Promise<AwsCredentialIdentity> {
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: role.roleArn,
      RoleSessionName: role.session,
      DurationSeconds: SESSION_SECONDS,
      ...(role.externalId !== undefined ? { ExternalId: role.externalId } : {}),
    }),
    { abortSignal: role.signal },
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
  };
}

interface Entry {
  lastUsed: number;
  roleArn: string;
  externalId?: string;
  signerKey?: string;
  /** The STS client the next renewal signs with (the run's own when the run gave one). */
  sts: STSClient;
  current?: AwsCredentialIdentity;
  refreshing?: Promise<AwsCredentialIdentity>;
  provider: AwsCredentialIdentityProvider;
}

/**
 * Assumed-role credentials per integration: one AssumeRole per credential lifetime, renewed 5 minutes before
 * expiry, concurrent renewals coalesced into one STS call, one provider shared by every regional client of
 * the integration. The entry is replaced when the role or external ID changes and dropped on delete.
 */
export function createRoleCredentials(deps: { sts: STSClient; clock: Clock }) {
  const { sts, clock } = deps;
  const entries = new Map<string, Entry>();

  const fresh = (c: AwsCredentialIdentity | undefined) =>
    c !== undefined && (c.expiration === undefined || c.expiration.getTime() - REFRESH_BEFORE_MS > clock.now());

  function refresh(id: string, entry: Entry): Promise<AwsCredentialIdentity> {
    entry.refreshing ??= assumeRole(entry.sts, { roleArn: entry.roleArn, externalId: entry.externalId, session: sessionName(id) })
      .then((c) => {
        entry.current = c;
        return c;
      })
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }

  return {
    /**
     * The credential provider for this role (the same object for the same role, external ID and signer).
     * `signer`: the STS client renewals sign with from now on (an API Gateway connection's access keys, counted
     * in its run); unset: Skyport's own.
     */
    providerFor(role: RoleRef, signer?: STSClient): AwsCredentialIdentityProvider {
      const existing = entries.get(role.id);
      if (existing && existing.roleArn === role.roleArn && existing.externalId === role.externalId && existing.signerKey === role.signerKey) {
        existing.lastUsed = clock.now();
        existing.sts = signer ?? sts;
        return existing.provider;
      }
      const entry: Entry = {
        lastUsed: clock.now(),
        roleArn: role.roleArn,
        externalId: role.externalId,
        signerKey: role.signerKey,
        sts: signer ?? sts,
        provider: async () => (fresh(entry.current) ? entry.current! : refresh(role.id, entry)),
      };
      // This provider already caches and renews by Skyport's clock; marked as memoized, the SDK clients call it
      // on every request instead of keeping a copy of their own that they would renew by Date.now().
      Object.assign(entry.provider, { memoized: true });
      entries.set(role.id, entry);
      return entry.provider;
    },

    /** Forgets an integration's credentials (deleted, or its role changed). */
    drop(id: string) {
      entries.delete(id);
    },

    /** Forgets integrations not collected since `idleMs` ago (deleted, disabled, or moved to another replica). */
    sweep(idleMs: number): number {
      const cutoff = clock.now() - idleMs;
      let dropped = 0;
      for (const [id, entry] of entries) {
        if (entry.lastUsed < cutoff && !entry.refreshing) {
          entries.delete(id);
          dropped++;
        }
      }
      return dropped;
    },

    get size() {
      return entries.size;
    },
  };
}

export type RoleCredentials = ReturnType<typeof createRoleCredentials>;
