import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

export const API_VERSION = '0.1.0';

/** OpenAPI 3 document from the route schemas; Swagger UI at /api-docs, the document at /api-docs/json. */
export async function installSwagger(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Skyport API',
        version: API_VERSION,
        description:
          'Skyport registers AWS accounts for metric, inventory and CloudTrail collection through the Wavefront-compatible ' +
          '`/api/v2/cloudintegration` resource. Authenticate with an API token, as `Authorization: Bearer <token>` or `X-AUTH-TOKEN: <token>`. ' +
          'Every JSON response is wrapped as `{"status":{"result","message","code"},"response":…}`.',
      },
      tags: [
        { name: 'Cloud Integration', description: 'AWS integrations and the external IDs their roles trust' },
        { name: 'Search', description: 'Search and facets over integrations, live or in the trash' },
        { name: 'System', description: 'Health, readiness and metrics of the Skyport process' },
      ],
      components: {
        securitySchemes: {
          api_key: { type: 'apiKey', in: 'header', name: 'X-AUTH-TOKEN', description: 'An API token in the X-AUTH-TOKEN header' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token as a bearer token' },
        },
      },
      security: [{ api_key: [] }, { bearerAuth: [] }],
    },
    // Shared schemas become components named by their $id.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      // Routes without a token requirement say so in the document.
      const open = !route.config || !(route.config as { access?: string }).access;
      const transformed = { ...(schema as object) } as Record<string, unknown>;
      if (open) transformed.security = [];
      return { schema: transformed as typeof schema, url };
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api-docs',
    uiConfig: { persistAuthorization: true, deepLinking: true },
  });
}
