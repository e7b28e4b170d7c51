import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { serve } from './server.ts';
import { seedApiGatewayDemo } from './simulator/apigateway/demo.ts';
import { startSimulator } from './simulator/simulator.ts';

const DEMO_ACCOUNT = '123456789012';
/** The APIs live in an account of their own, as many teams keep them. */
const GATEWAY_ACCOUNT = '123456789013';
const SKYPORT_ACCOUNT = '999988887777';
const TRAIL_BUCKET = 'skyport-demo-trail';
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Where the simulator's demo REST API `petstore` writes the access logs of its prod stage. */
const PETSTORE_PROD_LOGS = 'API-Gateway-Access-Logs_petstore/prod';

/**
 * `skyport demo`: Skyport and a simulated AWS account on loopback with a CloudWatch, an EC2 and a CloudTrail
 * integration and an API Gateway connection, so a newcomer sees the whole flow in seconds without an AWS
 * account: metrics, inventory, CloudTrail events, run history, cost estimate, API Gateway APIs in two regions
 * with their endpoints and traffic, and (after SKYPORT_DEMO_BREAK_AFTER, two minutes) an
 * integration that disables itself because its role's trust policy broke, and how to fix it. Everything goes
 * through the public API and the AWS wire protocols; nothing is stubbed.
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
    // The demo bucket holds a few hours of trail files: read them all on the first run.
    cloudtrail: { ...base.cloudtrail, lookbackMs: 4 * HOUR },
  };
  let breakTimer: NodeJS.Timeout | undefined;
  const app = await serve(config, {
    aws: {
      endpoint: sim.url,
      stsRegion: 'us-east-1',
      credentials: { accessKeyId: skyport.accessKeyId, secretAccessKey: skyport.secretAccessKey },
      forcePathStyle: true,
    },
    onShutdown: async () => {
      clearTimeout(breakTimer);
      await sim.close();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  });

  const url = config.publicUrl;
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

  // 1. Skyport issues an external ID per role; 2. the "customer" creates roles that trust Skyport with them.
  const newExternalId = async (): Promise<string> => call('POST', '/api/v2/cloudintegration/awsExternalId');
  const [cwExternalId, ec2ExternalId, trailExternalId] = [await newExternalId(), await newExternalId(), await newExternalId()];
  const seeded = sim.seedAccount({
    accountId: DEMO_ACCOUNT,
    regions: ['us-east-1', 'eu-west-1'],
    seedRegions: ['us-east-1', 'eu-west-1'],
    role: { name: 'SkyportDemoCloudWatch', trustedPrincipals: [skyport.arn], externalId: cwExternalId },
    instancesPerRegion: 3,
    seriesPerRegion: 15,
  });
  const cwRole = seeded.role!.arn;
  const ec2Role = sim.createRole({ accountId: DEMO_ACCOUNT, name: 'SkyportDemoEc2', trustedPrincipals: [skyport.arn], externalId: ec2ExternalId }).arn;
  const trailRole = sim.createRole({ accountId: DEMO_ACCOUNT, name: 'SkyportDemoCloudTrail', trustedPrincipals: [skyport.arn], externalId: trailExternalId }).arn;
  // A trail delivering a file every 15 minutes for the last three hours.
  const now = sim.now();
  for (let t = now - 3 * HOUR, n = 0; t <= now; t += 15 * 60_000, n++) {
    sim.writeCloudTrail({ accountId: DEMO_ACCOUNT, region: 'us-east-1', bucket: TRAIL_BUCKET, deliveryTime: t, count: 8, seed: n + 1 });
  }

  // 3. The integrations are created through the API, which assumes each role before storing it.
  const credentials = (roleArn: string, externalId: string) => ({ baseCredentials: { roleArn, externalId } });
  const cloudWatch = await call('POST', '/api/v2/cloudintegration', {
    name: 'Demo CloudWatch',
    service: 'CLOUDWATCH',
    serviceRefreshRateInMins: 1,
    cloudWatch: { ...credentials(cwRole, cwExternalId), namespaces: ['AWS/EC2'] },
  });
  const ec2 = await call('POST', '/api/v2/cloudintegration', {
    name: 'Demo EC2',
    service: 'EC2',
    serviceRefreshRateInMins: 1,
    ec2: credentials(ec2Role, ec2ExternalId),
  });
  const trail = await call('POST', '/api/v2/cloudintegration', {
    name: 'Demo CloudTrail',
    service: 'CLOUDTRAIL',
    serviceRefreshRateInMins: 5,
    cloudTrail: { ...credentials(trailRole, trailExternalId), bucketName: TRAIL_BUCKET, region: 'us-east-1' },
  });

  // 4. API Gateway: the simulator's demo APIs (REST, HTTP and WebSocket in us-east-1, REST in us-west-2), half an
  //    hour of petstore/prod access logs (one path the definition lacks), and a connection that discovers the
  //    APIs, reads their usage plans and counts the traffic; synced once before the guide is printed.
  sim.createAccount({ id: GATEWAY_ACCOUNT, regions: ['us-east-1', 'us-west-2'] });
  const gatewayApis = seedApiGatewayDemo(sim.apigateway, GATEWAY_ACCOUNT);
  const gatewayExternalId = await newExternalId();
  const gatewayRole = sim.createRole({ accountId: GATEWAY_ACCOUNT, name: 'SkyportDemoApiGateway', trustedPrincipals: [skyport.arn], externalId: gatewayExternalId }).arn;
  const accessLogs = sim.logs.writeAccessLogs({
    accountId: GATEWAY_ACCOUNT,
    region: 'us-east-1',
    logGroupName: PETSTORE_PROD_LOGS,
    apiId: gatewayApis.restApiIds[0],
    stage: 'prod',
    format: 'recommended',
    endpoints: [
      { method: 'GET', path: '/pets', weight: 6 },
      { method: 'GET', path: '/pets/{petId}', weight: 3 },
      { method: 'POST', path: '/pets', weight: 1 },
      { method: 'GET', path: '/debug', weight: 1 },
    ],
    apiKeyIds: ['demo-key-1', 'demo-key-2'],
    startTime: now - 30 * MINUTE,
    endTime: now - 3 * MINUTE,
    count: 3000,
    streams: 2,
  });
  const gateway = await call('POST', '/api/v2/apigatewayconnection', {
    name: 'Demo API Gateway',
    credentials: { type: 'ROLE', roleArn: gatewayRole, externalId: gatewayExternalId },
    regions: ['us-east-1', 'us-west-2'],
    subscriptions: { enabled: true },
    traffic: { enabled: true },
  });
  await call('POST', `/api/v2/apigatewayconnection/${gateway.id}/sync?wait=true`);
  const petstore = (await call('GET', `/api/v2/apigatewayapi?connectionId=${gateway.id}&name=petstore`)).items[0];

  const minutes = Math.round(config.demoBreakAfterMs / 6_000) / 10;
  process.stdout.write(
    `\nSkyport demo is running: a simulated AWS account ${DEMO_ACCOUNT} at ${sim.url}.\n\n` +
      `  Swagger UI:  ${url}/api-docs   (Authorize with the token)\n` +
      `  CloudWatch integration: ${cloudWatch.id}\n` +
      `  EC2 integration:        ${ec2.id}\n` +
      `  CloudTrail integration: ${trail.id}\n` +
      `  API Gateway connection: ${gateway.id} (account ${GATEWAY_ACCOUNT}; ${accessLogs.totals.requests} access-log lines on petstore/prod)\n\n` +
      `Paste into another shell:\n\n` +
      `  export BASE=${url} TOKEN=${token} SIM=${sim.url}\n` +
      `  api() { curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; echo; }\n\n` +
      `  api "$BASE/api/v2/cloudintegration?limit=10"                         # the three integrations and their status\n` +
      `  api "$BASE/api/v2/chart/metric/list?prefix=aws."                     # every metric name collected\n` +
      `  api "$BASE/api/v2/chart/raw?metric=aws.ec2.cpuutilization.average"   # CloudWatch points\n` +
      `  api "$BASE/api/v2/chart/raw?metric=aws.ec2.instance.*"               # EC2 inventory metrics (a glob)\n` +
      `  api "$BASE/api/v2/chart/metric/detail?m=aws.ec2.instance.running"    # which sources report a metric\n` +
      `  api "$BASE/api/v2/event?limit=5&latestStartTimeEpochMillis=${now}"   # CloudTrail actions as events (before the demo's own)\n` +
      `  api "$BASE/api/v2/cloudintegration/${cloudWatch.id}/run?limit=3"      # run history: outcome, AWS calls by API\n` +
      `  api "$BASE/api/v2/cloudintegration/${cloudWatch.id}/estimate"         # what it costs per month\n` +
      `  api "$BASE/api/v2/apigatewayapi?limit=10"                              # API Gateway: REST, HTTP, WebSocket APIs in two regions\n` +
      `  api "$BASE/api/v2/apigatewayapi/${petstore.id}/endpoint?stage=prod"   # endpoints; GET /debug is SHADOW (traffic, no definition)\n` +
      `  api "$BASE/api/v2/apigatewayapi/${petstore.id}/traffic?stage=prod&startTime=${now - HOUR}"   # requests, errors, p50/p90/p99\n` +
      `  api "$BASE/api/v2/apigatewayusageplan"                                 # usage plans: POST /api/v2/apigatewaysubscription makes a key\n\n` +
      `In ${minutes} min the demo breaks the CloudWatch role's trust policy: watch that integration disable itself.\n` +
      `Stop with Ctrl-C.\n`,
  );

  breakTimer = setTimeout(() => {
    // What an admin might do by mistake: change the trust policy's external ID and revoke the role's sessions.
    sim.updateRoleTrust(cwRole, { externalId: `not-${cwExternalId}` });
    sim.revokeRoleSessions(cwRole);
    process.stdout.write(
      `\nThe demo just broke the trust policy of ${cwRole} (its external ID no longer matches).\n` +
        `Skyport's next collection is refused and the integration disables itself:\n\n` +
        `  api "$BASE/api/v2/cloudintegration/${cloudWatch.id}"          # disabled: true, lastError, lastErrorEvent\n` +
        `  api "$BASE/api/v2/event?limit=1"                                # the ONGOING "Credentials Error" event\n` +
        `  api -X POST "$BASE/api/v2/cloudintegration/${cloudWatch.id}/collect"   # 409: says why it is disabled\n\n` +
        `Fix the trust policy, then enable (that collects at once and ends the event):\n\n` +
        `  curl -sS -X POST "$SIM/_simulator/roles/trust" -d '{"roleArn":"${cwRole}","externalId":"${cwExternalId}"}'; echo\n` +
        `  api -X POST "$BASE/api/v2/cloudintegration/${cloudWatch.id}/enable"\n\n`,
    );
    // Collected at once rather than at the next refresh, so the change shows within seconds.
    call('POST', `/api/v2/cloudintegration/${cloudWatch.id}/collect`).catch((err) => app.log.warn({ err }, 'demo: collect after the break failed'));
  }, config.demoBreakAfterMs);
  breakTimer.unref();
  return app;
}
