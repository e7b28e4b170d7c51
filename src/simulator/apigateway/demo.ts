import type { ApiGatewayAdmin } from './admin.ts';

/** JSON access-log format of the demo stages (the fields Skyport's traffic view reads). */
export const DEMO_ACCESS_LOG_FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","responseLatency":"$context.responseLatency","apiKeyId":"$context.identity.apiKeyId"}';

const logGroupArn = (accountId: string, region: string, name: string): string => `arn:aws:logs:${region}:${accountId}:log-group:${name}`;

/**
 * The `--seed-demo` APIs of one account: in us-east-1 a REST API with two stages (access logs on), an HTTP
 * API with `GET /items/{id}` and `$default`, a WebSocket API and a usage plan over the REST API's prod stage;
 * in us-west-2 one more REST API.
 */
export function seedApiGatewayDemo(admin: ApiGatewayAdmin, accountId: string): { restApiIds: string[]; httpApiId: string; webSocketApiId: string; usagePlanId: string } {
  const east = 'us-east-1';
  const petstore = admin.createRestApi({
    accountId,
    region: east,
    name: 'petstore',
    description: 'Demo REST API',
    resources: [
      { path: '/pets', methods: ['GET', { httpMethod: 'POST', apiKeyRequired: true }] },
      { path: '/pets/{petId}', methods: ['GET', { httpMethod: 'DELETE', authorizationType: 'AWS_IAM' }] },
    ],
    stages: ['prod', 'staging'].map((name) => ({
      name,
      accessLogSettings: { destinationArn: logGroupArn(accountId, east, `API-Gateway-Access-Logs_petstore/${name}`), format: DEMO_ACCESS_LOG_FORMAT },
      tags: { env: name },
    })),
  });
  const items = admin.createHttpApi({
    accountId,
    region: east,
    name: 'items',
    routes: ['GET /items/{id}', '$default'],
    stages: [{ name: '$default', autoDeploy: true, accessLogSettings: { destinationArn: logGroupArn(accountId, east, 'items-access'), format: DEMO_ACCESS_LOG_FORMAT } }],
  });
  const chat = admin.createWebSocketApi({ accountId, region: east, name: 'chat', routes: ['$connect', '$disconnect', 'sendMessage'], stages: ['production'] });
  const plan = admin.createUsagePlan({
    accountId,
    region: east,
    name: 'demo-basic',
    description: 'Demo plan: 10 requests/s, 10,000 a month',
    apiStages: [{ apiId: petstore.id, stage: 'prod' }],
    throttle: { burstLimit: 20, rateLimit: 10 },
    quota: { limit: 10_000, period: 'MONTH' },
  });
  const orders = admin.createRestApi({
    accountId,
    region: 'us-west-2',
    name: 'orders',
    resources: [{ path: '/orders', methods: ['GET', 'POST'] }, { path: '/orders/{orderId}', methods: ['GET'] }],
    stages: ['prod'],
  });
  return { restApiIds: [petstore.id, orders.id], httpApiId: items.apiId, webSocketApiId: chat.apiId, usagePlanId: plan.id };
}
