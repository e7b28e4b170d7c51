import { uuidv7 } from '../../../lib/uuidv7.ts';
import type { ClaimedRun } from '../../../db/queries/scheduler.ts';

/** The SYSTEM event an integration carries while its AWS credentials fail (SPEC §4 lastErrorEvent). */
export function credentialsErrorEvent(run: ClaimedRun, errorMessage: string, nowMs: number) {
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

export const isOngoing = (event: Record<string, unknown> | null): boolean => event?.runningState === 'ONGOING';
