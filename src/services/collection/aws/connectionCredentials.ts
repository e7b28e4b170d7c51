import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash, randomBytes } from 'node:crypto';
import { awsStep } from './blame.ts';
import type { AwsClientFactory, CallTally, IntegrationAccess } from './clientFactory.ts';
import { accountOfRole, type RoleCredentials } from './credentials.ts';

/**
 * An API Gateway connection's credentials with the secret in clear (only in memory, only while AWS is called):
 * ROLE (assumed by Skyport with the issued external ID), ACCESS_KEY (the keys act, or sign the AssumeRole of
 * `roleArn`), AMBIENT (Skyport's own identity acts, or assumes `roleArn`).
 */
export interface ConnectionCredentials {
  type: 'ROLE' | 'ACCESS_KEY' | 'AMBIENT';
  roleArn?: string;
  externalId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface ConnectionRef {
  /** The stored connection: its assumed-role credentials are cached under this id. Unset (a check): nothing is cached. */
  id?: string;
  credentials: ConnectionCredentials;
}

/** What one run (a sync, a check) of a connection uses: the same shape collection's integrations get. */
export type ConnectionAccess = IntegrationAccess;

/** A secret is named in cache keys by a digest only. */
const signerKeyOf = (keys: AwsCredentialIdentity) => `${keys.accessKeyId}:${createHash('sha256').update(keys.secretAccessKey).digest('hex').slice(0, 16)}`;

/**
 * Resolves connections' credentials into rate-limited, counted SDK clients, in the places collection's own
 * integrations use: roles through the role credentials cache (one AssumeRole per session, renewed before it
 * expires), every STS call on the shared pool and counted in the run's tally. Failures are AwsStepErrors
 * naming the step (sts:GetCallerIdentity, sts:AssumeRole) with the blame decided once.
 */
export function createConnectionCredentials(deps: {
  clients: AwsClientFactory;
  roles: RoleCredentials;
  /** Skyport's own identity (the configured one, else the SDK's default chain). */
  own: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}) {
  const { clients, roles, own } = deps;

  return {
    /**
     * Usable credentials and clients for one run of a connection, checked against STS: GetCallerIdentity for
     * access keys and the ambient identity (it gives their account), AssumeRole where a role is named (from
     * the cache when its session is still fresh). Throws AwsStepError. `tally`: where the run counts its calls
     * (kept by the caller, so calls of a failed attempt count too).
     */
    async forConnection(ref: ConnectionRef, signal: AbortSignal, tally: CallTally = new Map()): Promise<ConnectionAccess> {
      const c = ref.credentials;
      const keys = c.type === 'ACCESS_KEY' ? { accessKeyId: c.accessKeyId ?? '', secretAccessKey: c.secretAccessKey ?? '' } : undefined;
      const signedBySkyport = keys === undefined;
      const signer = clients.sts(keys ?? own, tally, keys?.accessKeyId ?? 'skyport');
      let accountId = c.roleArn !== undefined ? accountOfRole(c.roleArn) : '';
      if (c.type !== 'ROLE') {
        const who = await awsStep('sts:GetCallerIdentity', signedBySkyport, () => signer.send(new GetCallerIdentityCommand({}), { abortSignal: signal }));
        if (c.roleArn === undefined) accountId = who.Account ?? '';
      }
      let provider: AwsCredentialIdentityProvider;
      if (c.roleArn === undefined) {
        // No role to assume: the keys, or Skyport's own identity, act directly (a provider of this run's own,
        // so its clients count into this run's tally).
        const identity = keys ?? own;
        provider = typeof identity === 'function' ? () => identity() : async () => identity;
      } else {
        const id = ref.id ?? `check-${randomBytes(6).toString('hex')}`;
        provider = roles.providerFor({ id, roleArn: c.roleArn, externalId: c.externalId, signerKey: keys && signerKeyOf(keys) }, signer);
        if (ref.id === undefined) roles.drop(id);
        // Assumed now, so a role that rejects the connection fails here with the step named.
        await awsStep('sts:AssumeRole', signedBySkyport, () => provider());
      }
      return { accountId, credentials: provider, aws: clients.forRole(accountId, provider, tally) };
    },

  };
}
