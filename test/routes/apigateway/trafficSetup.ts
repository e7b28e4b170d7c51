// Shared pieces of the API Gateway traffic tests. Not a test file itself.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { RECOMMENDED_ACCESS_LOG_FORMAT } from '../../../src/services/apigateway/policy.ts';
import { buildTestApp, client } from '../../helpers/app.ts';
import { startTestAws, trustedRole } from '../../helpers/aws.ts';
import { ok } from '../fixtures.ts';
import { BASE, roleBody, TEST_SECRET_KEY } from './fixtures.ts';

export const ACCOUNT = '210987654321';
export const REGION = 'us-east-1';
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** Akto's set-up guide's JSON access-log format (no latency, API key, API or stage). */
export const AKTO_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
});
/** API Gateway's CLF preset. */
export const CLF_FORMAT =
  '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" $context.status $context.responseLength $context.requestId';
export const RECOMMENDED_FORMAT = RECOMMENDED_ACCESS_LOG_FORMAT;

export const logArn = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}`;
export const PET_ENDPOINTS = [
  { method: 'GET', path: '/pets/{petId}', weight: 3 },
  { method: 'GET', path: '/pets' },
];

/**
 * The app and the simulator with one customer account. The app's clock is the simulator's plus `shift.ms`
 * (tests move Skyport's time without moving AWS's: request signatures stay within AWS's 15 minutes).
 */
export async function trafficSetup(t: Pick<TestContext, 'after'>) {
  const aws = await startTestAws(t);
  const sim = aws.sim;
  sim.createAccount({ id: ACCOUNT, regions: [REGION] });
  const shift = { ms: 0 };
  const clock = { now: () => sim.now() + shift.ms };
  const testApp = await buildTestApp(t, { aws: aws.settings, clock, env: { SKYPORT_SECRET_KEY: TEST_SECRET_KEY } });
  t.after(() => testApp.app.apigateway.sync.idle());
  const api = client(testApp.app, testApp.admin);
  const externalId = ok<string>(await api('POST', '/api/v2/cloudintegration/awsExternalId'));
  const roleArn = trustedRole(aws, ACCOUNT, externalId);
  const create = async (traffic: Record<string, unknown> = {}, more: Record<string, unknown> = {}) =>
    ok(await api('POST', BASE, roleBody(externalId, { forceSave: true, regions: [REGION], traffic: { enabled: true, ...traffic }, ...more }, roleArn)));
  const sync = async (id: string) => {
    const res = await api('POST', `${BASE}/${id}/sync?wait=true`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.response;
  };
  const apiNamed = async (name: string) => ok(await api('GET', `/api/v2/apigatewayapi?name=${name}`)).items[0];
  const traffic = async (apiId: string, query: string) => ok(await api('GET', `/api/v2/apigatewayapi/${apiId}/traffic?${query}`));
  const events = async () =>
    ok(await api('GET', '/api/v2/event?earliestStartTimeEpochMillis=0&latestStartTimeEpochMillis=9999999999999&limit=1000')).items as Array<{
      name: string;
      annotations: Record<string, string>;
    }>;
  return { ...testApp, aws, sim, shift, clock, api, create, sync, apiNamed, traffic, events };
}

/** The row of `rows` for an endpoint, status or key. */
export const rowOf = (rows: Array<Record<string, unknown>>, field: string, value: unknown) => rows.find((r) => r[field] === value);

/** Asserts a percentile is within the histogram's precision (±4.4%, rounded to 0.1 ms) of the exact value. */
export function assertNear(actual: number | null, exact: number | null, what: string) {
  assert.ok(actual !== null && exact !== null, `${what}: ${actual} vs ${exact}`);
  assert.ok(Math.abs(actual - exact) <= exact * 0.0443 + 0.05, `${what}: ${actual} is not within 4.4% of ${exact}`);
}
