import { EventTable, type EventKey } from './event-table.ts';
import { FilterRateLimiter } from './rate-limit.ts';

/** One log stream: its name and what DescribeLogStreams reports. Its events live in the group's table. */
export interface LogStream {
  /** Position in the group's stream list (the table's stream column). */
  index: number;
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  events: number;
}

export interface LogGroup {
  accountId: string;
  region: string;
  name: string;
  creationTime: number;
  /** Simulator-wide number of the group: part of every event id, so ids are unique across groups. */
  serial: number;
  streams: Map<string, LogStream>;
  streamList: LogStream[];
  events: EventTable;
}

export const logGroupArn = (g: Pick<LogGroup, 'accountId' | 'region' | 'name'>): string => `arn:aws:logs:${g.region}:${g.accountId}:log-group:${g.name}`;
export const logStreamArn = (g: LogGroup, s: LogStream): string => `${logGroupArn(g)}:log-stream:${s.name}`;

/**
 * AWS's event ids are long digit strings; ours are 56 digits built from the group's serial and the event's
 * row, so they are stable across reads and unique across groups.
 */
export const eventIdOf = (group: LogGroup, key: EventKey): string =>
  String(Math.max(0, Math.floor(key.timestamp))).padStart(20, '0') + String(group.serial).padStart(12, '0') + String(key.row).padStart(24, '0');

/** The log groups of every account and region, and the FilterLogEvents rate limit. */
export class LogStore {
  private readonly groups = new Map<string, Map<string, LogGroup>>();
  private nextSerial = 1;
  readonly filterRate = new FilterRateLimiter();

  private scope(accountId: string, region: string): Map<string, LogGroup> {
    const key = `${accountId}/${region}`;
    let scoped = this.groups.get(key);
    if (!scoped) {
      scoped = new Map();
      this.groups.set(key, scoped);
    }
    return scoped;
  }

  group(accountId: string, region: string, name: string): LogGroup | undefined {
    return this.groups.get(`${accountId}/${region}`)?.get(name);
  }

  /** The groups of an account and region, sorted by name (DescribeLogGroups' order). */
  groupsOf(accountId: string, region: string): LogGroup[] {
    return [...(this.groups.get(`${accountId}/${region}`)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  *allGroups(): IterableIterator<LogGroup> {
    for (const scoped of this.groups.values()) yield* scoped.values();
  }

  get size(): number {
    let n = 0;
    for (const scoped of this.groups.values()) n += scoped.size;
    return n;
  }

  /** Creates a group; returns undefined if it exists. */
  createGroup(accountId: string, region: string, name: string, now: number): LogGroup | undefined {
    const scoped = this.scope(accountId, region);
    if (scoped.has(name)) return undefined;
    const group: LogGroup = {
      accountId,
      region,
      name,
      creationTime: now,
      serial: this.nextSerial++,
      streams: new Map(),
      streamList: [],
      events: new EventTable(),
    };
    scoped.set(name, group);
    return group;
  }

  deleteGroup(group: LogGroup): boolean {
    return this.groups.get(`${group.accountId}/${group.region}`)?.delete(group.name) ?? false;
  }

  /** Creates a stream; returns undefined if it exists. */
  createStream(group: LogGroup, name: string, now: number): LogStream | undefined {
    if (group.streams.has(name)) return undefined;
    const stream: LogStream = { index: group.streamList.length, name, creationTime: now, events: 0 };
    group.streams.set(name, stream);
    group.streamList.push(stream);
    return stream;
  }

  /** Records a new event in a stream's metadata (the row itself is appended to the group's table). */
  noteEvent(stream: LogStream, timestamp: number, ingestionTime: number): void {
    stream.events++;
    if (stream.firstEventTimestamp === undefined || timestamp < stream.firstEventTimestamp) stream.firstEventTimestamp = timestamp;
    if (stream.lastEventTimestamp === undefined || timestamp > stream.lastEventTimestamp) stream.lastEventTimestamp = timestamp;
    if (stream.lastIngestionTime === undefined || ingestionTime > stream.lastIngestionTime) stream.lastIngestionTime = ingestionTime;
  }

  putMessage(group: LogGroup, stream: LogStream, timestamp: number, message: string, ingestionTime: number): number {
    this.noteEvent(stream, timestamp, ingestionTime);
    return group.events.appendPlain(timestamp, ingestionTime, stream.index, message);
  }
}
