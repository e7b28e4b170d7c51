import type { FastifyPluginAsync } from 'fastify';
import { fileJsonSchema } from '../provision/fileSchema.ts';
import { FILE_SCHEMA_URL_PATH } from '../provision/export.ts';

/** `GET /` leads people to the API documentation; the provisioning file's JSON Schema is served for editors. */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  const schemaText = fileJsonSchema();
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/api-docs', 302));
  app.get(FILE_SCHEMA_URL_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/schema+json; charset=utf-8').send(schemaText),
  );
};
