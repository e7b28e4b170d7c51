import { Type, type Static } from 'typebox';
import { Envelope, MAX_EPOCH_MS } from './common.ts';
import { ref, StringMap } from './ref.ts';

// Largest epoch-millisecond value a JavaScript Date can hold (year 275760).

/**
 * Wavefront's Event model (python-client docs/Event.md). `name`, `startTime` and `annotations` are always
 * present: the Python client refuses an Event without them.
 */
export const Event = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Event id (a lowercase UUID)' })),
    name: Type.String({ description: 'What happened, e.g. "AWS Action: RunInstances" or "Credentials Error: <integration name>"' }),
    startTime: Type.Integer({ description: 'When it started, epoch milliseconds' }),
    endTime: Type.Optional(
      Type.Integer({ description: 'When it ended, epoch milliseconds; absent while it is ongoing. An instantaneous event (a CloudTrail action) ends 1 ms after it starts' }),
    ),
    runningState: Type.Optional(Type.String({ enum: ['ONGOING', 'PENDING', 'ENDED'], description: 'Whether the event is still going on' })),
    annotations: StringMap({ description: 'Details of the event as key/value text' }),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'Event tags, e.g. aws.cloudtrail.ec2 and the id of the integration that collected it' })),
    hosts: Type.Optional(Type.Array(Type.String(), { description: 'Sources the event concerns (for CloudTrail actions: the AWS account id)' })),
    creatorType: Type.Optional(Type.Array(Type.String(), { description: 'Who created it; SYSTEM for events Skyport raises or collects' })),
    isUserEvent: Type.Optional(Type.Boolean({ description: 'False for events Skyport raises or collects itself' })),
    table: Type.Optional(Type.String({ description: 'The customer (tenant) the event belongs to' })),
    createdEpochMillis: Type.Optional(Type.Integer({ description: 'When the event was stored, epoch milliseconds' })),
    updatedEpochMillis: Type.Optional(Type.Integer({ description: 'When the event was last changed, epoch milliseconds' })),
  },
  { $id: 'Event', description: 'An event: something that happened at a time, such as an AWS API call seen in CloudTrail or an integration losing its AWS credentials' },
);
export type EventType = Static<typeof Event>;

export const PagedEvent = Type.Object(
  {
    items: Type.Array(ref(Event), { description: 'The events of this page, newest start time first' }),
    offset: Type.Integer({ description: 'How many matching events came before this page' }),
    limit: Type.Integer({ description: 'The page size that was asked for' }),
    totalItems: Type.Integer({
      description: 'How many events match the time range; exact up to 10,000, a lower bound beyond (then at least 10,000)',
    }),
    moreItems: Type.Boolean({ description: 'True when more events follow this page: ask again with `cursor`' }),
    cursor: Type.Optional(Type.String({ description: 'Opaque position after the last event of this page; absent on the last page' })),
  },
  { $id: 'PagedEvent', description: 'A page of events' },
);

export const ResponseContainerEvent = Envelope('ResponseContainerEvent', ref(Event), 'An event in the response envelope');
export const ResponseContainerPagedEvent = Envelope('ResponseContainerPagedEvent', ref(PagedEvent), 'A page of events in the response envelope');

export const EventListQuery = Type.Object({
  earliestStartTimeEpochMillis: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'Only events that started at or after this time, epoch milliseconds (inclusive)' }),
  ),
  latestStartTimeEpochMillis: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: 'Only events that started at or before this time, epoch milliseconds (inclusive)' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'The `cursor` of the previous page, to get the next one' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'How many events to return (at most 1000)' }),
});
export type EventListQueryType = Static<typeof EventListQuery>;

export const EventIdParams = Type.Object({
  id: Type.String({ maxLength: 64, description: 'The event id (a lowercase UUID)' }),
});
