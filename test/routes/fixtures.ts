// Shared pieces of the API tests: tenants, valid bodies, envelope assertions. Not a test file itself.
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import type { App } from '../../src/app.ts';
import { buildTestApp, client, type TestApp } from '../helpers/app.ts';
import { startTestAws, type TestAws } from '../helpers/aws.ts';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/skyport-reader';
export const OTHER_ROLE_ARN = 'arn:aws:iam::210987654321:role/other-reader';

/**
 * Every role ARN the API tests create integrations with (without forceSave). `startApiAws` makes each of
 * them a real role in the simulator that trusts Skyport, so the credential check (STS AssumeRole) passes.
 */
export const API_TEST_ROLES = [
  ROLE_ARN,
  OTHER_ROLE_ARN,
  'arn:aws:iam::123456789012:role/x',
  'arn:aws:iam::123456789012:role/python',
  'arn:aws:iam::123456789012:role/terraform-managed',
  'arn:aws:iam::123456789012:role/tf',
];

/** CloudTrail buckets (name, region) that exist in the API tests' simulated AWS, readable by every test role. */
export const API_TEST_BUCKETS = [
  ['acme-trail', 'us-east-1'],
  ['acme-trail-logs', 'us-east-1'],
  ['my.trail-bucket-01', 'eu-central-1'],
  ['tf-trail', 'us-west-2'],
  ['my.bucket-1', 'eu-central-1'],
  ['logs0', 'ap-southeast-2'],
] as const;

export type Call = ReturnType<typeof client>;
export type Res = Awaited<ReturnType<Call>>;

/** The real app of buildTestApp, plus the AWS simulator it talks to. */
export type ApiTestApp = TestApp & { aws: TestAws };
type ApiTestAppOptions = Omit<NonNullable<Parameters<typeof buildTestApp>[1]>, 'aws'>;

/**
 * An AWS simulator with Skyport's identity in which every role of API_TEST_ROLES trusts Skyport; closed
 * when the test ends. The trust policies have no sts:ExternalId condition: the API tests issue a fresh
 * external ID in nearly every test and use it with the same few roles, and a role without that condition
 * accepts any ExternalId, as in AWS. Tests about the external ID itself (credentialCheck.test.ts,
 * credentialCheckRules.test.ts) create roles that require their exact ID.
 */
export async function startApiAws(t: Pick<TestContext, 'after'>): Promise<TestAws> {
  const aws = await startTestAws(t);
  for (const roleArn of API_TEST_ROLES) {
    const m = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    if (!m) throw new Error(`not an IAM role ARN of the aws partition: ${roleArn}`);
    aws.sim.createRole({ accountId: m[1], name: m[2], trustedPrincipals: [aws.skyportArn] });
  }
  // The CloudTrail buckets the API tests name: the create-time check looks for them (HeadBucket).
  for (const [name, region] of API_TEST_BUCKETS) aws.sim.createBucket({ name, region, accountId: '123456789012', readers: ['*'] });
  return aws;
}

/**
 * buildTestApp with AWS (the credential check's STS calls included) pointed at a simulator of its own
 * (startApiAws), which is closed after the app.
 */
export async function buildApiTestApp(t: Pick<TestContext, 'after'>, opts: ApiTestAppOptions = {}): Promise<ApiTestApp> {
  const cleanups: Array<() => unknown> = [];
  const local = { after: ((fn: () => unknown) => void cleanups.push(fn)) as unknown as TestContext['after'] };
  t.after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  const aws = await startApiAws(local);
  const testApp = await buildTestApp(local, { ...opts, aws: aws.settings });
  return { ...testApp, aws };
}

/**
 * One app (one fresh database, one simulator) for a whole `describe` block: the database is the expensive
 * part, and the tests of a block isolate themselves with their own tenant (see `tenant`).
 */
export function suiteApp(opts: ApiTestAppOptions = {}): () => ApiTestApp {
  const cleanups: Array<() => unknown> = [];
  let built: ApiTestApp | undefined;
  before(async () => {
    const fakeContext = { after: ((fn: () => unknown) => void cleanups.push(fn)) as unknown as TestContext['after'] };
    built = await buildApiTestApp(fakeContext, opts);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  return () => {
    if (!built) throw new Error('suiteApp used outside a test');
    return built;
  };
}

let tenantCounter = 0;

/** A new customer with a write token and a read-only token: its own empty corner of a shared database. */
export async function tenant(app: App, customerId = `t${process.pid}-${++tenantCounter}`) {
  const writer = await app.services.tokens.create({ name: `writer-${customerId}`, permissions: ['agent_management'], customerId });
  const reader = await app.services.tokens.create({ name: `reader-${customerId}`, permissions: [], customerId });
  return {
    customerId,
    token: writer.token,
    readerToken: reader.token,
    call: client(app, writer.token),
    read: client(app, reader.token),
  };
}

/** Asserts the success envelope and returns `response`. */
export function ok<T = any>(res: Res, what = ''): T {
  assert.equal(res.status, 200, `${what} expected 200, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(res.body.status, { result: 'OK', message: '', code: 200 });
  assert.ok('response' in res.body, 'the envelope carries response');
  return res.body.response as T;
}

/**
 * Asserts the error envelope `{"status":{"result":"ERROR","message":…,"code":status}}` (nothing else in the
 * body) and that the message contains every fragment (case-insensitive for strings).
 */
export function assertError(res: { status: number; body: any }, status: number, ...fragments: Array<string | RegExp>) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body), ['status'], `error body has only status: ${JSON.stringify(res.body)}`);
  const { result, message, code } = res.body.status;
  assert.equal(result, 'ERROR');
  assert.equal(code, status);
  assert.equal(typeof message, 'string');
  assert.ok(message.length > 0, 'the error message is not empty');
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(message.toLowerCase().includes(f.toLowerCase()), `message "${message}" mentions "${f}"`);
    else assert.match(message, f);
  }
  return message as string;
}

/** Issues an external ID for the caller's customer. */
export async function issueExternalId(call: Call): Promise<string> {
  return ok<string>(await call('POST', '/api/v2/cloudintegration/awsExternalId'), 'issue external ID');
}

export function creds(externalId?: string, roleArn = ROLE_ARN) {
  return { roleArn, ...(externalId !== undefined ? { externalId } : {}) };
}

export function cloudWatchBody(externalId: string | undefined, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return { name: 'prod account', service: 'CLOUDWATCH', ...extra, cloudWatch: { baseCredentials: creds(externalId), ...config } };
}

export function cloudTrailBody(externalId: string | undefined, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return {
    name: 'prod trail',
    service: 'CLOUDTRAIL',
    ...extra,
    cloudTrail: { baseCredentials: creds(externalId), bucketName: 'acme-trail-logs', region: 'us-east-1', ...config },
  };
}

export function ec2Body(externalId: string | undefined, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return { name: 'prod ec2', service: 'EC2', ...extra, ec2: { baseCredentials: creds(externalId), ...config } };
}

/** Creates an integration (asserting 200) and returns it as the API returned it. */
export async function createIntegration(call: Call, body: unknown): Promise<any> {
  return ok(await call('POST', '/api/v2/cloudintegration', body), 'create');
}

/** Issues an external ID and creates a CloudWatch integration with it. */
export async function createCloudWatch(call: Call, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  const externalId = await issueExternalId(call);
  return createIntegration(call, cloudWatchBody(externalId, extra, config));
}

/** A raw inject with a token; the body is sent exactly as given (string) and the JSON answer parsed. */
export async function raw(
  app: App,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: string | Buffer,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload !== undefined ? { payload } : {}) });
  let body: any;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    body = res.body;
  }
  return { status: res.statusCode, body, headers: res.headers, text: res.body };
}

/** The integrations row as PostgreSQL holds it, as text (for byte-identical comparisons). */
export async function rowText(testApp: TestApp, id: string): Promise<string | undefined> {
  const res = await testApp.database.pool.query('SELECT t::text AS row FROM integrations t WHERE id = $1', [id]);
  return res.rows[0]?.row;
}

export async function integrationCount(testApp: TestApp, customerId?: string): Promise<number> {
  const res = customerId
    ? await testApp.database.pool.query('SELECT count(*)::int AS n FROM integrations WHERE customer_id = $1', [customerId])
    : await testApp.database.pool.query('SELECT count(*)::int AS n FROM integrations');
  return res.rows[0].n;
}

export const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
