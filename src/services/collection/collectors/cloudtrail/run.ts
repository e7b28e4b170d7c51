import type { S3Client } from '@aws-sdk/client-s3';
import type { ScopeFailure } from '../regionRuns.ts';
import type { CollectedEvent, CollectInput } from '../types.ts';
import type { DayPlan } from './cursor.ts';
import type { MinuteCounts, RecordFilter } from './events.ts';
import type { LogBase } from './layout.ts';

/** The CloudTrail collector's settings, and what one run carries from step to step. */
export interface CloudTrailCollectorDeps {
  /** SKYPORT_AWS_REGIONS; unset or empty: every region folder found under the account. */
  regions?: string[];
  /** How far back a region never collected starts (SKYPORT_CLOUDTRAIL_LOOKBACK, 1 h). */
  lookbackMs: number;
  /** A past day is listed until a run has listed it this long after its end (1 h after midnight UTC). */
  yesterdayGraceMs: number;
  /** Files delivered up to this long before the newest file read are still picked up (10 min). */
  lateMarginMs: number;
  /** After a pause, days older than this are given up (24 h). */
  maxCatchUpMs: number;
  /** Per-minute counts are carried between runs this long (2 h). */
  countWindowMs: number;
  /** File names remembered per day for the late margin. */
  maxSeenKeys: number;
  /** The logs' layout and region folders are re-discovered this often (1 h); an empty layout after 5 min. */
  layoutTtlMs: number;
  emptyLayoutTtlMs: number;
  /** Bounds of one run: files started and events kept; the rest waits for the next run. */
  maxFilesPerRun: number;
  maxEventsPerRun: number;
  /** A single record larger than this fails its file. */
  maxRecordBytes: number;
  /** Regions read at once, and files read at once within one day prefix. */
  regionConcurrency: number;
  fileConcurrency: number;
  maxCacheEntries: number;
}

export interface FileResult {
  key: string;
  events: CollectedEvent[];
  counts: MinuteCounts;
  records: number;
  error?: unknown;
  /** Not read: the run's event budget ran out first. */
  deferred?: boolean;
}

export interface DayRun {
  plan: DayPlan;
  /** Files read completely, in key order: the day's position moves past them. */
  read: string[];
  error?: unknown;
  listed: boolean;
}

export interface RegionRun {
  base: LogBase;
  region: string;
  days: DayRun[];
  counts: MinuteCounts;
  events: CollectedEvent[];
  failures: ScopeFailure[];
  skipped: string[];
}

/** What every step of one run reads, and the run's budget, which the regions draw on together. */
export interface RunContext {
  settings: CloudTrailCollectorDeps;
  input: CollectInput<'CLOUDTRAIL'>;
  s3: S3Client;
  bucket: string;
  account: string;
  filter: RecordFilter;
  budget: { filesLeft: number; eventsLeft: number; deferred: number };
  /** eventIDs emitted by this run (the same record can be delivered in two files). */
  eventIds: Set<string>;
}
