import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AwsCallObserver } from '../aws/clientFactory.ts';

/** The scheduler's and collectors' self-metrics (Prometheus, served at /metrics). */
export function createSchedulerMetrics(registry: Registry) {
  const registers = [registry];
  const awsCalls = new Counter({ name: 'skyport_aws_calls_total', help: 'AWS API calls, by service, API and outcome (ok, throttled, error)', labelNames: ['service', 'api', 'outcome'], registers });
  const awsThrottles = new Counter({ name: 'skyport_aws_throttles_total', help: 'AWS calls answered with a throttling error', labelNames: ['service', 'api'], registers });
  const awsLatency = new Histogram({ name: 'skyport_aws_call_duration_seconds', help: 'Time of AWS API calls', labelNames: ['service', 'api'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const runs = new Counter({ name: 'skyport_scheduler_runs_total', help: 'Collection runs by service and outcome (ok, partial, credentials, transient, error, lost)', labelNames: ['service', 'outcome'], registers });
  const runDuration = new Histogram({ name: 'skyport_scheduler_run_duration_seconds', help: 'Time of one collection run, AWS calls and store included', labelNames: ['service'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers });
  const lag = new Histogram({ name: 'skyport_scheduler_lag_seconds', help: 'How late runs start: claimed time minus due time', buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300], registers });
  const takenOver = new Counter({ name: 'skyport_scheduler_leases_taken_over_total', help: 'Runs claimed from another replica whose lease had expired', registers });
  const inFlight = new Gauge({ name: 'skyport_scheduler_runs_in_flight', help: 'Collection runs under way in this process', registers });
  const points = new Counter({ name: 'skyport_points_written_total', help: 'Data points written to the store', registers });
  const series = new Counter({ name: 'skyport_series_written_total', help: 'Series touched by writes (new or updated)', registers });
  const events = new Counter({ name: 'skyport_events_written_total', help: 'Events stored (CloudTrail actions and system events)', registers });

  const observeAwsCall: AwsCallObserver = ({ service, api, outcome, ms }) => {
    awsCalls.inc({ service, api, outcome });
    if (outcome === 'throttled') awsThrottles.inc({ service, api });
    awsLatency.observe({ service, api }, ms / 1000);
  };

  return { observeAwsCall, runs, runDuration, lag, takenOver, inFlight, points, series, events };
}

export type SchedulerMetrics = ReturnType<typeof createSchedulerMetrics>;
