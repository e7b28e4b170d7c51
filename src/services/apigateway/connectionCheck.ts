import { GetRestApisCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { badRequest, unavailable } from '../../errors.ts';
import type { ApiGatewayCheckResult } from '../../schemas/apiGatewayConnection.ts';
import type { AwsAccess } from '../collection/aws/access.ts';
import { AwsStepError, awsStep } from '../collection/aws/blame.ts';
import type { AwsClients } from '../collection/aws/clientFactory.ts';
import type { ConnectionAccess, ConnectionCredentials } from '../collection/aws/connectionCredentials.ts';
import { mapLimit } from '../collection/collectors/concurrency.ts';
import { describeEnabledRegions, homeRegion } from '../collection/collectors/regions.ts';
import type { ConnectionSettings } from './connectionInput.ts';
import { ALL_REGIONS } from './regions.ts';

/** How long the check on write may take in all (STS, then one API Gateway call). */
export const WRITE_CHECK_DEADLINE_MS = 20_000;
/** How long POST …/check may take in all; calls still running then are reported as timed out. */
export const CHECK_DEADLINE_MS = 30_000;
const CHECK_CONCURRENCY = 4;

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException']);

/** What to fix, per failing step, in the words of the 400 a user reads. */
function advice(operation: string, code: string, c: ConnectionCredentials): string {
  switch (operation) {
    case 'sts:GetCallerIdentity':
      return c.type === 'ACCESS_KEY'
        ? `AWS does not accept access key ${c.accessKeyId}: check the key id and secret, and that the key is active`
        : "the server's own AWS identity is not usable";
    case 'sts:AssumeRole':
      return (
        `the role ${c.roleArn} could not be assumed: check that it exists, that its trust policy allows sts:AssumeRole for the identity Skyport uses` +
        (c.externalId ? ` with the condition sts:ExternalId = "${c.externalId}"` : '') +
        ' (GET …/policy shows the trust policy), and that the role ARN is spelled right'
      );
    default:
      if (DENIED.has(code)) return `the identity may not call ${operation}: attach the permissions policy of GET /api/v2/apigatewayconnection/{id}/policy`;
      return `AWS refused ${operation}: check that the region is enabled for the account and that the credentials are meant for it`;
  }
}

/** The HTTP error for a failed step of the check on write. */
export function writeCheckError(err: unknown, c: ConnectionCredentials): Error {
  if (!(err instanceof AwsStepError)) return err as Error;
  if (err.blame === 'server') {
    return unavailable(
      `Skyport itself has no usable AWS credentials for ${err.operation} (${err.code}: ${err.message}); the operator must give the server an AWS identity ` +
        '(instance, task or pod role, or AWS_* environment variables). Nothing was stored',
    );
  }
  if (err.blame === 'transient') {
    return unavailable(`AWS did not answer ${err.operation} in time (${err.code}: ${err.message}); nothing was stored, retry in a minute`);
  }
  return badRequest(`credentials check failed at ${err.operation} (${err.code}: ${err.message}): ${advice(err.operation, err.code, c)}. Set forceSave to true to store it without this check`);
}

/** The concrete region the check on write calls API Gateway in: the first listed, or the STS region for ["*"]. */
const firstRegion = (regions: string[], stsRegion: string) => (regions[0] === ALL_REGIONS ? stsRegion : regions[0]);

/**
 * The check on write (SPEC-apigateway §2): the credentials through STS (GetCallerIdentity for keys and the
 * ambient identity, AssumeRole where a role is named), then one GetRestApis in the first region.
 */
export async function checkOnWrite(access: AwsAccess, stsRegion: string, c: ConnectionCredentials, regions: string[]): Promise<void> {
  const signal = AbortSignal.timeout(WRITE_CHECK_DEADLINE_MS);
  try {
    const { aws } = await access.forConnection({ credentials: c }, signal);
    const client = aws.apigateway(firstRegion(regions, stsRegion));
    await awsStep('apigateway:GetRestApis', signedBySkyport(c), () => client.send(new GetRestApisCommand({ limit: 1 }), { abortSignal: signal }));
  } catch (err) {
    throw writeCheckError(err, c);
  }
}

const signedBySkyport = (c: ConnectionCredentials) => c.type === 'AMBIENT' && c.roleArn === undefined;

interface Probe {
  feature: 'inventory' | 'subscriptions' | 'traffic';
  operation: string;
  call: (aws: AwsClients, region: string, signal: AbortSignal) => Promise<unknown>;
}

function probesFor(settings: ConnectionSettings): Probe[] {
  const probes: Probe[] = [];
  if (settings.apiTypes.includes('REST')) {
    probes.push({
      feature: 'inventory',
      operation: 'apigateway:GetRestApis',
      call: (aws, r, s) => aws.apigateway(r).send(new GetRestApisCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  if (settings.apiTypes.includes('HTTP') || settings.apiTypes.includes('WEBSOCKET')) {
    probes.push({
      feature: 'inventory',
      operation: 'apigatewayv2:GetApis',
      call: (aws, r, s) => aws.apigatewayv2(r).send(new GetApisCommand({ MaxResults: '1' }), { abortSignal: s }),
    });
  }
  if (settings.subscriptions.enabled) {
    probes.push({
      feature: 'subscriptions',
      operation: 'apigateway:GetUsagePlans',
      call: (aws, r, s) => aws.apigateway(r).send(new GetUsagePlansCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  if (settings.traffic.enabled) {
    probes.push({
      feature: 'traffic',
      operation: 'logs:DescribeLogGroups',
      call: (aws, r, s) => aws.logs(r).send(new DescribeLogGroupsCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  return probes;
}

/**
 * POST …/check: the credentials, then one harmless call per region × feature switched on, each reported
 * as ok or with the AWS error code. Skyport lacking its own AWS identity, or STS not answering, is a 503.
 */
export async function checkConnection(
  access: AwsAccess,
  stsRegion: string,
  c: ConnectionCredentials,
  settings: ConnectionSettings,
): Promise<ApiGatewayCheckResult> {
  const signal = AbortSignal.timeout(CHECK_DEADLINE_MS);
  const rows: ApiGatewayCheckResult['rows'] = [];
  const failed = (err: unknown, region: string, feature: Probe['feature'] | 'credentials', operation: string) => {
    const e = err instanceof AwsStepError ? err : new AwsStepError(operation, (err as Error).name || 'Error', 'request', (err as Error).message);
    const message = e.blame === 'request' ? `${e.message}; ${advice(operation, e.code, c)}` : e.message;
    rows.push({ region, feature, operation, ok: false, errorCode: e.code, message });
  };

  let resolved: ConnectionAccess;
  try {
    resolved = await access.forConnection({ credentials: c }, signal);
  } catch (err) {
    if (err instanceof AwsStepError && err.blame !== 'request') throw writeCheckError(err, c);
    failed(err, stsRegion, 'credentials', err instanceof AwsStepError ? err.operation : 'sts');
    return { ok: false, rows };
  }

  let regions = settings.regions;
  if (regions[0] === ALL_REGIONS) {
    const home = homeRegion(c.roleArn ?? 'arn:aws:');
    try {
      regions = await awsStep('ec2:DescribeRegions', signedBySkyport(c), () => describeEnabledRegions(resolved.aws.ec2(home), signal));
    } catch (err) {
      failed(err, home, 'credentials', 'ec2:DescribeRegions');
      return { ok: false, rows };
    }
  }

  const probes = probesFor(settings);
  const jobs = regions.flatMap((region) => probes.map((probe) => ({ region, probe })));
  await mapLimit(jobs, CHECK_CONCURRENCY, async ({ region, probe }) => {
    try {
      await awsStep(probe.operation, signedBySkyport(c), () => probe.call(resolved.aws, region, signal));
      rows.push({ region, feature: probe.feature, operation: probe.operation, ok: true });
    } catch (err) {
      failed(err, region, probe.feature, probe.operation);
    }
  });
  const order = (r: { region: string; operation: string }) => `${regions.indexOf(r.region).toString().padStart(3, '0')} ${r.operation}`;
  rows.sort((a, b) => order(a).localeCompare(order(b)));
  return { ok: rows.every((r) => r.ok), rows };
}
