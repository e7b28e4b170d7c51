import type { SimResponse } from '../request.ts';
import type { AccessLogWriteInput, LogEventsInput, LogGroupInput, LogStreamInput, SimLogs } from './sim-logs.ts';

/**
 * Admin routes of simulated CloudWatch Logs under `/_simulator/logs/…` (JSON; a POST body may be an array for
 * the create routes). Returns undefined for any other route so the main admin API can go on.
 */
type Json = Record<string, unknown>;

const ok = (value: unknown): SimResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

function each(body: unknown, fn: (item: Json) => unknown): unknown {
  if (Array.isArray(body)) return body.map((b) => fn(b as Json));
  return fn((body ?? {}) as Json);
}

export function handleLogsAdmin(logs: SimLogs, route: string, body: unknown, query: URLSearchParams): SimResponse | undefined {
  const b = (body ?? {}) as Json;
  switch (route) {
    case 'GET /logs/groups':
      return ok(logs.summaries(query.get('accountId') ?? undefined, query.get('region') ?? undefined));
    case 'POST /logs/groups':
      return ok(each(body, (i) => {
        const g = logs.createGroup(i as unknown as LogGroupInput);
        return { accountId: g.accountId, region: g.region, logGroupName: g.name, creationTime: g.creationTime };
      }));
    case 'POST /logs/streams':
      return ok(each(body, (i) => {
        const s = logs.createStream(i as unknown as LogStreamInput);
        return { logStreamName: s.name, creationTime: s.creationTime };
      }));
    case 'POST /logs/events':
      return ok(each(body, (i) => ({ stored: logs.putEvents(i as unknown as LogEventsInput) })));
    case 'POST /logs/access-logs':
      return ok(each(body, (i) => logs.writeAccessLogs(i as unknown as AccessLogWriteInput)));
    case 'GET /logs/limits':
      return ok(logs.limits());
    case 'POST /logs/limits': {
      const rate = b.filterLogEventsPerSecond;
      if (rate !== undefined && rate !== null && typeof rate !== 'number') throw new Error('filterLogEventsPerSecond must be a number or null');
      return ok(logs.setLimits({ filterLogEventsPerSecond: rate as number | null | undefined }));
    }
  }
  return undefined;
}
