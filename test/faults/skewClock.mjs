// Moves this process's wall clock by `offsetMs`, the way a replica with a wrong clock sees time: Date.now()
// and `new Date()` are off, timers are not. Used by the clock-skew test and, through preloadSkew.mjs, by the
// fault suite's skewed replica. Never imported by src/.
export function skewProcessClock(offsetMs) {
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + offsetMs);
      else super(...args);
    }
    static now() {
      return realNow() + offsetMs;
    }
    // Dates made before the switch are dates too.
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  globalThis.Date = SkewedDate;
  return {
    realNow,
    restore() {
      globalThis.Date = RealDate;
    },
  };
}
