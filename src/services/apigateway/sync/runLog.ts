import type { Logger } from '../../../lib/logger.ts';

const total = (counts: Record<string, number>) => Object.values(counts).reduce((n, v) => n + v, 0);

/**
 * One line per sync run, like collection's (collection/scheduler/runLog.ts): which connection, how it ended,
 * how long it took, its AWS calls and inventory changes. A run that did not end OK is a warning with its error.
 */
export function logSyncRun(
  log: Pick<Logger, 'info' | 'warn'>,
  run: { connectionId: string; runId: string; status: string; durationMs: number; awsCalls: Record<string, number>; changes: Record<string, number>; error: string | null },
): void {
  const calls = total(run.awsCalls);
  const changes = total(run.changes);
  const fields = { connectionId: run.connectionId, syncRunId: run.runId, status: run.status, durationMs: run.durationMs, awsCalls: calls, changes };
  const line = `API Gateway sync of connection ${run.connectionId}: ${run.status} in ${run.durationMs} ms, ${calls} AWS calls, ${changes} changes`;
  if (run.status === 'OK') log.info(fields, line);
  else log.warn(fields, `${line}: ${(run.error ?? '').slice(0, 300)}`);
}
