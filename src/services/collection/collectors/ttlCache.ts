/**
 * A bounded cache of loaded values that expire after a fixed time, for the collector's long-lived lookups
 * (regions, ListMetrics, inventory). Concurrent loads of one key share one call; a failed load is not cached;
 * past `maxEntries` the oldest entries go first. Time is the caller's clock (the collector's `now`).
 */
export interface TtlCache<V> {
  /** The cached value while fresh, else the result of `load` (stored for `ttlMs` from `now`). */
  get(key: string, now: number, load: () => Promise<V>): Promise<V>;
  readonly size: number;
  clear(): void;
}

interface Entry<V> {
  value?: V;
  has: boolean;
  expires: number;
  pending?: Promise<V>;
}

export function createTtlCache<V>(opts: {
  ttlMs: number;
  /** How long this value is kept, when it depends on the value (default `ttlMs`). */
  ttlOf?: (value: V) => number;
  maxEntries: number;
  /** When a reload fails and this says so, the expired value is served instead (and kept for a retry next time). */
  staleOnError?: (error: unknown) => boolean;
}): TtlCache<V> {
  const entries = new Map<string, Entry<V>>();

  function evict(now: number): void {
    // Entries are re-inserted on every load, so the first ones are the oldest: expired ones go, then overflow.
    for (const [key, e] of entries) {
      if (entries.size <= opts.maxEntries && (e.pending || e.expires > now)) break;
      entries.delete(key);
    }
  }

  return {
    get(key, now, load) {
      const existing = entries.get(key);
      if (existing?.has && existing.expires > now) return Promise.resolve(existing.value as V);
      if (existing?.pending) return existing.pending;
      const entry: Entry<V> = existing ?? { has: false, expires: 0 };
      const pending = load().then(
        (value) => {
          entries.delete(key);
          entries.set(key, { value, has: true, expires: now + (opts.ttlOf ? opts.ttlOf(value) : opts.ttlMs) });
          evict(now);
          return value;
        },
        (error: unknown) => {
          entry.pending = undefined;
          if (entry.has && opts.staleOnError?.(error)) return entry.value as V;
          if (!entry.has) entries.delete(key);
          throw error;
        },
      );
      entry.pending = pending;
      if (!existing) entries.set(key, entry);
      return pending;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
