import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventIdParams, EventListQuery, ResponseContainerEvent, ResponseContainerPagedEvent } from '../schemas/events.ts';
import { ref } from '../schemas/ref.ts';
import type { EventService } from '../services/api/events.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Event'];

export const eventRoutes: FastifyPluginAsyncTypebox<{ events: EventService }> = async (app, { events }) => {
  app.get('/api/v2/event', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getAllEventsWithTimeRange',
      summary: 'List events in a time range',
      description:
        "The caller's events (CloudTrail actions collected as \"AWS Action: <eventName>\", credentials errors of integrations) " +
        'whose start time lies within [earliestStartTimeEpochMillis, latestStartTimeEpochMillis], both inclusive and both optional, ' +
        'newest first (start time, then id). Page with `cursor`: each page that has a successor returns the cursor to ask for it. ' +
        'Events are kept for SKYPORT_EVENTS_RETENTION (30 days by default).',
      querystring: EventListQuery,
      response: { 200: ref(ResponseContainerPagedEvent), ...errorResponses },
    },
  }, async (request) => ok(await events.list(request.principal, request.query)));

  app.get('/api/v2/event/:id', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'getEvent',
      summary: 'Read one event',
      description: 'An event of the caller\'s customer by id; 404 for an id that is unknown or belongs to another customer.',
      params: EventIdParams,
      response: { 200: ref(ResponseContainerEvent), ...errorResponses },
    },
  }, async (request) => ok(await events.get(request.principal, request.params.id)));
};
