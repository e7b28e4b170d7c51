import { RE2JS } from 're2js';

/**
 * CloudWatch Logs filter patterns, the subset the simulator understands (case-sensitive, like AWS):
 * - empty: every event;
 * - terms: `ERROR timeout "exact phrase"` (all must occur), `?ERROR ?WARN` (any of them), `ERROR -Exiting`
 *   (must not occur), `%regex%` terms (RE2, linear time);
 * - JSON: `{ $.status = 500 }`, `{ $.a.b != "x*" }`, `< <= > >=` on numbers, joined by `&&` or `||`
 *   (`&&` binds tighter; no parentheses).
 * Anything else (space-delimited `[…]` patterns, parentheses) is an InvalidParameterException.
 */
export type Matcher = (message: string) => boolean;

export class FilterPatternError extends Error {}

export const MAX_FILTER_PATTERN = 1024;

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.length > MAX_FILTER_PATTERN) throw new FilterPatternError(`filterPattern is longer than ${MAX_FILTER_PATTERN} characters`);
  if (text.startsWith('{')) return compileJson(text);
  if (text.startsWith('[')) throw new FilterPatternError('Invalid filter pattern: the simulator does not support space-delimited patterns');
  return compileTerms(text);
}

type TermTest = (message: string) => boolean;

function termTest(term: string): TermTest {
  if (term.length >= 2 && term.startsWith('%') && term.endsWith('%')) {
    let re: RE2JS;
    try {
      re = RE2JS.compile(term.slice(1, -1));
    } catch {
      throw new FilterPatternError(`Invalid filter pattern: bad regular expression ${term}`);
    }
    return (m) => re.test(m);
  }
  return (m) => m.includes(term);
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let prefix = '';
    if (text[i] === '?' || text[i] === '-') prefix = text[i++];
    if (text[i] === '%') {
      // A regular expression term runs to the closing %, spaces included.
      const end = text.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError('Invalid filter pattern: unterminated %regex%');
      tokens.push(prefix + text.slice(i, end + 1));
      i = end + 1;
    } else if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new FilterPatternError('Invalid filter pattern: unterminated quote');
      tokens.push(prefix + '\u0000' + text.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/\s/.test(text[j])) j++;
      tokens.push(prefix + text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

function compileTerms(text: string): Matcher {
  const required: TermTest[] = [];
  const anyOf: TermTest[] = [];
  const excluded: TermTest[] = [];
  for (const token of tokenize(text)) {
    const kind = token[0] === '?' || token[0] === '-' ? token[0] : '';
    let term = kind ? token.slice(1) : token;
    const quoted = term.startsWith('\u0000');
    if (quoted) term = term.slice(1);
    if (term === '') continue;
    const test = quoted ? (m: string) => m.includes(term) : termTest(term);
    if (kind === '?') anyOf.push(test);
    else if (kind === '-') excluded.push(test);
    else required.push(test);
  }
  return (m) =>
    required.every((t) => t(m)) && (anyOf.length === 0 || anyOf.some((t) => t(m))) && !excluded.some((t) => t(m));
}

const COMPARISON = /^\s*\$((?:\.[A-Za-z_][\w-]*|\[\d+\])+)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*$/;

function compileJson(text: string): Matcher {
  if (!text.endsWith('}')) throw new FilterPatternError('Invalid filter pattern: a JSON pattern ends with }');
  const body = text.slice(1, -1);
  if (/[()]/.test(body.replace(/"[^"]*"/g, ''))) throw new FilterPatternError('Invalid filter pattern: the simulator does not support parentheses');
  const alternatives = body.split('||').map((alt) => alt.split('&&').map(compileComparison));
  return (m) => {
    let doc: unknown;
    try {
      doc = JSON.parse(m);
    } catch {
      return false;
    }
    return alternatives.some((all) => all.every((c) => c(doc)));
  };
}

function compileComparison(text: string): (doc: unknown) => boolean {
  const match = COMPARISON.exec(text);
  if (!match) throw new FilterPatternError(`Invalid filter pattern: cannot read ${text.trim()}`);
  const [, selector, op, rawValue] = match;
  const path = [...selector.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)].map((p) => p[1] ?? Number(p[2]));
  const quoted = rawValue.startsWith('"') && rawValue.endsWith('"') && rawValue.length >= 2;
  const value = quoted ? rawValue.slice(1, -1) : rawValue;
  const numeric = !quoted && value !== '' && Number.isFinite(Number(value));
  if ((op === '<' || op === '>' || op === '<=' || op === '>=') && !numeric) {
    throw new FilterPatternError(`Invalid filter pattern: ${op} needs a number`);
  }
  const wildcard = value.includes('*') ? RE2JS.compile('(?s)^' + value.split('*').map(escapeRegExp).join('.*') + '$') : undefined;
  return (doc) => {
    let v: unknown = doc;
    for (const p of path) {
      if (v === null || typeof v !== 'object') return false;
      v = (v as Record<string | number, unknown>)[p];
    }
    if (v === undefined || (typeof v === 'object' && v !== null)) return false;
    if (numeric && (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))))) {
      const a = Number(v);
      const b = Number(value);
      switch (op) {
        case '=': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        default: return a >= b;
      }
    }
    if (op !== '=' && op !== '!=') return false;
    const s = String(v);
    const equal = wildcard ? wildcard.test(s) : s === value;
    return op === '=' ? equal : !equal;
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
