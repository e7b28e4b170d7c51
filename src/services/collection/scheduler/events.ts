import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { EventInsert } from '../../../db/queries/events.ts';

/** What the events name of the integration (or API Gateway connection) whose credentials or collection fail. */
export interface EventSubject {
  id: string;
  customerId: string;
  name: string;
  /** The integration's service, or APIGATEWAY for a connection. */
  service: string;
  /** Set for connections: their events belong to no integration. */
  notAnIntegration?: true;
}

/** The SYSTEM event an integration (or connection) carries while its AWS credentials fail (SPEC §4 lastErrorEvent). */
export function credentialsErrorEvent(run: EventSubject, errorMessage: string, nowMs: number) {
  return {
    id: uuidv7(),
    name: `Credentials Error: ${run.name}`,
    startTime: nowMs,
    runningState: 'ONGOING',
    creatorType: ['SYSTEM'],
    isUserEvent: false,
    tags: [],
    hosts: [],
    annotations: {
      severity: 'warn',
      type: 'credentials-error',
      errorMessage,
      credentialsId: run.id,
      service: run.service,
    },
    createdEpochMillis: nowMs,
    updatedEpochMillis: nowMs,
  };
}

export type CredentialsErrorEvent = ReturnType<typeof credentialsErrorEvent>;

/** The `events` row of that event (the same id, name and annotations as the integration's lastErrorEvent). */
export function credentialsEventRow(run: EventSubject, event: CredentialsErrorEvent): EventInsert {
  return {
    id: event.id,
    customerId: run.customerId,
    integrationId: run.notAnIntegration ? null : run.id,
    name: event.name,
    startMs: event.startTime,
    runningState: 'ONGOING',
    annotations: event.annotations,
    tags: [],
    hosts: [],
    createdMs: event.createdEpochMillis,
    updatedMs: event.updatedEpochMillis,
  };
}

/**
 * The SYSTEM event of a lasting collection failure that is not about credentials (a CloudTrail bucket that was
 * deleted, say): open while runs fail, ended by the next successful run. The integration stays enabled.
 */
export function collectionErrorEvent(run: EventSubject, errorMessage: string, nowMs: number) {
  const event = credentialsErrorEvent(run, errorMessage, nowMs);
  return { ...event, name: `Collection Error: ${run.name}`, annotations: { ...event.annotations, type: 'collection-error' } };
}

export const isOngoing = (event: Record<string, unknown> | null): boolean => event?.runningState === 'ONGOING';
