import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startSimulator, type Simulator, type SimulatorOptions, type UserCredentials } from '../../src/simulator/index.ts';

export const SKYPORT_ACCOUNT = '111111111111';
export const CUSTOMER_ACCOUNT = '222222222222';
export const EXTERNAL_ID = 'skyport-ext-0123456789';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface World {
  sim: Simulator;
  skyport: UserCredentials;
  /** Skyport's base credentials as SDK credentials. */
  base: Credentials;
  roleArn: string;
}

/** A simulator with Skyport's identity and one customer account whose role trusts it with an external id. */
export async function world(options: SimulatorOptions = {}): Promise<World> {
  const sim = await startSimulator(options);
  const skyport = sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'skyport' });
  sim.createAccount({ id: CUSTOMER_ACCOUNT, regions: ['us-east-1', 'us-west-2', 'eu-west-1'] });
  const role = sim.createRole({ accountId: CUSTOMER_ACCOUNT, name: 'SkyportIntegration', trustedPrincipals: [skyport.arn], externalId: EXTERNAL_ID });
  return { sim, skyport, base: { accessKeyId: skyport.accessKeyId, secretAccessKey: skyport.secretAccessKey }, roleArn: role.arn };
}

/** Client options every test uses: the simulator endpoint and no retries (errors surface at once). */
export function cfg(sim: Simulator, credentials: Credentials, region = 'us-east-1'): {
  region: string;
  endpoint: string;
  credentials: Credentials;
  maxAttempts: number;
} {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { region, endpoint: sim.url, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 1 };
}

/** AssumeRole through the real STS client; returns SDK credentials. */
export async function assume(w: World, durationSeconds?: number): Promise<Credentials & { expiration: Date }> {
  const sts = new STSClient(cfg(w.sim, w.base));
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: w.roleArn, RoleSessionName: 'skyport', ExternalId: EXTERNAL_ID, DurationSeconds: durationSeconds }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error('no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } finally {
    sts.destroy();
  }
}

/** Runs `fn` and returns the error it throws (fails if it does not throw). */
export async function errorOf(fn: () => Promise<unknown>): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}
