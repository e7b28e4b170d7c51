import { hostname } from 'node:os';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseDuration } from './lib/duration.ts';
import { parseSecretKey } from './services/secrets/secretBox.ts';

// Every environment variable Skyport reads, in one schema. Validated once at start-up;
// the resulting Config is passed down explicitly (nothing else reads process.env).
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' }),
  HOST: Type.String({ default: '127.0.0.1', description: 'Interface to listen on (0.0.0.0 in containers)' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1, description: 'External PostgreSQL URL; unset = embedded PostgreSQL' })),
  SKYPORT_DATA_DIR: Type.String({ default: './data', description: 'Data directory of the embedded PostgreSQL' }),
  SKYPORT_EMBEDDED_PG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 54329, description: 'Port of the embedded PostgreSQL' }),
  SKYPORT_BOOTSTRAP_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'Ensures an agent_management token with this value exists' })),
  SKYPORT_EXTERNAL_ID_TTL: Type.String({ default: '24h', description: 'Lifetime of an unused external ID' }),
  SKYPORT_TRASH_RETENTION: Type.String({ default: '30d', description: 'How long deleted integrations stay in the trash' }),
  SKYPORT_POINTS_RETENTION: Type.String({ default: '7d', description: 'How long collected data points are kept' }),
  SKYPORT_TRAFFIC_RETENTION: Type.String({ default: '30d', description: 'How long API Gateway traffic statistics (per endpoint and minute) are kept' }),
  SKYPORT_AUTH_CACHE_TTL: Type.String({ default: '5s', description: 'How long a verified token is cached in memory' }),
  SKYPORT_BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 262_144, description: 'Largest accepted request body, bytes' }),
  SKYPORT_METRICS: Type.Enum(['on', 'off'], { default: 'on', description: 'Serve /metrics' }),
  SKYPORT_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'PostgreSQL connections per process' }),
  SKYPORT_DB_CONNECT_TIMEOUT: Type.String({ default: '5s', description: 'How long opening a PostgreSQL connection may take' }),
  SKYPORT_DB_ACQUIRE_TIMEOUT: Type.String({ default: '10s', description: 'How long a request may wait for a free pooled connection when all are busy' }),
  SKYPORT_DB_STATEMENT_TIMEOUT: Type.String({ default: '30s', description: 'How long one SQL statement may run, lock waits included (PostgreSQL statement_timeout)' }),
  AWS_REGION: Type.String({ default: 'us-east-1', description: 'Region of the STS endpoint Skyport uses to assume roles' }),
  AWS_ENDPOINT_URL: Type.Optional(Type.String({ minLength: 1, description: 'Endpoint override for every AWS service (read by the AWS SDK itself); turns on S3 path-style addressing' })),
  AWS_ENDPOINT_URL_S3: Type.Optional(Type.String({ minLength: 1, description: 'Endpoint override for S3 (read by the AWS SDK itself); turns on S3 path-style addressing' })),
  SKYPORT_AWS_REGIONS: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+(\\s*,\\s*[a-z0-9-]+)*$', description: 'Comma-separated regions to collect; unset: each account\'s enabled regions' })),
  SKYPORT_SCHEDULER: Type.Enum(['on', 'off'], { default: 'on', description: 'Run the collection scheduler in this process (off: an API-only replica)' }),
  SKYPORT_SCHEDULER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'Collections run at once by this process' }),
  SKYPORT_SCHEDULER_LEASE: Type.String({ default: '60s', description: 'Lease of a running collection; renewed while it runs, taken over by another replica when it lapses' }),
  SKYPORT_SCHEDULER_POLL: Type.String({ default: '1s', description: 'How often an idle scheduler looks for due integrations' }),
  SKYPORT_SHUTDOWN_GRACE: Type.String({ default: '20s', description: 'On shutdown, how long running collections may take to finish before they are handed back' }),
  SKYPORT_REPLICA_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'This replica\'s id (lastProcessorId); default <hostname>:<PORT>' })),
  SKYPORT_CLOUDWATCH_PERIOD: Type.String({ default: '60s', description: 'CloudWatch period of collected points' }),
  SKYPORT_CLOUDWATCH_DELAY: Type.String({ default: '5m', description: 'How far behind now a CloudWatch window ends (CloudWatch data converges late)' }),
  SKYPORT_CLOUDWATCH_LOOKBACK: Type.String({ default: '1h', description: 'How far back a new integration\'s first window starts' }),
  SKYPORT_CLOUDTRAIL_LOOKBACK: Type.String({ default: '1h', description: 'How far back a new CloudTrail integration starts reading log files (by delivery time)' }),
  SKYPORT_EVENTS_RETENTION: Type.String({ default: '30d', description: 'How long stored events (CloudTrail actions, ended system events) are kept' }),
  SKYPORT_COST_PER_1000_METRICS_USD: Type.Number({ minimum: 0, maximum: 1000, default: 0.01, description: 'List price of 1,000 CloudWatch metrics requested (GetMetricData), for cost estimates' }),
  SKYPORT_MAX_SERIES_PER_INTEGRATION: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000, description: 'Unique series one integration may collect per run' }),
  SKYPORT_TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the server certificate (with its chain): serve HTTPS and HTTP/2; needs SKYPORT_TLS_KEY' })),
  SKYPORT_TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the private key of SKYPORT_TLS_CERT' })),
  SKYPORT_PUBLIC_URL: Type.Optional(Type.String({ minLength: 1, description: 'The URL users reach Skyport at, used in printed hints; default derived from HOST and PORT' })),
  SKYPORT_SECRET_KEY: Type.Optional(Type.String({ minLength: 1, description: 'Key (32 bytes, base64 or 64 hex digits) that encrypts stored secrets such as API Gateway access keys; unset with the embedded database: a key file in SKYPORT_DATA_DIR' })),
  SKYPORT_AMBIENT_CUSTOMERS: Type.Optional(Type.String({ pattern: '^\\s*(\\*|[a-z0-9_-]{1,63}(\\s*,\\s*[a-z0-9_-]{1,63})*)\\s*$', description: 'Customers allowed AMBIENT API Gateway connections (the server\'s own AWS identity): comma-separated, or *; unset: none' })),
  SKYPORT_AWS_PRINCIPAL_ARN: Type.Optional(Type.String({ pattern: '^arn:aws[a-z-]*:(iam|sts)::\\d{12}:\\S+$', description: 'ARN of Skyport\'s own AWS identity, named in the trust policies GET …/policy shows' })),
  // Time limits on AWS calls and collection runs (issue 9): every wait has an end.
  SKYPORT_AWS_CONNECT_TIMEOUT: Type.String({ default: '5s', description: 'Longest wait for a connection to an AWS endpoint' }),
  SKYPORT_AWS_REQUEST_TIMEOUT: Type.String({ default: '30s', description: 'Longest wait for an AWS answer (STS included); the call then fails as transient and is retried later' }),
  SKYPORT_RUN_DEADLINE: Type.String({ default: '5m', description: 'Longest a collection run may take; it is then abandoned (nothing written) and retried with back-off' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'pino log level',
  }),
  SKYPORT_DEMO_BREAK_AFTER: Type.String({ default: '2m', description: '`skyport demo` only: when the demo breaks a role\'s trust policy to show an integration disabling itself' }),
  LOG_FORMAT: Type.Optional(Type.Enum(['json', 'pretty'], { description: 'json (pino lines) or pretty (readable lines); unset: pretty at a terminal, json otherwise' })),
});
export type Env = Static<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  bootstrapToken?: string;
  externalIdTtlMs: number;
  trashRetentionMs: number;
  pointsRetentionMs: number;
  trafficRetentionMs: number;
  eventsRetentionMs: number;
  authCacheTtlMs: number;
  bodyLimit: number;
  metricsEnabled: boolean;
  dbPoolSize: number;
  dbTimeouts: { connectMs: number; acquireMs: number; statementMs: number };
  logLevel: string;
  /** SKYPORT_DEMO_BREAK_AFTER: `skyport demo` breaks a trust policy this long after it starts. */
  demoBreakAfterMs: number;
  /** LOG_FORMAT; unset: chosen by whether stdout is a terminal. */
  logFormat?: 'json' | 'pretty';
  /** PEM file paths; both set or both unset. */
  tls?: { certFile: string; keyFile: string };
  /** Where users reach this server (printed hints), without a trailing slash. */
  publicUrl: string;
  scheduler: {
    enabled: boolean;
    concurrency: number;
    leaseMs: number;
    pollMs: number;
    shutdownGraceMs: number;
    replicaId: string;
    /** SKYPORT_RUN_DEADLINE */
    runDeadlineMs: number;
  };
  cloudtrail: {
    lookbackMs: number;
  };
  cloudwatch: {
    periodSec: number;
    delayMs: number;
    lookbackMs: number;
    maxSeries: number;
    /** SKYPORT_COST_PER_1000_METRICS_USD. */
    costPer1000MetricsUsd: number;
  };
  apigateway: {
    /** SKYPORT_SECRET_KEY as given (validated). */
    secretKey?: string;
    /** Customers allowed AMBIENT credentials; ['*'] for all. */
    ambientCustomers: string[];
    principalArn?: string;
  };
  aws: {
    stsRegion: string;
    /** True when an endpoint override is configured: S3 then needs path-style addressing. */
    endpointOverride: boolean;
    regions?: string[];
    /** SKYPORT_AWS_CONNECT_TIMEOUT, SKYPORT_AWS_REQUEST_TIMEOUT */
    timeouts: { connectMs: number; requestMs: number };
  };
}

export class ConfigError extends Error {}

/** "LOG_LEVEL must be one of fatal, error, …, got "verbose"" rather than Ajv's "equal to one of the allowed values". */
function describeEnvError(e: { instancePath: string; message: string }, given: Record<string, unknown>): string {
  const name = e.instancePath.replace(/^\//, '') || 'environment';
  const schema = (EnvSchema.properties as Record<string, { enum?: string[] }>)[name];
  if (schema?.enum) return `${name} must be one of ${schema.enum.join(', ')}; got "${String(given[name])}"`;
  return `${name} ${e.message}`;
}

/** Rules between variables, and values whose form a JSON Schema keyword does not check. */
function crossChecks(e: Env): string[] {
  const problems: string[] = [];
  if (e.DATABASE_URL !== undefined && !/^postgres(?:ql)?:\/\/[^\s]+$/.test(e.DATABASE_URL)) {
    problems.push('DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database');
  } else if (e.DATABASE_URL !== undefined && !URL.canParse(e.DATABASE_URL)) {
    problems.push('DATABASE_URL is not a valid URL (percent-encode special characters in the password)');
  }
  if (Boolean(e.SKYPORT_TLS_CERT) !== Boolean(e.SKYPORT_TLS_KEY)) {
    problems.push('SKYPORT_TLS_CERT and SKYPORT_TLS_KEY must be set together');
  }
  if (e.SKYPORT_PUBLIC_URL !== undefined && !/^https?:\/\/[^\s/]+/.test(e.SKYPORT_PUBLIC_URL)) {
    problems.push(`SKYPORT_PUBLIC_URL must be an http:// or https:// URL, got "${e.SKYPORT_PUBLIC_URL}"`);
  }
  return problems;
}

/**
 * The advertised address. A wildcard bind address (0.0.0.0, ::) is where the server listens, not where a user
 * reaches it: the hint then says localhost, which is right from the host of a container with a published port.
 */
function publicUrl(e: Env): string {
  if (e.SKYPORT_PUBLIC_URL) return e.SKYPORT_PUBLIC_URL.replace(/\/+$/, '');
  const scheme = e.SKYPORT_TLS_CERT ? 'https' : 'http';
  const wildcard = ['0.0.0.0', '::', '[::]', ''].includes(e.HOST);
  const host = wildcard ? 'localhost' : e.HOST.includes(':') && !e.HOST.startsWith('[') ? `[${e.HOST}]` : e.HOST;
  return `${scheme}://${host}:${e.PORT}`;
}

/** Validates the environment and turns it into a typed Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.keys(EnvSchema.properties);
  const picked: Record<string, unknown> = {};
  for (const key of known) if (env[key] !== undefined && env[key] !== '') picked[key] = env[key];
  // Value.Convert would quietly turn "80.5" into 80 and "0x50" into 80: integers must be plain digits.
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(EnvSchema.properties)) {
    const raw = picked[key];
    if ((schema as { type?: unknown }).type === 'integer' && typeof raw === 'string' && !/^\s*\d+\s*$/.test(raw)) {
      problems.push(`${key} must be a whole number, got "${raw}"`);
      delete picked[key];
    }
  }
  const withDefaults = Value.Default(EnvSchema, Value.Convert(EnvSchema, picked));
  if (!Value.Check(EnvSchema, withDefaults)) {
    problems.push(...[...Value.Errors(EnvSchema, withDefaults)].map((err) => describeEnvError(err, picked)));
  }
  problems.push(...crossChecks(withDefaults as Env));
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
  const e = withDefaults as Env;
  if (e.SKYPORT_SECRET_KEY !== undefined) {
    try {
      parseSecretKey(e.SKYPORT_SECRET_KEY);
    } catch (err) {
      throw new ConfigError(`invalid configuration: SKYPORT_SECRET_KEY ${(err as Error).message}`);
    }
  }
  const duration = (name: keyof Env) => {
    try {
      return parseDuration(String(e[name]));
    } catch (err) {
      throw new ConfigError(`invalid configuration: ${name}: ${(err as Error).message}`);
    }
  };
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.SKYPORT_DATA_DIR,
    embeddedPgPort: e.SKYPORT_EMBEDDED_PG_PORT,
    bootstrapToken: e.SKYPORT_BOOTSTRAP_TOKEN,
    externalIdTtlMs: duration('SKYPORT_EXTERNAL_ID_TTL'),
    trashRetentionMs: duration('SKYPORT_TRASH_RETENTION'),
    pointsRetentionMs: duration('SKYPORT_POINTS_RETENTION'),
    trafficRetentionMs: duration('SKYPORT_TRAFFIC_RETENTION'),
    eventsRetentionMs: duration('SKYPORT_EVENTS_RETENTION'),
    authCacheTtlMs: duration('SKYPORT_AUTH_CACHE_TTL'),
    bodyLimit: e.SKYPORT_BODY_LIMIT,
    metricsEnabled: e.SKYPORT_METRICS === 'on',
    dbPoolSize: e.SKYPORT_DB_POOL_SIZE,
    dbTimeouts: {
      connectMs: duration('SKYPORT_DB_CONNECT_TIMEOUT'),
      acquireMs: duration('SKYPORT_DB_ACQUIRE_TIMEOUT'),
      statementMs: duration('SKYPORT_DB_STATEMENT_TIMEOUT'),
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    demoBreakAfterMs: duration('SKYPORT_DEMO_BREAK_AFTER'),
    tls: e.SKYPORT_TLS_CERT && e.SKYPORT_TLS_KEY ? { certFile: e.SKYPORT_TLS_CERT, keyFile: e.SKYPORT_TLS_KEY } : undefined,
    publicUrl: publicUrl(e),
    scheduler: {
      enabled: e.SKYPORT_SCHEDULER === 'on',
      concurrency: e.SKYPORT_SCHEDULER_CONCURRENCY,
      leaseMs: duration('SKYPORT_SCHEDULER_LEASE'),
      pollMs: duration('SKYPORT_SCHEDULER_POLL'),
      shutdownGraceMs: duration('SKYPORT_SHUTDOWN_GRACE'),
      replicaId: e.SKYPORT_REPLICA_ID ?? `${hostname()}:${e.PORT}`,
      runDeadlineMs: duration('SKYPORT_RUN_DEADLINE'),
    },
    cloudtrail: {
      lookbackMs: duration('SKYPORT_CLOUDTRAIL_LOOKBACK'),
    },
    cloudwatch: {
      periodSec: Math.max(1, Math.round(duration('SKYPORT_CLOUDWATCH_PERIOD') / 1000)),
      delayMs: duration('SKYPORT_CLOUDWATCH_DELAY'),
      lookbackMs: duration('SKYPORT_CLOUDWATCH_LOOKBACK'),
      maxSeries: e.SKYPORT_MAX_SERIES_PER_INTEGRATION,
      costPer1000MetricsUsd: e.SKYPORT_COST_PER_1000_METRICS_USD,
    },
    apigateway: {
      secretKey: e.SKYPORT_SECRET_KEY,
      ambientCustomers: (e.SKYPORT_AMBIENT_CUSTOMERS ?? '').split(',').map((c) => c.trim()).filter((c) => c !== ''),
      principalArn: e.SKYPORT_AWS_PRINCIPAL_ARN,
    },
    aws: {
      stsRegion: e.AWS_REGION,
      endpointOverride: Boolean(e.AWS_ENDPOINT_URL || e.AWS_ENDPOINT_URL_S3),
      regions: e.SKYPORT_AWS_REGIONS?.split(',').map((r) => r.trim()),
      timeouts: { connectMs: duration('SKYPORT_AWS_CONNECT_TIMEOUT'), requestMs: duration('SKYPORT_AWS_REQUEST_TIMEOUT') },
    },
  };
}
