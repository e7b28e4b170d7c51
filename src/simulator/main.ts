/**
 * Runs the simulator as a process: `tsx src/simulator/main.ts --port 4566 [--host 127.0.0.1] [--seed-demo]`.
 * Prints the URL on stdout (one line) and keeps running until SIGINT/SIGTERM. Seed it through the admin API
 * (`/_simulator/...`, see README.md) or, with --seed-demo, with Skyport's identity and one customer account.
 */
import { parseArgs } from 'node:util';
import { seedApiGatewayDemo } from './apigateway/demo.ts';
import { startSimulator } from './simulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    host: { type: 'string', default: '127.0.0.1' },
    'seed-demo': { type: 'boolean', default: false },
    'no-verify-signatures': { type: 'boolean', default: false },
    'check-clock-skew': { type: 'boolean', default: false },
  },
});

const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  verifySignatures: !values['no-verify-signatures'],
  checkClockSkew: values['check-clock-skew'],
});

if (values['seed-demo']) {
  // Skyport's own identity (well-known demo keys) and one customer account it can assume a role in.
  const skyport = sim.createUser({ accountId: '111111111111', name: 'skyport', accessKeyId: 'AKIASKYPORTDEMO00001', secretAccessKey: 'skyport-demo-secret-access-key-0000000000' });
  const customer = sim.seedAccount({
    accountId: '222222222222',
    role: { name: 'SkyportIntegration', trustedPrincipals: [skyport.arn], externalId: 'demo-external-id' },
    seedRegions: ['us-east-1', 'us-west-2'],
    instancesPerRegion: 3,
    seriesPerRegion: 15,
  });
  sim.writeCloudTrail({ accountId: customer.accountId, region: 'us-east-1', bucket: 'skyport-demo-cloudtrail', count: 20 });
  const apis = seedApiGatewayDemo(sim.apigateway, customer.accountId);
  console.error(`[simulator] demo API Gateway: REST ${apis.restApiIds.join(', ')}, HTTP ${apis.httpApiId}, WebSocket ${apis.webSocketApiId}, usage plan ${apis.usagePlanId}`);
  console.error(`[simulator] demo: user ${skyport.arn} (${skyport.accessKeyId}), role ${customer.role?.arn}, external id demo-external-id`);
}

console.log(sim.url);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
