/**
 * The simulator's clock. Every time-dependent decision (credential expiry, RecentlyActive, generated metric
 * values, S3 LastModified, CloudTrail delivery times) reads `now()`, so tests can move time without waiting.
 *
 * now() = frozenAt ?? base() + offsetMs
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.frozenAt ?? this.base() + this.offsetMs;
  }

  /** Moves time forward (or back, with a negative value). Works frozen or running. */
  advance(ms: number): number {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  /** Jumps to an absolute time; keeps running from there unless frozen. */
  set(epochMs: number): number {
    if (this.frozenAt !== undefined) this.frozenAt = epochMs;
    else this.offsetMs = epochMs - this.base();
    return this.now();
  }

  /** Stops time at `epochMs` (default: the current simulated time). */
  freeze(epochMs?: number): number {
    this.frozenAt = epochMs ?? this.now();
    return this.frozenAt;
  }

  /** Lets time run again from the frozen instant. */
  unfreeze(): number {
    if (this.frozenAt !== undefined) {
      this.offsetMs = this.frozenAt - this.base();
      this.frozenAt = undefined;
    }
    return this.now();
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Back to the base clock: no offset, not frozen. */
  reset(): void {
    this.offsetMs = 0;
    this.frozenAt = undefined;
  }
}
