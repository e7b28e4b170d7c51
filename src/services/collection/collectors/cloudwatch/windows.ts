/**
 * Contiguous collection windows, one cursor per region and namespace.
 *
 * - scope: `cloudwatch:<region>:<namespace>`; position: the end of the last window fetched, epoch ms (text);
 * - end = now − delay, aligned down to the period;
 * - start = the previous end; for a scope without a cursor, end − lookback; after a long pause at most
 *   `maxCatchUpMs` back (start = max(previous end, end − maxCatchUp)): older data is given up;
 * - end ≤ start: nothing to fetch, the cursor stays.
 * Windows are half-open, [start, end): CloudWatch returns the periods that start inside it, so consecutive
 * windows neither overlap nor leave gaps.
 */
export interface WindowSettings {
  periodSec: number;
  delayMs: number;
  lookbackMs: number;
  maxCatchUpMs: number;
}

export interface Window {
  start: number;
  end: number;
}

export const CURSOR_PREFIX = 'cloudwatch';

export function cursorScope(region: string, namespace: string): string {
  return `${CURSOR_PREFIX}:${region}:${namespace}`;
}

/** A region-wide scope for errors that are not one namespace's (listing every namespace at once). */
export function regionScope(region: string): string {
  return `${CURSOR_PREFIX}:${region}`;
}

/** A stored position (epoch ms as text); undefined when absent or unreadable (the scope starts fresh). */
export function parsePosition(position: string | undefined): number | undefined {
  if (position === undefined || !/^\d{1,16}$/.test(position)) return undefined;
  return Number(position);
}

export function formatPosition(endMs: number): string {
  return String(endMs);
}

/** The window to fetch for a scope now, or undefined when there is nothing new. */
export function windowFor(previousEnd: number | undefined, now: number, s: WindowSettings): Window | undefined {
  const period = s.periodSec * 1000;
  const end = Math.floor((now - s.delayMs) / period) * period;
  const earliest = Math.ceil((end - s.maxCatchUpMs) / period) * period;
  const fresh = Math.ceil((end - s.lookbackMs) / period) * period;
  const start = Math.max(previousEnd ?? fresh, earliest);
  return end > start ? { start, end } : undefined;
}
