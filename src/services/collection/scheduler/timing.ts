import { createHash } from 'node:crypto';

/** A stable number in [0, 1) for an id: the same integration always lands on the same slot. */
function unitHash(id: string): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The next slot after `afterMs` on the integration's own grid: runs fall every `intervalMs`, offset by a
 * deterministic jitter within `spreadMs` (threadDistributionInMins when set, else the interval), so many
 * integrations spread evenly over the interval instead of all firing at once.
 */
export function nextSlot(id: string, intervalMs: number, spreadMs: number, afterMs: number): number {
  const offset = Math.floor(unitHash(id) * Math.min(spreadMs, intervalMs));
  const k = Math.floor((afterMs - offset) / intervalMs) + 1;
  return k * intervalMs + offset;
}

/**
 * After `failures` transient failures in a row, wait the interval doubled per failure (from 1 minute), at
 * most an hour: sustained throttling stretches the schedule instead of retrying harder.
 */
export function backoffMs(intervalMs: number, failures: number): number {
  const base = Math.max(60_000, intervalMs);
  return Math.min(base * 2 ** Math.max(0, failures - 1), Math.max(3_600_000, intervalMs));
}
