import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { serve } from './server.ts';
import { startSimulator } from './simulator/simulator.ts';

const DEMO_ACCOUNT = '123456789012';
const SKYPORT_ACCOUNT = '999988887777';

/**
 * `skyport demo`: Skyport and a simulated AWS account on loopback, with a working integration, so a newcomer
 * sees the whole flow in seconds without an AWS account. Everything goes through the public API and the
 * AWS wire protocols; nothing is stubbed.
 */
export async function demo(base: Config) {
  const sim = await startSimulator({ port: 0 });
  sim.createAccount({ id: SKYPORT_ACCOUNT });
  const skyport = sim.createUser({ accountId: SKYPORT_ACCOUNT, name: 'skyport' });

  const token = `demo_${randomBytes(24).toString('base64url')}`;
  const config: Config = {
    ...base,
    bootstrapToken: token,
    // A throw-away embedded database (unless DATABASE_URL is set), so the demo never touches the data of `npm start`.
    dataDir: await mkdtemp(join(tmpdir(), 'skyport-demo-')),
    embeddedPgPort: base.embeddedPgPort + 1,
    logLevel: base.logLevel === 'info' ? 'warn' : base.logLevel,
  };
  const app = await serve(config, {
    aws: {
      endpoint: sim.url,
      stsRegion: 'us-east-1',
      credentials: { accessKeyId: skyport.accessKeyId, secretAccessKey: skyport.secretAccessKey },
      forcePathStyle: true,
    },
    onShutdown: async () => {
      await sim.close();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  });

  const url = `http://${config.host}:${config.port}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as { status: { message: string }; response: any };
    if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${json.status.message}`);
    return json.response;
  };

  // 1. Skyport issues an external ID; 2. the "customer" creates a role that trusts Skyport with it.
  const externalId: string = await call('POST', '/api/v2/cloudintegration/awsExternalId');
  const seeded = sim.seedAccount({
    accountId: DEMO_ACCOUNT,
    regions: ['us-east-1', 'eu-west-1'],
    role: { name: 'SkyportDemo', trustedPrincipals: [skyport.arn], externalId },
    instancesPerRegion: 3,
    seriesPerRegion: 15,
  });
  // 3. The integration is created through the API, which assumes the role before storing it.
  const integration = await call('POST', '/api/v2/cloudintegration', {
    name: 'Demo account',
    service: 'CLOUDWATCH',
    serviceRefreshRateInMins: 1,
    cloudWatch: { baseCredentials: { roleArn: seeded.role!.arn, externalId }, namespaces: ['AWS/EC2'] },
  });

  const auth = `-H "Authorization: Bearer ${token}"`;
  process.stdout.write(
    `\nSkyport demo is running (simulated AWS at ${sim.url}).\n\n` +
      `  Swagger UI:  ${url}/api-docs   (Authorize with the token below)\n` +
      `  API token:   ${token}\n` +
      `  Integration: ${integration.id} (role ${seeded.role!.arn}, external ID ${externalId})\n\n` +
      `Try:\n` +
      `  curl -s ${auth} ${url}/api/v2/cloudintegration\n` +
      `  curl -s ${auth} ${url}/api/v2/cloudintegration/${integration.id}      # status fields after the first collection\n` +
      `  curl -s ${auth} "${url}/api/v2/chart/raw?metric=aws.ec2.cpuutilization.average"   # the collected points\n\n` +
      `Stop with Ctrl-C.\n`,
  );
  return app;
}
