import { randomBytes } from 'node:crypto';

// Random bytes are drawn in blocks: one randomBytes call per id costs more than the rest of the id.
const BLOCK = 8 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;
const scratch = Buffer.alloc(16);
let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, a 12-bit counter, variant 10, 62 random bits, as
 * a lowercase string. Ids made by this process are strictly increasing (as text and as PostgreSQL uuid): within
 * one millisecond the counter goes up, on overflow or a clock step backwards the timestamp is carried forward.
 * Time-ordered ids make btree inserts append at the right edge instead of splitting random leaf pages.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(BLOCK);
    poolAt = 0;
  }
  scratch.writeUIntBE(lastMs, 0, 6);
  scratch[6] = 0x70 | (counter >> 8);
  scratch[7] = counter & 0xff;
  pool.copy(scratch, 8, poolAt, poolAt + 8);
  poolAt += 8;
  scratch[8] = (scratch[8] & 0x3f) | 0x80;
  const h = scratch.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
