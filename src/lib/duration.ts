// Parses human durations used in configuration: "500ms", "90s", "15m", "24h", "30d",
// or a bare number of seconds. Returns milliseconds.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 90s, 15m, 24h, 30d)`);
  const unit = (match[2] ?? 's').toLowerCase();
  return Math.round(Number(match[1]) * UNITS[unit]);
}
