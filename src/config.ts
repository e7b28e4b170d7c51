import { hostname } from 'node:os';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseDuration } from './lib/duration.ts';

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
  SKYPORT_MAX_SERIES_PER_INTEGRATION: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000, description: 'Unique series one integration may collect per run' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'pino log level',
  }),
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
  eventsRetentionMs: number;
  authCacheTtlMs: number;
  bodyLimit: number;
  metricsEnabled: boolean;
  dbPoolSize: number;
  dbTimeouts: { connectMs: number; acquireMs: number; statementMs: number };
  logLevel: string;
  scheduler: {
    enabled: boolean;
    concurrency: number;
    leaseMs: number;
    pollMs: number;
    shutdownGraceMs: number;
    replicaId: string;
  };
  cloudtrail: {
    lookbackMs: number;
  };
  cloudwatch: {
    periodSec: number;
    delayMs: number;
    lookbackMs: number;
    maxSeries: number;
  };
  aws: {
    stsRegion: string;
    /** True when an endpoint override is configured: S3 then needs path-style addressing. */
    endpointOverride: boolean;
    regions?: string[];
  };
}

export class ConfigError extends Error {}

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
    problems.push(
      ...[...Value.Errors(EnvSchema, withDefaults)].map((e) => `${e.instancePath.replace(/^\//, '') || 'environment'} ${e.message}`),
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
  const e = withDefaults as Env;
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
    scheduler: {
      enabled: e.SKYPORT_SCHEDULER === 'on',
      concurrency: e.SKYPORT_SCHEDULER_CONCURRENCY,
      leaseMs: duration('SKYPORT_SCHEDULER_LEASE'),
      pollMs: duration('SKYPORT_SCHEDULER_POLL'),
      shutdownGraceMs: duration('SKYPORT_SHUTDOWN_GRACE'),
      replicaId: e.SKYPORT_REPLICA_ID ?? `${hostname()}:${e.PORT}`,
    },
    cloudtrail: {
      lookbackMs: duration('SKYPORT_CLOUDTRAIL_LOOKBACK'),
    },
    cloudwatch: {
      periodSec: Math.max(1, Math.round(duration('SKYPORT_CLOUDWATCH_PERIOD') / 1000)),
      delayMs: duration('SKYPORT_CLOUDWATCH_DELAY'),
      lookbackMs: duration('SKYPORT_CLOUDWATCH_LOOKBACK'),
      maxSeries: e.SKYPORT_MAX_SERIES_PER_INTEGRATION,
    },
    aws: {
      stsRegion: e.AWS_REGION,
      endpointOverride: Boolean(e.AWS_ENDPOINT_URL || e.AWS_ENDPOINT_URL_S3),
      regions: e.SKYPORT_AWS_REGIONS?.split(',').map((r) => r.trim()),
    },
  };
}
