import type { ApiGatewayConnectionPolicy } from '../../schemas/apiGatewayConnection.ts';
import type { ConnectionSettings, CredentialsInput } from './connectionInput.ts';
import { ALL_REGIONS } from './regions.ts';

/** The JSON access-log format that gives Skyport every traffic field (a superset of Akto's). */
export const RECOMMENDED_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  apiId: '$context.apiId',
  stage: '$context.stage',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  apiKeyId: '$context.identity.apiKeyId',
});

const PRINCIPAL_PLACEHOLDER = 'REPLACE-WITH-SKYPORT-PRINCIPAL-ARN';

/**
 * The least-privilege IAM policies for a connection (SPEC-apigateway §3, "Policy"): API Gateway authorises
 * HTTP verbs on resource paths, so each feature adds the verbs and paths of the calls it makes, in the
 * connection's regions (every region for ["*"]) and, when a role names it, the connection's account.
 */
export function connectionPolicy(
  c: Pick<CredentialsInput, 'type' | 'roleArn' | 'externalId' | 'accessKeyId'>,
  settings: Pick<ConnectionSettings, 'regions' | 'subscriptions' | 'traffic'>,
  principalArn: string | undefined,
): ApiGatewayConnectionPolicy {
  const regions = settings.regions[0] === ALL_REGIONS ? ['*'] : settings.regions;
  const account = c.roleArn?.split(':')[4] ?? '*';
  const partition = c.roleArn?.split(':')[1] ?? 'aws';
  const apigw = (...paths: string[]) => regions.flatMap((r) => paths.map((p) => `arn:${partition}:apigateway:${r}::${p}`));
  const notes: string[] = [];

  const statements: Array<Record<string, unknown>> = [
    { Sid: 'SkyportApiGatewayInventory', Effect: 'Allow', Action: ['apigateway:GET'], Resource: apigw('/restapis', '/restapis/*', '/apis', '/apis/*') },
  ];
  if (settings.regions[0] === ALL_REGIONS) {
    // ["*"] means the regions the account has enabled, which only EC2 tells.
    statements.push({ Sid: 'SkyportEnabledRegions', Effect: 'Allow', Action: ['ec2:DescribeRegions'], Resource: '*' });
  }
  if (settings.subscriptions.enabled) {
    statements.push(
      { Sid: 'SkyportUsagePlansRead', Effect: 'Allow', Action: ['apigateway:GET'], Resource: apigw('/usageplans', '/usageplans/*') },
      // GetApiKeys: each sync's reconciliation reads the keys (never their values) to see what changed outside Skyport.
      { Sid: 'SkyportApiKeysRead', Effect: 'Allow', Action: ['apigateway:GET'], Resource: apigw('/apikeys', '/apikeys/*') },
      { Sid: 'SkyportApiKeysCreate', Effect: 'Allow', Action: ['apigateway:POST'], Resource: apigw('/apikeys', '/usageplans/*/keys') },
      { Sid: 'SkyportApiKeysRevoke', Effect: 'Allow', Action: ['apigateway:DELETE'], Resource: apigw('/apikeys/*', '/usageplans/*/keys/*') },
      { Sid: 'SkyportApiKeysSuspend', Effect: 'Allow', Action: ['apigateway:PATCH'], Resource: apigw('/apikeys/*') },
    );
  }
  if (settings.traffic.enabled) {
    const groups = settings.traffic.logGroups === 'auto' ? ['*'] : settings.traffic.logGroups;
    statements.push({
      Sid: 'SkyportAccessLogsRead',
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents', 'logs:DescribeLogGroups'],
      Resource: regions.flatMap((r) => groups.map((g) => `arn:${partition}:logs:${r}:${account}:log-group:${g}:*`)),
    });
    notes.push(`Set each stage's access logging to JSON lines in this format: ${RECOMMENDED_ACCESS_LOG_FORMAT}`);
  }
  if (account === '*') notes.push('The account is not known from the credentials: the resources name every account (*); put your account id in its place if you like.');

  let trustPolicy: ApiGatewayConnectionPolicy['trustPolicy'] = null;
  if (c.roleArn !== undefined) {
    let principal: string;
    if (c.type === 'ACCESS_KEY') {
      principal = `REPLACE-WITH-ARN-OF-THE-USER-OF-${c.accessKeyId}`;
      notes.push(`Trust policy: put the ARN of the IAM user that owns access key ${c.accessKeyId} as the principal.`);
    } else if (principalArn) {
      principal = principalArn;
    } else {
      principal = PRINCIPAL_PLACEHOLDER;
      notes.push("Trust policy: SKYPORT_AWS_PRINCIPAL_ARN is not set on the server; put the ARN of Skyport's own role or user as the principal.");
    }
    trustPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: principal },
          Action: 'sts:AssumeRole',
          ...(c.externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': c.externalId } } } : {}),
        },
      ],
    };
  }
  return {
    permissionsPolicy: { Version: '2012-10-17', Statement: statements },
    trustPolicy,
    recommendedAccessLogFormat: RECOMMENDED_ACCESS_LOG_FORMAT,
    notes,
  };
}
