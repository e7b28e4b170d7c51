import { RE2JS } from 're2js';
import { badRequest } from '../errors.ts';

/**
 * The one place a regular expression written by a user (metricFilterRegex, pointTagFilterRegex,
 * s3BucketNameFilterRegex, filterRule, and any to come) is compiled: on write, to refuse what cannot run, and at
 * collection, to run it. Both go through the same engine with the same flags, so a pattern accepted on write
 * behaves the same at collection.
 *
 * The engine is RE2 (re2js): matching takes time linear in the text whatever the pattern, so a pattern such as
 * `aws\.(.+)+X` cannot stall the event loop the way a backtracking engine does. Its syntax is RE2's
 * (https://github.com/google/re2/wiki/Syntax): no backreferences (`\1`) and no lookaround (`(?=`, `(?!`, `(?<=`,
 * `(?<!`); repeat counts at most 1000. Matching ignores letter case.
 */
export interface UserRegex {
  /** The pattern as the user wrote it. */
  readonly pattern: string;
  test(text: string): boolean;
}

/** `whole`: the pattern must match the entire text (Wavefront's "complete match"); `anywhere`: any part of it. */
export type RegexMatch = 'whole' | 'anywhere';

/** Why the engine cannot take `pattern`, or undefined when it can. */
export function userRegexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Checks a pattern on write: a 400 naming `field` and the reason when the engine cannot take it. Empty means
 * "no filter" and is accepted.
 */
export function assertUserRegex(pattern: string, field: string): void {
  if (pattern === '') return;
  const problem = userRegexProblem(pattern);
  if (problem !== undefined) {
    throw badRequest(`${field} is not a valid regular expression (RE2 syntax: no backreferences or lookaround): ${problem}`);
  }
}

/**
 * Compiles a pattern for matching; the same errors as assertUserRegex (a pattern stored before this engine that
 * it cannot take fails the run with that message, it never runs on another engine).
 */
export function compileUserRegex(pattern: string, field: string, match: RegexMatch): UserRegex {
  assertUserRegex(pattern, field);
  const re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  return match === 'whole' ? { pattern, test: (text) => re.testExact(text) } : { pattern, test: (text) => re.test(text) };
}

/** compileUserRegex for an optional setting: unset or empty means no filter (undefined). */
export function optionalUserRegex(pattern: string | undefined, field: string, match: RegexMatch): UserRegex | undefined {
  return pattern === undefined || pattern === '' ? undefined : compileUserRegex(pattern, field, match);
}
