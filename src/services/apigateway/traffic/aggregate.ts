import { createEndpointMatcher, type KnownEndpoint } from './endpoints.ts';
import { emptyHistogram, record, type Histogram } from './histogram.ts';
import { parseAccessLine } from './parse.ts';
import type { LogEvent } from './read.ts';

/** A stage whose traffic can be counted, with its live endpoints. */
export interface TrafficStage {
  /** Skyport's id of the API. */
  apiId: string;
  awsApiId: string;
  apiName: string;
  stage: string;
  endpoints: KnownEndpoint[];
}

/** The counters of one endpoint × minute × status × API key. */
export interface Cell {
  endpointKey: string;
  minuteMs: number;
  status: number;
  apiKeyId: string;
  requests: number;
  bytes: number;
  /** Empty when the lines carry no latency. */
  latency: Histogram | [];
}

/** An endpoint traffic was seen on: `known` false makes it a SHADOW endpoint. */
export interface SeenEndpoint {
  apiId: string;
  stage: string;
  method: string;
  path: string;
  known: boolean;
  lastTrafficMs: number;
}

const MINUTE = 60_000;

export const endpointKey = (apiId: string, stage: string, method: string, path: string) => `${apiId}\t${stage}\t${method}\t${path}`;

/**
 * The statistics of one log group's window, built page by page: each event not seen before (by event id) is
 * parsed, attributed to a stage (its `apiId` and `stage` fields, else the one stage writing to the group), mapped
 * to an endpoint and added to its minute. Unparseable and unattributable lines are counted, never fatal. Event
 * ids at or after `keepIdsFrom` are kept: the next window re-reads that span and must skip them. `alreadySeen`
 * holds the ids the previous window kept.
 */
export function createAggregator(opts: { stages: TrafficStage[]; groupStages: TrafficStage[]; alreadySeen: Set<string>; keepIdsFrom: number }) {
  const byAwsId = new Map(opts.stages.map((s) => [`${s.awsApiId}\t${s.stage}`, s]));
  const only = opts.groupStages.length === 1 ? opts.groupStages[0] : undefined;
  const matchers = new Map(opts.stages.map((s) => [s, createEndpointMatcher(s.stage, s.endpoints)]));
  const seen = opts.alreadySeen;
  const cells = new Map<string, Cell>();
  const endpoints = new Map<string, SeenEndpoint>();
  const keptIds: Array<{ eventId: string; ts: number }> = [];
  const counts = { lines: 0, counted: 0, duplicates: 0, unparseable: 0, unattributed: 0 };

  function add(e: LogEvent) {
    counts.lines++;
    if (seen.has(e.eventId)) {
      counts.duplicates++;
      return;
    }
    // Only the ids the next window will read again are remembered: a window's own pages do not repeat an
    // event, so holding every id of a large window would only cost memory.
    if (e.timestamp >= opts.keepIdsFrom) {
      seen.add(e.eventId);
      keptIds.push({ eventId: e.eventId, ts: e.timestamp });
    }
    const line = parseAccessLine(e.message);
    if (line === null) {
      counts.unparseable++;
      return;
    }
    const stage = line.apiId !== null && line.stage !== null ? byAwsId.get(`${line.apiId}\t${line.stage}`) : only;
    if (stage === undefined) {
      counts.unattributed++;
      return;
    }
    const matcher = matchers.get(stage)!;
    const ref = matcher.endpointOf(line);
    if (ref === null) {
      counts.unparseable++;
      return;
    }
    counts.counted++;
    const ek = endpointKey(stage.apiId, stage.stage, ref.method, ref.path);
    const ep = endpoints.get(ek);
    if (ep === undefined) endpoints.set(ek, { apiId: stage.apiId, stage: stage.stage, method: ref.method, path: ref.path, known: matcher.isKnown(ref), lastTrafficMs: e.timestamp });
    else if (e.timestamp > ep.lastTrafficMs) ep.lastTrafficMs = e.timestamp;
    const minuteMs = e.timestamp - (e.timestamp % MINUTE);
    const apiKeyId = line.apiKeyId ?? '';
    const ck = `${ek}\t${minuteMs}\t${line.status}\t${apiKeyId}`;
    let cell = cells.get(ck);
    if (cell === undefined) {
      cell = { endpointKey: ek, minuteMs, status: line.status, apiKeyId, requests: 0, bytes: 0, latency: [] };
      cells.set(ck, cell);
    }
    cell.requests++;
    cell.bytes += line.bytes;
    if (line.latencyMs !== null) {
      if (cell.latency.length === 0) cell.latency = emptyHistogram();
      record(cell.latency as Histogram, line.latencyMs);
    }
  }

  return {
    addPage(events: LogEvent[]) {
      for (const e of events) add(e);
    },
    result() {
      return { cells: [...cells.values()], endpoints: [...endpoints.values()], keptIds, counts, ambiguous: only === undefined && counts.unattributed > 0 };
    },
  };
}

export type Aggregate = ReturnType<ReturnType<typeof createAggregator>['result']>;
