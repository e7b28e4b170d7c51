import { GetRestApisCommand, GetUsagePlansCommand } from '@aws-sdk/client-api-gateway';
import { GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { badRequest, unavailable } from '../../errors.ts';
import type { ApiGatewayCheckResult } from '../../schemas/apiGatewayConnection.ts';
import { describeEnabledRegions, homeRegion } from '../collection/collectors/regions.ts';
import { AwsStepError, type ConnectionAws, type ConnectionCredentials, type ResolvedCredentials } from './awsAccess.ts';
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
export async function checkOnWrite(aws: ConnectionAws, stsRegion: string, c: ConnectionCredentials, regions: string[]): Promise<void> {
  const signal = AbortSignal.timeout(WRITE_CHECK_DEADLINE_MS);
  try {
    const resolved = await aws.resolve(c, signal);
    const client = aws.apigateway(firstRegion(regions, stsRegion), resolved.credentials);
    await aws.step('apigateway:GetRestApis', signedBySkyport(c), () => client.send(new GetRestApisCommand({ limit: 1 }), { abortSignal: signal }));
  } catch (err) {
    throw writeCheckError(err, c);
  }
}

const signedBySkyport = (c: ConnectionCredentials) => c.type === 'AMBIENT' && c.roleArn === undefined;

interface Probe {
  feature: 'inventory' | 'subscriptions' | 'traffic';
  operation: string;
  call: (region: string, creds: ResolvedCredentials['credentials'], signal: AbortSignal) => Promise<unknown>;
}

function probesFor(aws: ConnectionAws, settings: ConnectionSettings): Probe[] {
  const probes: Probe[] = [];
  if (settings.apiTypes.includes('REST')) {
    probes.push({
      feature: 'inventory',
      operation: 'apigateway:GetRestApis',
      call: (r, k, s) => aws.apigateway(r, k).send(new GetRestApisCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  if (settings.apiTypes.includes('HTTP') || settings.apiTypes.includes('WEBSOCKET')) {
    probes.push({
      feature: 'inventory',
      operation: 'apigatewayv2:GetApis',
      call: (r, k, s) => aws.apigatewayv2(r, k).send(new GetApisCommand({ MaxResults: '1' }), { abortSignal: s }),
    });
  }
  if (settings.subscriptions.enabled) {
    probes.push({
      feature: 'subscriptions',
      operation: 'apigateway:GetUsagePlans',
      call: (r, k, s) => aws.apigateway(r, k).send(new GetUsagePlansCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  if (settings.traffic.enabled) {
    probes.push({
      feature: 'traffic',
      operation: 'logs:DescribeLogGroups',
      call: (r, k, s) => aws.logs(r, k).send(new DescribeLogGroupsCommand({ limit: 1 }), { abortSignal: s }),
    });
  }
  return probes;
}

/** Runs `jobs` with at most `limit` at once. */
async function inBatches(jobs: Array<() => Promise<void>>, limit: number) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/**
 * POST …/check: the credentials, then one harmless call per region × feature switched on, each reported
 * as ok or with the AWS error code. Skyport lacking its own AWS identity, or STS not answering, is a 503.
 */
export async function checkConnection(
  aws: ConnectionAws,
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

  let resolved: ResolvedCredentials;
  try {
    resolved = await aws.resolve(c, signal);
  } catch (err) {
    if (err instanceof AwsStepError && err.blame !== 'request') throw writeCheckError(err, c);
    failed(err, stsRegion, 'credentials', err instanceof AwsStepError ? err.operation : 'sts');
    return { ok: false, rows };
  }

  let regions = settings.regions;
  if (regions[0] === ALL_REGIONS) {
    const home = homeRegion(c.roleArn ?? 'arn:aws:');
    try {
      regions = await aws.step('ec2:DescribeRegions', signedBySkyport(c), () => describeEnabledRegions(aws.ec2(home, resolved.credentials), signal));
    } catch (err) {
      failed(err, home, 'credentials', 'ec2:DescribeRegions');
      return { ok: false, rows };
    }
  }

  const probes = probesFor(aws, settings);
  const jobs = regions.flatMap((region) =>
    probes.map((probe) => async () => {
      try {
        await aws.step(probe.operation, signedBySkyport(c), () => probe.call(region, resolved.credentials, signal));
        rows.push({ region, feature: probe.feature, operation: probe.operation, ok: true });
      } catch (err) {
        failed(err, region, probe.feature, probe.operation);
      }
    }),
  );
  await inBatches(jobs, CHECK_CONCURRENCY);
  const order = (r: { region: string; operation: string }) => `${regions.indexOf(r.region).toString().padStart(3, '0')} ${r.operation}`;
  rows.sort((a, b) => order(a).localeCompare(order(b)));
  return { ok: rows.every((r) => r.ok), rows };
}
