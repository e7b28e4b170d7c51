import type { TestContext } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Clock } from '../../src/lib/clock.ts';
import type { AwsSettings } from '../../src/services/collection/aws/settings.ts';
import { createTestDatabase } from './db.ts';

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 10, 21, 12, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  } satisfies Clock & Record<string, unknown>;
}

export interface TestApp {
  app: App;
  /** agent_management token of the default customer. */
  admin: string;
  /** A token of the default customer without permissions. */
  reader: string;
  config: Config;
  database: Awaited<ReturnType<typeof createTestDatabase>>;
}

/** The real app on a fresh database, closed when the test (or suite) ends. */
export async function buildTestApp(
  t: Pick<TestContext, 'after'>,
  opts: { env?: Record<string, string>; clock?: Clock; aws?: AwsSettings; logger?: FastifyBaseLogger } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ SKYPORT_AUTH_CACHE_TTL: '0s', ...opts.env });
  const app = await buildApp({ config, database, clock: opts.clock, aws: opts.aws, logger: opts.logger });
  await app.ready();
  t.after(async () => {
    await app.close();
    await database.close();
  });
  const admin = (await app.services.tokens.create({ name: 'admin', permissions: ['agent_management'] })).token;
  const reader = (await app.services.tokens.create({ name: 'reader', permissions: [] })).token;
  return { app, admin, reader, config, database };
}

/** Shorthand for an authenticated inject that returns status and parsed JSON. */
export function client(app: App, token: string) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
  };
}
