import type { EventType } from '../schemas/events.ts';

/** The stored columns every scheduled resource (integration, API Gateway connection) shows alike. */
export interface ScheduledRow {
  creatorId: string;
  updaterId: string;
  createdMs: number;
  updatedMs: number;
  disabled: boolean;
  inTrash: boolean;
  additionalTags: Record<string, string> | null;
  lastError: string | null;
  lastErrorMs: number | null;
  lastErrorEvent: unknown;
  lastProcessorId: string | null;
}

/**
 * The read-only fields of SPEC.md §4 as integrations and connections show them: who and when, disabled, the
 * trash (`deleted` and `inTrash` alike), and the optional ones exactly when stored (no invented defaults).
 */
export function scheduledViewFields(row: ScheduledRow) {
  return {
    creatorId: row.creatorId,
    updaterId: row.updaterId,
    createdEpochMillis: row.createdMs,
    updatedEpochMillis: row.updatedMs,
    disabled: row.disabled,
    deleted: row.inTrash,
    inTrash: row.inTrash,
    ...(row.additionalTags !== null ? { additionalTags: row.additionalTags } : {}),
    ...(row.lastError !== null ? { lastError: row.lastError } : {}),
    ...(row.lastErrorMs !== null ? { lastErrorMs: row.lastErrorMs } : {}),
    ...(row.lastErrorEvent !== null ? { lastErrorEvent: row.lastErrorEvent as EventType } : {}),
    ...(row.lastProcessorId !== null ? { lastProcessorId: row.lastProcessorId } : {}),
  };
}
