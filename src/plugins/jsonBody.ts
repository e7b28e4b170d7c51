import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.ts';
import { isStorableText } from '../lib/text.ts';

// Only these JSON escapes can put a NUL or a lone surrogate into a parsed string (raw ones are invalid JSON).
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i;

/** True when a string (key or value) anywhere in `value` holds text PostgreSQL cannot store. */
function holdsUnstorableText(value: unknown): boolean {
  const bad = (s: string) => !isStorableText(s);
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (bad(v)) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (bad(k)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * JSON bodies, but an empty body is "no body": Wavefront clients send `Content-Type: application/json`
 * with nothing on DELETE and on the action POSTs. `null` parses to null. Prototype-poisoning keys are
 * rejected by Fastify's own parser, which does the actual parsing. Strings PostgreSQL cannot store (a NUL,
 * an unpaired surrogate) are a 400 here rather than a database error later.
 */
export function installJsonParser(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(req, body as string, (err, parsed) => {
      if (!err && SUSPECT_ESCAPE.test(body as string) && holdsUnstorableText(parsed)) {
        done(badRequest('request body holds a string with a NUL character (\\u0000) or an unpaired surrogate, which cannot be stored'), undefined);
        return;
      }
      done(err, parsed);
    });
  });
  // JSON is the only body this API reads: anything else, text/plain included, is a 415.
  app.removeContentTypeParser('text/plain');
}
