import type { DbOrTx } from '../../../db/tx.ts';
import { trafficQueries, type RegionStageRow } from '../../../db/queries/apiGatewayTraffic.ts';
import type { TrafficStage } from './aggregate.ts';
import { accessLogReadiness, logGroupOf, type AccessLogReadiness } from './readiness.ts';

export interface RegionPlan {
  /** Every live stage of the region with its readiness. */
  stages: Array<RegionStageRow & { readiness: AccessLogReadiness }>;
  /** Every live stage with its endpoints: lines naming their API and stage are attributed to any of them. */
  trafficStages: TrafficStage[];
  /** The log groups to read, each with the stages writing to it. */
  groups: Map<string, TrafficStage[]>;
}

/**
 * What a connection × region reads (SPEC-apigateway §5): with `logGroups: "auto"` the log group of every ready
 * stage (from its `accessLogSettings.destinationArn`), else the listed names; for each group, the stages that
 * write to it (attribution of lines without `apiId` and `stage`).
 */
export async function planRegion(db: DbOrTx, connectionId: string, region: string, logGroups: 'auto' | string[]): Promise<RegionPlan> {
  const rows = await trafficQueries.regionStages(db, connectionId, region);
  const stages = rows.map((r) => ({ ...r, readiness: accessLogReadiness(r.accessLog, r.protocolType) }));
  const endpoints = await trafficQueries.liveEndpoints(db, [...new Set(rows.map((r) => r.apiId))]);
  const byStage = new Map<string, TrafficStage>();
  const trafficStages = stages.map((s) => {
    const t: TrafficStage = { apiId: s.apiId, awsApiId: s.awsApiId, apiName: s.apiName, stage: s.stage, endpoints: [] };
    byStage.set(`${s.apiId}\t${s.stage}`, t);
    return t;
  });
  for (const e of endpoints) byStage.get(`${e.apiId}\t${e.stage}`)?.endpoints.push({ method: e.method, path: e.path });

  const groups = new Map<string, TrafficStage[]>();
  if (logGroups !== 'auto') for (const name of logGroups) groups.set(name, []);
  stages.forEach((s, i) => {
    const group = logGroupOf(s.accessLog?.destinationArn, region);
    if (group === undefined) return;
    if (logGroups === 'auto' && !s.readiness.ready) return;
    const list = groups.get(group) ?? (logGroups === 'auto' ? [] : undefined);
    if (list === undefined) return; // a listed set of groups: only those are read
    list.push(trafficStages[i]);
    groups.set(group, list);
  });
  return { stages, trafficStages, groups };
}
