import type { CallContext, SimResponse } from '../request.ts';
import { resolveGroup } from './resolve.ts';
import { bodyOf, constraint, invalidParameter, json, optionalString, resourceNotFound, type Json } from './wire.ts';

/**
 * PutLogEvents with AWS's rules: 1..10,000 events; a batch of at most 1,048,576 bytes counted as the UTF-8
 * message bytes plus 26 per event; events of at most 256 KiB (with the 26 bytes); events in chronological order
 * (else InvalidParameterException, nothing stored) and spanning at most 24 hours. Events older than 14 days or
 * more than 2 hours in the future (per the simulator clock) are not stored but reported in
 * `rejectedLogEventsInfo` (tooOldLogEventEndIndex exclusive, tooNewLogEventStartIndex inclusive); the others are
 * ingested now. The sequence token is ignored, as AWS has done since 2023.
 */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 262_144;
export const EVENT_OVERHEAD_BYTES = 26;
const DAY = 86_400_000;
export const MAX_EVENT_AGE_MS = 14 * DAY;
export const MAX_EVENT_FUTURE_MS = 2 * 3_600_000;

export function putLogEvents(ctx: CallContext): SimResponse {
  const body = bodyOf(ctx.req);
  const group = resolveGroup(ctx, body, { identifierAllowed: false });
  const streamName = optionalString(body, 'logStreamName');
  if (streamName === undefined) throw constraint(undefined, 'logStreamName', 'Member must not be null');
  const stream = group.streams.get(streamName);
  if (!stream) throw resourceNotFound('The specified log stream does not exist.');
  const raw = body.logEvents;
  if (!Array.isArray(raw)) throw constraint(undefined, 'logEvents', 'Member must not be null');
  if (raw.length < 1) throw constraint('[]', 'logEvents', 'Member must have length greater than or equal to 1');
  if (raw.length > MAX_BATCH_EVENTS) throw constraint(`${raw.length} events`, 'logEvents', `Member must have length less than or equal to ${MAX_BATCH_EVENTS}`);
  let batchBytes = 0;
  const events = raw.map((e, i) => {
    const event = (e && typeof e === 'object' ? e : {}) as Json;
    const timestamp = event.timestamp;
    const message = event.message;
    if (typeof timestamp !== 'number' || !Number.isInteger(timestamp)) throw constraint(undefined, `logEvents.${i + 1}.member.timestamp`, 'Member must not be null');
    if (typeof message !== 'string') throw constraint(undefined, `logEvents.${i + 1}.member.message`, 'Member must not be null');
    if (message.length === 0) throw constraint('', `logEvents.${i + 1}.member.message`, 'Member must have length greater than or equal to 1');
    const size = Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    batchBytes += size;
    return { timestamp, message };
  });
  if (batchBytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${batchBytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp < events[i - 1].timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }
  if (events[events.length - 1].timestamp - events[0].timestamp > DAY) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }

  const now = ctx.clock.now();
  let tooOldEnd = 0;
  while (tooOldEnd < events.length && events[tooOldEnd].timestamp < now - MAX_EVENT_AGE_MS) tooOldEnd++;
  let tooNewStart = events.length;
  while (tooNewStart > tooOldEnd && events[tooNewStart - 1].timestamp > now + MAX_EVENT_FUTURE_MS) tooNewStart--;
  for (let i = tooOldEnd; i < tooNewStart; i++) ctx.state.logs.putMessage(group, stream, events[i].timestamp, events[i].message, now);

  const out: Json = {};
  const rejected: Json = {};
  if (tooOldEnd > 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (Object.keys(rejected).length > 0) out.rejectedLogEventsInfo = rejected;
  return json(ctx.requestId, out);
}
