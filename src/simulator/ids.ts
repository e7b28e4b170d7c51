import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** `AKIA…` (long-term) or `ASIA…` (temporary) style access key ids: 20 characters. */
export const newAccessKeyId = (prefix: 'AKIA' | 'ASIA'): string => prefix + pick(BASE32, 16);
export const newSecretAccessKey = (): string => pick(ALNUM + '/+', 40);
export const newSessionToken = (): string => 'IQoJb3JpZ2luX2VjE' + randomBytes(240).toString('base64');
/** Unique ids of IAM principals: AIDA… for users, AROA… for roles. */
export const newPrincipalId = (prefix: 'AIDA' | 'AROA'): string => prefix + pick(BASE32, 17);
export const newRequestId = (): string => randomUUID();
export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const newInstanceId = (): string => 'i-' + hex(9).slice(0, 17);
export const newVolumeId = (): string => 'vol-' + hex(9).slice(0, 17);
export const newReservationId = (): string => 'r-' + hex(9).slice(0, 17);
/** 12-digit account id that does not start with 0. */
export function newAccountId(): string {
  const digits = pick('0123456789', 12);
  return (digits[0] === '0' ? '1' : digits[0]) + digits.slice(1);
}
/** CloudTrail's UniqueString: 16 characters. */
export const newUniqueString = (): string => pick(ALNUM, 16);

/** 32-bit FNV-1a of a string: the stable identity hash of a metric series. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes two 32-bit integers into a well-distributed 32-bit integer (murmur3 finalizer). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Deterministic PRNG (mulberry32) for probabilistic faults and generated CloudTrail records. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
