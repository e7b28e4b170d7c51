// `node --import ./test/faults/preloadSkew.mjs`: the process's clock is FAULT_CLOCK_SKEW_MS off (fault suite).
import { skewProcessClock } from './skewClock.mjs';

const ms = Number(process.env.FAULT_CLOCK_SKEW_MS ?? 0);
if (ms !== 0) skewProcessClock(ms);
