import type { TestContext } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import type { AwsSettings } from '../../src/services/collection/aws/settings.ts';

/** Skyport's own AWS account and identity inside the simulator. */
export const SKYPORT_ACCOUNT = '999988887777';

export interface TestAws {
  sim: Simulator;
  settings: AwsSettings;
  /** ARN of Skyport's own IAM user: what customer roles must trust. */
  skyportArn: string;
}

/** A simulator on loopback with Skyport's identity in it, closed when the test ends. */
export async function startTestAws(t: Pick<TestContext, 'after'>, opts: { clock?: () => number } = {}): Promise<TestAws> {
  const sim = await startSimulator({ clock: opts.clock });
  t.after(() => sim.close());
  sim.createAccount({ id: SKYPORT_ACCOUNT });
  const user = sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'skyport' });
  return {
    sim,
    skyportArn: user.arn,
    settings: {
      endpoint: sim.url,
      stsRegion: 'us-east-1',
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      forcePathStyle: true,
    },
  };
}

/** A customer account with a role that trusts Skyport under `externalId`; returns the role ARN. */
export function trustedRole(aws: TestAws, accountId: string, externalId: string, name = 'SkyportIntegration'): string {
  aws.sim.state.iam.ensureAccount(accountId);
  return aws.sim.createRole({ accountId, name, trustedPrincipals: [aws.skyportArn], externalId }).arn;
}
