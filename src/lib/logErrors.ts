import pino from 'pino';

const MAX_TEXT = 2_000;
const MAX_STACK_LINE = 300;
const MAX_STACK_LINES = 40;
const PARAMS_SHOWN = 10;
const MAX_PARAM = 100;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`);

// drizzle's DrizzleQueryError writes every bind parameter into its message (and so into its stack and the
// message of whatever wraps it) after "params: ". One search once made that a 19.5 MB log line.
const withoutParams = (text: string) => text.replace(/\nparams: [^\n]*/g, '\nparams: (not logged)');

/**
 * pino's `err` serializer with every field bounded: SQL text and messages clipped, the bind parameters of a
 * failed query reduced to their count and the first few (short ones, such as a token hash, stay readable).
 * Used for every logged error: one failing query with a huge parameter list must not write megabytes.
 */
export function errorForLog(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'raw') continue;
    if (key === 'params' && Array.isArray(value)) {
      out.params = {
        count: value.length,
        first: value.slice(0, PARAMS_SHOWN).map((p) => (typeof p === 'string' ? clip(p, MAX_PARAM) : p)),
      };
    } else if (key === 'stack' && typeof value === 'string') {
      const lines = withoutParams(value).split('\n');
      out.stack = lines
        .slice(0, MAX_STACK_LINES)
        .map((line) => clip(line, MAX_STACK_LINE))
        .join('\n');
    } else if (typeof value === 'string') {
      out[key] = clip(withoutParams(value), MAX_TEXT);
    } else {
      out[key] = value;
    }
  }
  return out;
}
