import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { generatedSample, type Statistic } from '../../src/simulator/index.ts';
import { assume, cfg, CUSTOMER_ACCOUNT, errorOf, world, type Credentials, type World } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;

describe('CloudWatch (awsJson1_0, awsQueryCompatible)', () => {
  let w: World;
  let creds: Credentials;
  let cw: CloudWatchClient;
  before(async () => {
    w = await world({ clock: () => NOW });
    creds = await assume(w);
    cw = new CloudWatchClient(cfg(w.sim, creds));
  });
  after(async () => {
    cw.destroy();
    await w.sim.close();
  });

  test('ListMetrics pages 500 at a time and follows NextToken to the end', async () => {
    w.sim.seedSeries({ accountId: CUSTOMER_ACCOUNT, region: 'us-west-2', count: 1200 });
    const client = new CloudWatchClient(cfg(w.sim, creds, 'us-west-2'));
    const pages: number[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const out = await client.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', NextToken: token }));
      pages.push(out.Metrics?.length ?? 0);
      for (const m of out.Metrics ?? []) seen.add(`${m.MetricName}/${m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',')}`);
      token = out.NextToken;
    } while (token);
    client.destroy();
    assert.deepEqual(pages, [500, 500, 200]);
    assert.equal(seen.size, 1200);
  });

  test('ListMetrics filters by MetricName and Dimensions', async () => {
    const client = new CloudWatchClient(cfg(w.sim, creds, 'us-west-2'));
    const cpu = await client.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }));
    assert.equal(cpu.Metrics?.length, 240);
    assert.ok(cpu.Metrics?.every((m) => m.MetricName === 'CPUUtilization'));
    const instanceId = cpu.Metrics?.[0].Dimensions?.[0].Value;
    const one = await client.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', Dimensions: [{ Name: 'InstanceId', Value: instanceId }] }));
    assert.equal(one.Metrics?.length, 5);
    const byName = await client.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', Dimensions: [{ Name: 'NoSuchDimension' }] }));
    assert.equal(byName.Metrics?.length, 0);
    const otherRegion = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }));
    assert.equal(otherRegion.Metrics?.length, 0, 'series are per region');
    client.destroy();
  });

  test('RecentlyActive=PT3H lists only series with a point in the last 3 hours', async () => {
    const base = { accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', namespace: 'Test/Recent' };
    w.sim.addSeries({ ...base, metricName: 'fresh', points: [{ timestamp: NOW - 60 * MIN, value: 1 }] });
    w.sim.addSeries({ ...base, metricName: 'stale', points: [{ timestamp: NOW - 4 * 60 * MIN, value: 1 }] });
    w.sim.addSeries({ ...base, metricName: 'ancient', points: [{ timestamp: NOW - 15 * 24 * 60 * MIN, value: 1 }] });
    w.sim.addSeries({ ...base, metricName: 'generated-live', generator: true });
    w.sim.addSeries({ ...base, metricName: 'generated-stopped', generator: { until: NOW - 4 * 60 * MIN } });
    w.sim.addSeries({ ...base, metricName: 'generated-future', generator: { from: NOW + 60 * MIN } });
    const names = async (recent: boolean): Promise<string[]> =>
      ((await cw.send(new ListMetricsCommand({ Namespace: 'Test/Recent', RecentlyActive: recent ? 'PT3H' : undefined }))).Metrics ?? [])
        .map((m) => m.MetricName ?? '')
        .sort();
    assert.deepEqual(await names(true), ['fresh', 'generated-live']);
    assert.deepEqual(await names(false), ['fresh', 'generated-live', 'generated-stopped', 'stale']);
  });

  test('ListMetrics rejects an unknown RecentlyActive value and a foreign NextToken', async () => {
    const bad = await errorOf(() => cw.send(new ListMetricsCommand({ RecentlyActive: 'PT1H' as 'PT3H' })));
    assert.equal(bad.Code, 'InvalidParameterValue');
    assert.equal(bad.name, 'InvalidParameterValueException');
    assert.equal(bad.$metadata?.httpStatusCode, 400);
    const token = await errorOf(() => cw.send(new ListMetricsCommand({ NextToken: 'bm90LWEtdG9rZW4=' })));
    assert.equal(token.name, 'InvalidNextToken');
  });

  describe('GetMetricData', () => {
    const dims = [{ Name: 'QueueName', Value: 'jobs' }];
    const metric = { Namespace: 'Test/Stats', MetricName: 'Latency', Dimensions: dims };
    const start = NOW - 30 * MIN;
    // 10 minutes of data, three samples per minute, plus one pre-aggregated statistic set.
    const raw: Array<{ t: number; v: number }> = [];
    before(() => {
      const points = [];
      for (let k = 0; k < 10; k++) {
        for (let j = 0; j < 3; j++) {
          const t = start + k * MIN + j * 10_000;
          const v = ((k * 7 + j * 13) % 17) + 0.5;
          raw.push({ t, v });
          points.push({ timestamp: t, value: v });
        }
      }
      w.sim.addSeries({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', namespace: metric.Namespace, metricName: metric.MetricName, dimensions: dims, points });
      w.sim.putMetricPoints({
        accountId: CUSTOMER_ACCOUNT,
        region: 'us-east-1',
        namespace: metric.Namespace,
        metricName: metric.MetricName,
        dimensions: dims,
        points: [{ timestamp: start + 7 * MIN + 30_000, statisticValues: { sampleCount: 4, sum: 100, minimum: 0.1, maximum: 40 } }],
      });
    });

    function expected(stat: Statistic, period: number): Array<[number, number]> {
      const buckets = new Map<number, { n: number; sum: number; min: number; max: number }>();
      const add = (t: number, n: number, sum: number, min: number, max: number): void => {
        const b = start + Math.floor((t - start) / period) * period;
        const acc = buckets.get(b) ?? { n: 0, sum: 0, min: Infinity, max: -Infinity };
        acc.n += n;
        acc.sum += sum;
        acc.min = Math.min(acc.min, min);
        acc.max = Math.max(acc.max, max);
        buckets.set(b, acc);
      };
      for (const { t, v } of raw) add(t, 1, v, v, v);
      add(start + 7 * MIN + 30_000, 4, 100, 0.1, 40);
      return [...buckets.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, a]) => [t, stat === 'Average' ? a.sum / a.n : stat === 'Sum' ? a.sum : stat === 'SampleCount' ? a.n : stat === 'Minimum' ? a.min : a.max]);
    }

    const stats: Statistic[] = ['Average', 'Sum', 'SampleCount', 'Minimum', 'Maximum'];

    test('each statistic over a seeded series is computed per period bucket', async () => {
      for (const period of [60, 300]) {
        const out = await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(start),
            EndTime: new Date(start + 15 * MIN),
            ScanBy: 'TimestampAscending',
            MetricDataQueries: stats.map((s) => ({ Id: `q_${s.toLowerCase()}`, MetricStat: { Metric: metric, Period: period, Stat: s } })),
          }),
        );
        assert.equal(out.MetricDataResults?.length, 5);
        for (const s of stats) {
          const r: MetricDataResult | undefined = out.MetricDataResults?.find((x) => x.Id === `q_${s.toLowerCase()}`);
          assert.ok(r, s);
          assert.equal(r.StatusCode, 'Complete');
          assert.equal(r.Label, 'Latency');
          const want = expected(s, period * 1000);
          assert.deepEqual(r.Timestamps?.map((d) => d.getTime()), want.map(([t]) => t), `${s}/${period} timestamps`);
          r.Values?.forEach((v, i) => assert.ok(Math.abs(v - want[i][1]) < 1e-9, `${s}/${period} value ${i}: ${v} vs ${want[i][1]}`));
        }
      }
    });

    test('ScanBy defaults to TimestampDescending', async () => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(start + 15 * MIN),
          MetricDataQueries: [{ Id: 'q', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } }],
        }),
      );
      const ts = out.MetricDataResults?.[0].Timestamps?.map((d) => d.getTime()) ?? [];
      assert.equal(ts.length, 10);
      assert.deepEqual(ts, [...ts].sort((a, b) => b - a));
      assert.equal(ts[0], start + 9 * MIN);
    });

    test('generated series answer deterministic values from time', async () => {
      const series = w.sim.addSeries({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { InstanceId: 'i-0123456789abcdef0' }, generator: { min: 10, max: 20, samplesPerInterval: 3 } });
      const query: MetricDataQuery[] = ['Average', 'SampleCount', 'Maximum'].map((s) => ({
        Id: `g_${s.toLowerCase()}`,
        MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'InstanceId', Value: 'i-0123456789abcdef0' }] }, Period: 60, Stat: s },
      }));
      const input = { StartTime: new Date(NOW - 5 * MIN), EndTime: new Date(NOW), ScanBy: 'TimestampAscending' as const, MetricDataQueries: query };
      const first = await cw.send(new GetMetricDataCommand(input));
      const again = await cw.send(new GetMetricDataCommand(input));
      assert.deepEqual(first.MetricDataResults, again.MetricDataResults);
      const avg = first.MetricDataResults?.find((r) => r.Id === 'g_average');
      assert.equal(avg?.Timestamps?.length, 5);
      avg?.Timestamps?.forEach((t, i) => {
        const sample = generatedSample(series, t.getTime());
        assert.ok(Math.abs((avg.Values?.[i] ?? NaN) - sample.sum / sample.n) < 1e-9);
        assert.ok(sample.sum / sample.n >= 10 && sample.sum / sample.n <= 20);
      });
      assert.deepEqual(first.MetricDataResults?.find((r) => r.Id === 'g_samplecount')?.Values, [3, 3, 3, 3, 3]);
      // No data exists after the simulator's now.
      const future = await cw.send(new GetMetricDataCommand({ ...input, StartTime: new Date(NOW + MIN), EndTime: new Date(NOW + 10 * MIN) }));
      assert.equal(future.MetricDataResults?.[0].Values?.length, 0);
    });

    test('an unknown metric returns an empty Complete result', async () => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(NOW),
          MetricDataQueries: [{ Id: 'none', MetricStat: { Metric: { Namespace: 'X', MetricName: 'Y' }, Period: 60, Stat: 'Sum' } }],
        }),
      );
      assert.deepEqual(
        out.MetricDataResults?.map((r) => [r.Id, r.Values?.length, r.StatusCode]),
        [['none', 0, 'Complete']],
      );
    });

    test('500 queries are accepted, 501 are a ValidationError', async () => {
      const queries = (n: number): MetricDataQuery[] =>
        Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MetricStat: { Metric: metric, Period: 300, Stat: 'Sum' } }));
      const ok = await cw.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(NOW), MetricDataQueries: queries(500) }));
      assert.equal(ok.MetricDataResults?.length, 500);
      const err = await errorOf(() => cw.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(NOW), MetricDataQueries: queries(501) })));
      assert.equal(err.Code, 'ValidationError');
      assert.equal(err.name, 'ValidationException');
      assert.equal(err.$metadata?.httpStatusCode, 400);
      assert.match(err.message, /less than or equal to 500/);
    });

    test('MaxDatapoints splits the answer; NextToken pages reassemble it exactly', async () => {
      const seriesIds = ['a', 'b', 'c'];
      for (const id of seriesIds) {
        w.sim.addSeries({ accountId: CUSTOMER_ACCOUNT, region: 'us-east-1', namespace: 'Test/Paging', metricName: 'Count', dimensions: { Id: id }, generator: true });
      }
      const base: GetMetricDataCommandInput = {
        StartTime: new Date(NOW - 60 * MIN),
        EndTime: new Date(NOW),
        MetricDataQueries: seriesIds.map((id) => ({ Id: `s_${id}`, MetricStat: { Metric: { Namespace: 'Test/Paging', MetricName: 'Count', Dimensions: [{ Name: 'Id', Value: id }] }, Period: 60, Stat: 'Average' } })),
      };
      const whole = await cw.send(new GetMetricDataCommand(base));
      assert.equal(whole.NextToken, undefined);
      assert.deepEqual(whole.MetricDataResults?.map((r) => r.Values?.length), [60, 60, 60]);

      const merged = new Map<string, { t: number[]; v: number[]; statuses: string[] }>();
      const pageSizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await cw.send(new GetMetricDataCommand({ ...base, MaxDatapoints: 50, NextToken: token }));
        let size = 0;
        for (const r of page.MetricDataResults ?? []) {
          const m = merged.get(r.Id ?? '') ?? { t: [], v: [], statuses: [] };
          m.t.push(...(r.Timestamps ?? []).map((d) => d.getTime()));
          m.v.push(...(r.Values ?? []));
          m.statuses.push(r.StatusCode ?? '');
          merged.set(r.Id ?? '', m);
          size += r.Values?.length ?? 0;
        }
        pageSizes.push(size);
        token = page.NextToken;
      } while (token);
      assert.deepEqual(pageSizes, [50, 50, 50, 30]);
      for (const r of whole.MetricDataResults as MetricDataResult[]) {
        const m = merged.get(r.Id ?? '');
        assert.deepEqual(m?.t, r.Timestamps?.map((d) => d.getTime()));
        assert.deepEqual(m?.v, r.Values);
        assert.equal(m?.statuses.at(-1), 'Complete');
      }
      assert.deepEqual(merged.get('s_a')?.statuses, ['PartialData', 'Complete']);

      const bad = await errorOf(() => cw.send(new GetMetricDataCommand({ ...base, StartTime: new Date(NOW - 30 * MIN), NextToken: Buffer.from(JSON.stringify({ o: 50, f: 'x' })).toString('base64') })));
      assert.equal(bad.name, 'InvalidNextToken');
    });

    test('invalid requests are rejected with the CloudWatch error codes', async () => {
      const q = (stat: string, period = 60): MetricDataQuery[] => [{ Id: 'q', MetricStat: { Metric: metric, Period: period, Stat: stat } }];
      const reversed = await errorOf(() => cw.send(new GetMetricDataCommand({ StartTime: new Date(NOW), EndTime: new Date(NOW - MIN), MetricDataQueries: q('Sum') })));
      assert.equal(reversed.Code, 'ValidationError');
      const stat = await errorOf(() => cw.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(NOW), MetricDataQueries: q('Median') })));
      assert.equal(stat.Code, 'InvalidParameterValue');
      const period = await errorOf(() => cw.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(NOW), MetricDataQueries: q('Sum', 45) })));
      assert.equal(period.Code, 'ValidationError');
      const id = await errorOf(() =>
        cw.send(new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(NOW), MetricDataQueries: [{ Id: 'Upper', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } }] })),
      );
      assert.equal(id.Code, 'ValidationError');
    });
  });

  test('PutMetricData stores points that GetMetricData and ListMetrics return', async () => {
    const t = NOW - 10 * MIN;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'Skyport/Test',
        MetricData: [
          { MetricName: 'jobs', Dimensions: [{ Name: 'Kind', Value: 'a' }], Timestamp: new Date(t), Value: 5 },
          { MetricName: 'jobs', Dimensions: [{ Name: 'Kind', Value: 'a' }], Timestamp: new Date(t + 10_000), Values: [1, 2], Counts: [3, 1] },
          { MetricName: 'jobs', Dimensions: [{ Name: 'Kind', Value: 'a' }], Timestamp: new Date(t + 20_000), StatisticValues: { SampleCount: 2, Sum: 20, Minimum: 4, Maximum: 16 } },
        ],
      }),
    );
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t),
        EndTime: new Date(t + MIN),
        MetricDataQueries: (['Sum', 'SampleCount', 'Minimum', 'Maximum', 'Average'] as const).map((s) => ({
          Id: s.toLowerCase(),
          MetricStat: { Metric: { Namespace: 'Skyport/Test', MetricName: 'jobs', Dimensions: [{ Name: 'Kind', Value: 'a' }] }, Period: 60, Stat: s },
        })),
      }),
    );
    const value = (id: string): number | undefined => out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0];
    assert.equal(value('sum'), 5 + 1 * 3 + 2 * 1 + 20);
    assert.equal(value('samplecount'), 1 + 4 + 2);
    assert.equal(value('minimum'), 1);
    assert.equal(value('maximum'), 16);
    assert.equal(value('average'), 30 / 7);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Skyport/Test' }));
    assert.deepEqual(listed.Metrics, [{ Namespace: 'Skyport/Test', MetricName: 'jobs', Dimensions: [{ Name: 'Kind', Value: 'a' }] }]);
  });

  test('PutMetricData with a gzip-compressed body (large batches) is accepted', async () => {
    const data = Array.from({ length: 1000 }, (_, i) => ({ MetricName: `m${i % 10}`, Dimensions: [{ Name: 'Shard', Value: `s${Math.floor(i / 10)}` }], Timestamp: new Date(NOW - MIN), Value: i }));
    await cw.send(new PutMetricDataCommand({ Namespace: 'Skyport/Bulk', MetricData: data }));
    let count = 0;
    let token: string | undefined;
    do {
      const page = await cw.send(new ListMetricsCommand({ Namespace: 'Skyport/Bulk', NextToken: token }));
      count += page.Metrics?.length ?? 0;
      token = page.NextToken;
    } while (token);
    assert.equal(count, 1000);
    assert.equal(w.sim.callCount({ service: 'cloudwatch', api: 'PutMetricData', error: 'MalformedInput' }), 0);
  });

  test('PutMetricData refuses AWS/ namespaces and mixed value forms', async () => {
    const ns = await errorOf(() => cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] })));
    assert.equal(ns.Code, 'InvalidParameterValue');
    const mixed = await errorOf(() => cw.send(new PutMetricDataCommand({ Namespace: 'Mine', MetricData: [{ MetricName: 'x', Value: 1, Values: [1] }] })));
    assert.equal(mixed.Code, 'InvalidParameterCombination');
  });

  test('calls act in the caller account: the Skyport user does not see the customer series', async () => {
    const own = new CloudWatchClient(cfg(w.sim, w.base));
    const out = await own.send(new ListMetricsCommand({ Namespace: 'Test/Stats' }));
    own.destroy();
    assert.equal(out.Metrics?.length, 0);
    const theirs = await cw.send(new ListMetricsCommand({ Namespace: 'Test/Stats' }));
    assert.equal(theirs.Metrics?.length, 1);
  });

  test('a region the account has not enabled rejects the credentials', async () => {
    const client = new CloudWatchClient(cfg(w.sim, creds, 'ap-south-1'));
    const err = await errorOf(() => client.send(new ListMetricsCommand({})));
    client.destroy();
    assert.equal(err.name, 'InvalidClientTokenId');
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });

  test('auth failures use the query-compatible codes', async () => {
    const unknown = new CloudWatchClient(cfg(w.sim, { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x'.repeat(40) }));
    const e1 = await errorOf(() => unknown.send(new ListMetricsCommand({})));
    unknown.destroy();
    assert.equal(e1.name, 'InvalidClientTokenId');
    const badSecret = new CloudWatchClient(cfg(w.sim, { ...creds, secretAccessKey: 'y'.repeat(40) }));
    const e2 = await errorOf(() => badSecret.send(new ListMetricsCommand({})));
    badSecret.destroy();
    assert.equal(e2.name, 'SignatureDoesNotMatch');
    w.sim.clock.advance(3600_000);
    const e3 = await errorOf(() => cw.send(new ListMetricsCommand({})));
    w.sim.clock.reset();
    assert.equal(e3.name, 'ExpiredToken');
    assert.equal(e3.$metadata?.httpStatusCode, 403);
  });
});
