import { RE2JS } from 're2js';
import { badRequest } from '../../errors.ts';

/**
 * Checks a user's regular expression on write with the linear-time engine (RE2: no backreferences, no
 * lookaround), case-insensitive: a 400 naming `field` when it cannot compile. A stand-in for the one
 * user-regex helper the rest of Skyport gets (same engine, same flags), to be replaced by it.
 */
export function assertNameRegex(pattern: string, field: string): void {
  if (pattern === '') return;
  try {
    RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw badRequest(`${field} is not a valid regular expression (RE2 syntax: no backreferences or lookaround): ${(err as Error).message}`);
  }
}
