import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { createIgnoredFieldFinder, warningHeaderValue } from '../services/ignoredFields.ts';
import { CONFIG_KEY } from '../schemas/cloudIntegration.ts';
import { CloudIntegration } from '../schemas/cloudIntegration.ts';

/** Bodies whose read model may be sent back whole: its read-only fields are not "unknown". */
const READ_MODEL: Record<string, TSchema> = { 'CloudIntegrationWrite#': CloudIntegration };

/** The service sections a body carries for another service than its own (ignored too). */
function otherServiceSections(body: Record<string, unknown>): string[] {
  const service = typeof body.service === 'string' ? body.service.trim().toUpperCase() : '';
  if (!(service in CONFIG_KEY)) return [];
  const own = CONFIG_KEY[service as keyof typeof CONFIG_KEY];
  return Object.values(CONFIG_KEY).filter((key) => key !== own && body[key] !== undefined && body[key] !== null);
}

/**
 * Every route with a JSON body answers with a `Warning: 299 skyport "ignored unknown field …"` header per key
 * it ignored (absent when there is none). Wavefront's clients ignore the header; `skyport apply` shows it.
 */
export function installIgnoredFieldWarnings(app: FastifyInstance, shared: TSchema[]) {
  const find = createIgnoredFieldFinder(shared);
  app.addHook('onRoute', (route) => {
    const body = (route.schema as { body?: TSchema & { $ref?: string } } | undefined)?.body;
    if (!body) return;
    const alsoKnown = body.$ref ? READ_MODEL[body.$ref] : undefined;
    const warn = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const sent = request.body;
      if (sent && typeof sent === 'object' && !Array.isArray(sent)) {
        const warnings = find(sent, body, alsoKnown).map((path) => warningHeaderValue(`ignored unknown field ${path}`));
        if (alsoKnown) {
          for (const key of otherServiceSections(sent as Record<string, unknown>)) {
            warnings.push(warningHeaderValue(`ignored field ${key}: it does not belong to the integration's service`));
          }
        }
        if (warnings.length > 0) reply.header('warning', warnings);
      }
      done();
    };
    const existing = route.preHandler;
    route.preHandler = existing ? [...(Array.isArray(existing) ? existing : [existing]), warn] : warn;
  });
}
