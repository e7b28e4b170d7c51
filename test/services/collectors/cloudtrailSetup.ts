import type { TestContext } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import { createAwsAccess } from '../../../src/services/collection/aws/access.ts';
import type { AwsClients } from '../../../src/services/collection/aws/clientFactory.ts';
import { createCloudTrailCollector, type CloudTrailCollectorDeps } from '../../../src/services/collection/collectors/cloudtrail/index.ts';
import type { CollectResult } from '../../../src/services/collection/collectors/types.ts';
import type { CloudTrailRecord, CloudTrailWriteInput, CloudTrailWriteResult } from '../../../src/simulator/cloudtrail.ts';
import { manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole, type TestAws } from '../../helpers/aws.ts';

export const ACCOUNT = '444455556666';
export const EXTERNAL_ID = 'ext-cloudtrail-0001';
export const BUCKET = 'trail-bucket';
export const INTEGRATION_ID = '6f0f2a52-8d5e-4a44-9a51-3b5f0a3c2e10';
/** 2026-11-21T12:00:00Z */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
export const MIN = 60_000;

export interface CloudTrailHarness {
  aws: TestAws;
  clock: ReturnType<typeof manualClock>;
  roleArn: string;
  /** Cursors as the scheduler keeps them: every run's new cursors are merged in. */
  cursors: Map<string, string>;
  /** Runs the collector; `config` is merged over {bucketName: BUCKET, region: us-east-1}. */
  run(config?: Record<string, unknown>, opts?: { additionalTags?: Record<string, string> | null }): Promise<CollectResult>;
  /** A new collector instance (a process restart): caches gone, cursors kept. */
  restart(deps?: Partial<CloudTrailCollectorDeps>): void;
  /** Writes a log file of ACCOUNT into BUCKET (us-east-1) unless told otherwise. */
  write(input?: Partial<CloudTrailWriteInput>): CloudTrailWriteResult;
  /** Every S3 request the collector's client sends (command name and input), in order. */
  s3Requests: Array<{ command: string; input: Record<string, unknown> }>;
  /** Keys the collector downloaded (GetObject), in order. */
  downloaded(): string[];
}

/**
 * The collector wired as production wires it (createAwsAccess: real SDK clients with the rate limiter,
 * credentials over STS), S3 served by the simulator over HTTP.
 */
export async function cloudTrailHarness(
  t: Pick<TestContext, 'after'>,
  opts: { deps?: Partial<CloudTrailCollectorDeps>; start?: number } = {},
): Promise<CloudTrailHarness> {
  const clock = manualClock(opts.start ?? T0);
  const aws = await startTestAws(t, { clock: clock.now });
  const roleArn = trustedRole(aws, ACCOUNT, EXTERNAL_ID);
  const access = createAwsAccess({ settings: aws.settings, clock });
  const role = { id: INTEGRATION_ID, roleArn, externalId: EXTERNAL_ID };
  const { credentials } = access.forIntegration(role);
  t.after(() => access.close());
  const s3Requests: CloudTrailHarness['s3Requests'] = [];
  // Fresh clients per run, as the scheduler makes them (the SDK memoizes credentials per client).
  const clientsForRun = (): AwsClients => {
    const clients = access.forIntegration(role).aws;
    for (const region of ['us-east-1', 'eu-west-1']) {
      observe(clients.s3(region), (command, input) => s3Requests.push({ command, input: input as Record<string, unknown> }));
    }
    return clients;
  };
  let collect = createCloudTrailCollector(opts.deps);
  const cursors = new Map<string, string>();
  return {
    aws,
    clock,
    roleArn,
    cursors,
    s3Requests,
    async run(config = {}, runOpts = {}) {
      const clients = clientsForRun();
      const result = await collect({
        target: {
          id: INTEGRATION_ID,
          customerId: 'customer-1',
          service: 'CLOUDTRAIL',
          config: { baseCredentials: { roleArn, externalId: EXTERNAL_ID }, bucketName: BUCKET, region: 'us-east-1', ...config },
          additionalTags: runOpts.additionalTags ?? null,
          roleArn,
          externalId: EXTERNAL_ID,
          accountId: ACCOUNT,
        },
        aws: clients,
        credentials,
        cursors: new Map(cursors),
        now: clock.now(),
        signal: new AbortController().signal,
      }).finally(() => clients.destroy());
      for (const [scope, position] of result.cursors) cursors.set(scope, position);
      return result;
    },
    restart(deps) {
      collect = createCloudTrailCollector({ ...opts.deps, ...deps });
    },
    write(input = {}) {
      return aws.sim.writeCloudTrail({ accountId: ACCOUNT, region: 'us-east-1', bucket: BUCKET, ...input });
    },
    downloaded() {
      return s3Requests.filter((r) => r.command === 'GetObjectCommand').map((r) => String(r.input.Key));
    },
  };
}

// Clients are reused run after run (the factory keeps them with the role's credentials): observe each once.
const observed = new WeakSet<S3Client>();

function observe(client: S3Client, fn: (command: string, input: unknown) => void): void {
  if (observed.has(client)) return;
  observed.add(client);
  const stack = client.middlewareStack as unknown as { add(mw: InitializeMiddleware<object, object>, o: InitializeHandlerOptions & { name: string }): void };
  stack.add(
    (next, context) => async (args) => {
      fn(String(context.commandName), args.input);
      return next(args);
    },
    { step: 'initialize', name: `testObserver${Math.random().toString(36).slice(2)}` },
  );
}

let eventCounter = 0;

/** A CloudTrail record (defaults: a RunInstances call in us-east-1 by an assumed role, not read-only). */
export function record(overrides: Record<string, unknown> = {}): CloudTrailRecord {
  eventCounter++;
  return {
    eventVersion: '1.11',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operator/alice`, accountId: ACCOUNT },
    eventTime: new Date(T0 - 2 * MIN).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { instanceType: 't3.micro' },
    responseElements: null,
    requestID: `req-${eventCounter}`,
    eventID: `00000000-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...overrides,
  };
}

export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The eventIDs of a result's events. */
export const eventIds = (r: CollectResult) => r.events.map((e) => e.dedupeKey);
