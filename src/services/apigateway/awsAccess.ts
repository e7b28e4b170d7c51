import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { randomBytes } from 'node:crypto';
import { clientOptions, type AwsSettings } from '../collection/aws/settings.ts';
import { SESSION_SECONDS, sessionName } from '../collection/aws/credentials.ts';
import { classifyAwsError } from '../collection/aws/errors.ts';
import type { CredentialType } from './connectionInput.ts';

/** A connection's credentials with the secret in clear (only in memory, only while AWS is called). */
export interface ConnectionCredentials {
  type: CredentialType;
  roleArn?: string;
  externalId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * Who is to blame when a step fails: the connection's settings (`request`: a 400 that says what to fix),
 * Skyport's own AWS identity (`server`: a 503 saying Skyport lacks credentials), or AWS for now
 * (`transient`: throttling, 5xx, timeouts; a 503 to retry).
 */
export type Blame = 'request' | 'server' | 'transient';

export class AwsStepError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    readonly blame: Blame,
    message: string,
  ) {
    super(message);
    this.name = 'AwsStepError';
  }
}

// The SDK's own error when the default chain finds no identity at all (no env keys, profile or instance role).
const NO_CREDENTIALS = 'CredentialsProviderError';
// Codes that reject the signer itself (unlike AssumeRole's AccessDenied, which is the target role's trust policy).
const SIGNER_REJECTED = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
]);

function blameOf(err: unknown, signedBySkyport: boolean): { code: string; message: string; blame: Blame } {
  if ((err as Error)?.name === NO_CREDENTIALS) return { code: NO_CREDENTIALS, message: (err as Error).message, blame: 'server' };
  const c = classifyAwsError(err);
  if (c.kind === 'transient' || c.code === 'AbortError' || c.code === 'TimeoutError') return { code: c.code, message: c.message, blame: 'transient' };
  if (signedBySkyport && SIGNER_REJECTED.has(c.code)) return { code: c.code, message: c.message, blame: 'server' };
  return { code: c.code, message: c.message, blame: 'request' };
}

export interface ResolvedCredentials {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The account the credentials act in, when known (from the role ARN or GetCallerIdentity). */
  accountId?: string;
}

/**
 * AWS access for API Gateway connections: turns a connection's credentials into usable ones (GetCallerIdentity
 * for keys and the ambient identity, AssumeRole where a role is named, with the external ID) and builds the
 * SDK clients for one region. Every client shares one connection pool with connect and request timeouts and
 * makes one attempt (Skyport decides about retries); every call takes an abort signal for its deadline.
 */
export function createConnectionAws(deps: { settings: AwsSettings; sts: STSClient }) {
  const { settings, sts } = deps;
  const requestHandler = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
  });
  const options = (region: string, credentials: ResolvedCredentials['credentials']) => ({
    ...clientOptions(settings, region),
    credentials,
    requestHandler,
  });

  async function step<T>(operation: string, signedBySkyport: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const b = blameOf(err, signedBySkyport);
      throw new AwsStepError(operation, b.code, b.blame, b.message);
    }
  }

  return {
    /**
     * Usable credentials for a connection, checked against STS: GetCallerIdentity for access keys and for the
     * ambient identity, then AssumeRole when a role is named. Throws AwsStepError.
     */
    async resolve(c: ConnectionCredentials, signal: AbortSignal): Promise<ResolvedCredentials> {
      // Access keys sign with a client of their own (not destroyed after use: destroy() would close the
      // connection pool every client shares); ROLE and AMBIENT sign with Skyport's own STS client.
      const keys = c.type === 'ACCESS_KEY' ? { accessKeyId: c.accessKeyId!, secretAccessKey: c.secretAccessKey! } : undefined;
      const caller = keys ? new STSClient(options(settings.stsRegion, keys)) : sts;
      const own = keys === undefined;
      let accountId: string | undefined;
      if (c.type !== 'ROLE') {
        const who = await step('sts:GetCallerIdentity', own, () => caller.send(new GetCallerIdentityCommand({}), { abortSignal: signal }));
        accountId = who.Account;
      }
      if (c.roleArn === undefined) {
        // No role to assume: the keys, or Skyport's own identity (the configured one, else the SDK's chain), act directly.
        return { credentials: keys ?? settings.credentials ?? (sts.config.credentials as AwsCredentialIdentityProvider), accountId };
      }
      const roleArn = c.roleArn;
      const session = sessionName(`apigw-${randomBytes(6).toString('hex')}`);
      const assumed = await step('sts:AssumeRole', own, () => assumeRoleWith(caller, { roleArn, externalId: c.externalId, session, signal }));
      return { credentials: assumed, accountId: roleArn.split(':')[4] };
    },

    apigateway: (region: string, credentials: ResolvedCredentials['credentials']) => new APIGatewayClient(options(region, credentials)),
    apigatewayv2: (region: string, credentials: ResolvedCredentials['credentials']) => new ApiGatewayV2Client(options(region, credentials)),
    logs: (region: string, credentials: ResolvedCredentials['credentials']) => new CloudWatchLogsClient(options(region, credentials)),
    ec2: (region: string, credentials: ResolvedCredentials['credentials']) => new EC2Client(options(region, credentials)),

    /** Runs one AWS call as a step: its failure becomes an AwsStepError with the blame decided once. */
    step,

    close() {
      requestHandler.destroy();
    },
  };
}

/** STS AssumeRole (with the external ID when there is one), bounded by `signal`. */
async function assumeRoleWith(
  sts: STSClient,
  role: { roleArn: string; externalId?: string; session: string; signal: AbortSignal },
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
  const k = out.Credentials;
  if (!k?.AccessKeyId || !k.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey, sessionToken: k.SessionToken, expiration: k.Expiration };
}

export type ConnectionAws = ReturnType<typeof createConnectionAws>;
