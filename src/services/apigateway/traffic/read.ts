import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ThrottleRetry } from '../../collection/aws/throttleRetry.ts';

/** One event as the statistics need it. */
export interface LogEvent {
  eventId: string;
  timestamp: number;
  message: string;
}

/** A window reads at most this many pages (10,000 events each): a bound on one sync's work per log group. */
const MAX_PAGES = 2_000;
const PAGE_EVENTS = 10_000;

/**
 * Every event of a log group in [startTime, endTime] (event time, both inclusive): FilterLogEvents paged by
 * `nextToken` until AWS gives none (a page may be empty while more follow, as AWS warns), `interleaved` across
 * streams. Each call goes through the client (rate budget, counting) and `retry` (throttling back-off); pages are handed to
 * `onPage` as they come so nothing but the caller's aggregates stays in memory.
 */
export async function readLogGroup(
  logs: CloudWatchLogsClient,
  retry: ThrottleRetry,
  window: { logGroupName: string; startTime: number; endTime: number },
  onPage: (events: LogEvent[]) => void,
): Promise<{ pages: number; events: number }> {
  let pages = 0;
  let events = 0;
  const fetchPage = (token: string | undefined) => {
    if (pages >= MAX_PAGES) throw new Error(`${window.logGroupName}: more than ${MAX_PAGES} pages in one window`);
    pages++;
    return retry.call((abortSignal) =>
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: window.logGroupName,
          startTime: window.startTime,
          endTime: window.endTime,
          interleaved: true,
          limit: PAGE_EVENTS,
          ...(token ? { nextToken: token } : {}),
        }),
        { abortSignal },
      ),
    );
  };
  let token: string | undefined;
  let pending = fetchPage(undefined);
  for (;;) {
    const res = await pending;
    // A token equal to the one sent would loop for ever.
    const next = res.nextToken && res.nextToken !== token ? res.nextToken : undefined;
    // The next page is asked for before this one is counted: AWS's latency and Skyport's parsing overlap.
    if (next) pending = fetchPage(next);
    token = next;
    const page: LogEvent[] = [];
    for (const e of res.events ?? []) {
      if (e.eventId === undefined || e.timestamp === undefined || e.message === undefined) continue;
      page.push({ eventId: e.eventId, timestamp: e.timestamp, message: e.message });
    }
    events += page.length;
    try {
      onPage(page);
    } catch (err) {
      // The page in flight is not awaited any more: keep its failure from going unhandled.
      if (next) pending.catch(() => {});
      throw err;
    }
    if (!next) break;
  }
  return { pages, events };
}
