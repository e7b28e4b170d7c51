import type { Server } from 'node:http';
import type {
  Account,
  CreateAccountInput,
  CreateRoleInput,
  CreateUserInput,
  Role,
  UserCredentials,
} from './accounts.ts';
import { ApiGatewayAdmin } from './apigateway/admin.ts';
import { SimClock } from './clock.ts';
import { writeCloudTrail, type CloudTrailWriteInput, type CloudTrailWriteResult } from './cloudtrail.ts';
import { CallCounters, type CallCount, type CallFilter } from './counters.ts';
import { FaultRegistry, type Fault, type FaultInput, type ServiceSelector } from './faults.ts';
import { SimLogs } from './logs/sim-logs.ts';
import type { AddInstanceInput, AddVolumeInput, Instance, InstanceStateName, Volume } from './inventory.ts';
import { normalizeDimensions, type AddSeriesInput, type Dimension, type MetricSeries, type PointInput } from './metric-store.ts';
import type { Bucket, PutObjectInput, S3Object } from './objects.ts';
import { seedAccount, seedSeries, type SeedAccountInput, type SeedAccountResult, type SeedSeriesInput, type SeedSeriesResult } from './seed.ts';
import { createSimServer } from './server.ts';
import { SimState } from './state.ts';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base clock (epoch ms); the simulator's clock adds offsets/freezing on top. Default Date.now. */
  clock?: () => number;
  /** Seed of the PRNG behind probabilistic faults (default 1). */
  seed?: number;
  /** Verify SigV4 signatures (default true). */
  verifySignatures?: boolean;
  /**
   * Refuse requests whose X-Amz-Date is more than 15 minutes from the simulator clock, as AWS does (default
   * false: tests move the simulator clock far from the time the SDK signs with). Changeable at run time.
   */
  checkClockSkew?: boolean;
}

/**
 * A running simulated AWS (STS, CloudWatch, EC2, S3 on one port) and the API to seed it, inject faults and
 * read call counters. Create with startSimulator(); always close().
 */
export class Simulator {
  readonly state = new SimState();
  readonly clock: SimClock;
  /** CloudWatch Logs: groups, streams, events, generated access logs, the FilterLogEvents rate limit. */
  readonly logs: SimLogs;
  readonly faults: FaultRegistry;
  readonly counters = new CallCounters();
  readonly verifySignatures: boolean;
  /** Admin calls of the simulated API Gateway (v1 and v2): APIs, stages, deployments, usage plans, keys, quotas. */
  readonly apigateway: ApiGatewayAdmin;
  checkClockSkew: boolean;
  url = '';
  port = 0;
  private server: Server | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.clock = new SimClock(options.clock);
    this.logs = new SimLogs(this.state.logs, this.state.iam, this.clock);
    this.faults = new FaultRegistry(options.seed ?? 1);
    this.verifySignatures = options.verifySignatures ?? true;
    this.apigateway = new ApiGatewayAdmin(this.state, () => this.clock.now());
    this.checkClockSkew = options.checkClockSkew ?? false;
  }

  /** Current simulated time (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  // ---- accounts and IAM -------------------------------------------------------------------------------

  createAccount(input: CreateAccountInput = {}): Account {
    return this.state.iam.createAccount(input);
  }

  /** An IAM user with an access key (fixed keys when given: e.g. Skyport's own base credentials). */
  createUser(input: CreateUserInput): UserCredentials {
    return this.state.iam.createUser(input);
  }

  createRole(input: CreateRoleInput): Role {
    return this.state.iam.createRole(input);
  }

  updateRoleTrust(roleArn: string, change: { trustedPrincipals?: string[]; externalId?: string | string[] | null }): Role {
    return this.state.iam.updateRoleTrust(roleArn, change);
  }

  /** Ends every active session of a role at once (IAM "Revoke active sessions"). */
  revokeRoleSessions(roleArn: string): number {
    return this.state.iam.revokeSessions(roleArn);
  }

  deleteRole(roleArn: string): boolean {
    return this.state.iam.deleteRole(roleArn);
  }

  deleteAccessKey(accessKeyId: string): boolean {
    return this.state.iam.deleteAccessKey(accessKeyId);
  }

  /** Account + trusted role + instances/volumes + generated series in one call. */
  seedAccount(input: SeedAccountInput): SeedAccountResult {
    return seedAccount(this.state, this.now(), input);
  }

  // ---- EC2 --------------------------------------------------------------------------------------------

  addInstance(input: AddInstanceInput): Instance {
    this.state.iam.ensureAccount(input.accountId);
    return this.state.inventory.addInstance(input, this.now());
  }

  addVolume(input: AddVolumeInput): Volume {
    this.state.iam.ensureAccount(input.accountId);
    return this.state.inventory.addVolume(input, this.now());
  }

  setInstanceState(instanceId: string, state: InstanceStateName): Instance {
    return this.state.inventory.setInstanceState(instanceId, state);
  }

  removeInstance(instanceId: string): boolean {
    return this.state.inventory.removeInstance(instanceId);
  }

  // ---- CloudWatch -------------------------------------------------------------------------------------

  /** A metric series with stored points and/or generated values. */
  addSeries(input: AddSeriesInput): MetricSeries {
    this.state.iam.ensureAccount(input.accountId);
    return this.state.metrics.addSeries(input);
  }

  /** Adds points to a series (created if needed). */
  putMetricPoints(input: { accountId: string; region: string; namespace: string; metricName: string; dimensions?: Dimension[] | Record<string, string>; points: PointInput[] }): MetricSeries {
    return this.addSeries(input);
  }

  findSeries(input: { accountId: string; region: string; namespace: string; metricName: string; dimensions?: Dimension[] | Record<string, string> }): MetricSeries | undefined {
    return this.state.metrics.find(input.accountId, input.region, input.namespace, input.metricName, normalizeDimensions(input.dimensions));
  }

  /** N generated series for an account and region, quickly. */
  seedSeries(input: SeedSeriesInput): SeedSeriesResult {
    return seedSeries(this.state, this.now(), input);
  }

  // ---- S3 and CloudTrail ------------------------------------------------------------------------------

  createBucket(input: { name: string; accountId: string; region: string; readers?: string[] }): Bucket {
    this.state.iam.ensureAccount(input.accountId);
    return this.state.objects.createBucket(input, this.now());
  }

  putObject(input: PutObjectInput): S3Object {
    return this.state.objects.putObject(input, this.now());
  }

  getObject(bucket: string, key: string): S3Object | undefined {
    return this.state.objects.getObject(bucket, key);
  }

  /** Keys of a bucket under a prefix, in S3 order. */
  listKeys(bucket: string, prefix = ''): string[] {
    return (this.state.objects.buckets.get(bucket)?.sortedKeys ?? []).filter((k) => k.startsWith(prefix));
  }

  /** Writes a CloudTrail log file (and digest) at the real key layout. */
  writeCloudTrail(input: CloudTrailWriteInput): CloudTrailWriteResult {
    return writeCloudTrail(this.state, this.now(), input);
  }

  // ---- faults -----------------------------------------------------------------------------------------

  addFault(input: FaultInput): Fault {
    return this.faults.add(input);
  }

  removeFault(id: string): boolean {
    return this.faults.remove(id);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  listFaults(): Fault[] {
    return this.faults.list();
  }

  /** An explicit deny on a role: calls made with its sessions (optionally one service/API) get AccessDenied. */
  denyRole(roleArn: string, scope: { service?: ServiceSelector; api?: string; count?: number } = {}): Fault {
    return this.faults.add({ kind: 'access-denied', roleArn, ...scope });
  }

  // ---- counters ---------------------------------------------------------------------------------------

  callCount(filter: CallFilter = {}): number {
    return this.counters.total(filter);
  }

  calls(filter: CallFilter = {}): CallCount[] {
    return this.counters.list(filter);
  }

  resetCounters(): void {
    this.counters.reset();
  }

  // ---- lifecycle --------------------------------------------------------------------------------------

  async listen(port = 0, host = '127.0.0.1'): Promise<this> {
    const server = createSimServer(this);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('unexpected server address');
    this.server = server;
    this.port = address.port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    return this;
  }

  /** Stops listening and drops open (keep-alive) connections. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return new Simulator(options).listen(options.port ?? 0, options.host ?? '127.0.0.1');
}
