import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies, but an empty body is "no body": Wavefront clients send `Content-Type: application/json`
 * with nothing on DELETE and on the action POSTs. `null` parses to null. Prototype-poisoning keys are
 * rejected by Fastify's own parser, which does the actual parsing.
 */
export function installJsonParser(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(req, body as string, done);
  });
}
