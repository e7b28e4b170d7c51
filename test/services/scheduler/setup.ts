import type { TestContext } from 'node:test';
import { buildTestApp, client, manualClock } from '../../helpers/app.ts';
import { startTestAws, trustedRole, type TestAws } from '../../helpers/aws.ts';

export const ACCOUNT = '222233334444';

/**
 * An app whose AWS is the simulator, with one clock for both (so windows, leases and credential expiry move
 * together), and helpers to create integrations through the API.
 */
export async function schedulerSetup(t: Pick<TestContext, 'after'>, env: Record<string, string> = {}) {
  const clock = manualClock(Date.UTC(2026, 10, 21, 12, 0, 0));
  const aws = await startTestAws(t, { clock: clock.now });
  const test = await buildTestApp(t, {
    clock,
    aws: { ...aws.settings, regions: ['us-east-1'] },
    env: { SKYPORT_REPLICA_ID: 'replica-a', SKYPORT_SCHEDULER_LEASE: '60s', ...env },
  });
  const api = client(test.app, test.admin);
  const pool = test.database.pool;

  async function createIntegration(opts: { accountId?: string; series?: number; refreshMins?: number; name?: string; forceSave?: boolean } = {}) {
    const accountId = opts.accountId ?? ACCOUNT;
    const externalId = (await api('POST', '/api/v2/cloudintegration/awsExternalId')).body.response as string;
    const roleArn = trustedRole(aws, accountId, externalId, `Skyport-${externalId}`);
    if (opts.series) aws.sim.seedSeries({ accountId, region: 'us-east-1', count: opts.series, createInstances: true });
    const res = await api('POST', '/api/v2/cloudintegration', {
      name: opts.name ?? `account ${accountId}`,
      service: 'CLOUDWATCH',
      serviceRefreshRateInMins: opts.refreshMins ?? 1,
      cloudWatch: { baseCredentials: { roleArn, externalId }, namespaces: ['AWS/EC2'] },
      forceSave: opts.forceSave ?? false,
    });
    if (res.status !== 200) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
    return { id: res.body.response.id as string, roleArn, externalId, accountId };
  }

  const row = async (id: string) => (await pool.query('SELECT * FROM integrations WHERE id = $1', [id])).rows[0];
  const get = async (id: string) => (await api('GET', `/api/v2/cloudintegration/${id}`)).body.response;
  return { ...test, clock, aws, api, pool, createIntegration, row, get };
}

export type SchedulerSetup = Awaited<ReturnType<typeof schedulerSetup>>;
export type { TestAws };
