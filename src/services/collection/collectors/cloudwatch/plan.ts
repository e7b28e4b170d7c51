import { packBatches } from './getMetricData.ts';
import { bitCount, type SelectedMetric } from './selection.ts';

/**
 * What a CloudWatch run's discovery selected, in the units AWS bills: each statistic of a metric asked of
 * GetMetricData is one "metric requested". Stored with the run (collection_runs.plan) and read by the cost
 * estimate. Per cycle means one collection at the integration's refresh rate: then every namespace of a region
 * shares one window, so the region's queries are packed together (500 per call).
 */
export interface DiscoveryPlan {
  regions: number;
  /** CloudWatch metrics (name + dimensions) selected. */
  metricsSelected: number;
  /** Wavefront series those metrics yield (up to five statistics each). */
  seriesSelected: number;
  /** GetMetricData queries per cycle: the metrics requested that AWS bills. */
  queriesPerCycle: number;
  getMetricDataCallsPerCycle: number;
  /** Series left out by SKYPORT_MAX_SERIES_PER_INTEGRATION. */
  droppedByCap: number;
}

/** The plan of selected metrics, one list of per-scope selections per region. */
export function planOf(regions: ReadonlyArray<ReadonlyArray<readonly SelectedMetric[]>>, droppedByCap: number): DiscoveryPlan {
  const plan: DiscoveryPlan = { regions: regions.length, metricsSelected: 0, seriesSelected: 0, queriesPerCycle: 0, getMetricDataCallsPerCycle: 0, droppedByCap };
  for (const scopes of regions) {
    const all = scopes.flat();
    for (const m of all) {
      plan.metricsSelected++;
      plan.seriesSelected += bitCount(m.outputs);
      plan.queriesPerCycle += bitCount(m.fetch);
    }
    plan.getMetricDataCallsPerCycle += packBatches(all).length;
  }
  return plan;
}
