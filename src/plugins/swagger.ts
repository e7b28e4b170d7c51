import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { finishDocument } from './openapiDocument.ts';

// Skyport's mark in the Swagger UI top bar and tab (instead of the UI package's default branding).
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">' +
  '<path d="M6 28 L20 8 L34 28 Z" fill="#4fa3e0"/><path d="M14 28 L24 16 L34 28 Z" fill="#1b5e8c"/>' +
  '<text x="42" y="28" font-family="sans-serif" font-size="20" font-weight="bold" fill="#ffffff">Skyport</text></svg>';
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><path d="M2 34 L20 6 L38 34 Z" fill="#4fa3e0"/><path d="M12 34 L26 16 L38 34 Z" fill="#1b5e8c"/></svg>';
import { installSecurityHeaders } from './securityHeaders.ts';

export const API_VERSION = '0.1.0';

const NOT_IN_OPENAPI_30 = new Set(['propertyNames']);

/** A copy of the document with JSON Schema keywords that OpenAPI 3.0 rejects renamed to x-<keyword>. */
function openApi30Keywords<T>(value: T, namesOnly = false): T {
  if (Array.isArray(value)) return value.map((v) => openApi30Keywords(v)) as T;
  if (!value || typeof value !== 'object') return value;
  // Under `properties` (and `paths`) the keys are names, not keywords: keep them as they are.
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      !namesOnly && NOT_IN_OPENAPI_30.has(key) ? `x-${key}` : key,
      openApi30Keywords(v, !namesOnly && (key === 'properties' || key === 'paths' || key === 'schemas')),
    ]),
  ) as T;
}

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
          'Every JSON response except `GET /api/v2/chart/raw` (a bare list) is wrapped as `{"status":{"result","message","code"},"response":…}`.',
      },
      tags: [
        { name: 'Cloud Integration', description: 'AWS integrations and the external IDs their roles trust' },
        { name: 'Search', description: 'Search and facets over integrations, live or in the trash' },
        { name: 'API Gateway Connection', description: 'Connections to AWS accounts whose API Gateway APIs Skyport discovers: credentials, regions, stages, the IAM policy and a permission check' },
        { name: 'API Gateway Inventory', description: 'What the syncs of API Gateway connections discovered: APIs, stages, endpoints, exported OpenAPI documents and the change log' },
        { name: 'API Gateway Subscription', description: 'API keys in usage plans, managed by Skyport: create (idempotent), revoke, rotate, suspend, resume; the usage plans discovered' },
        { name: 'API Gateway Traffic', description: "Traffic statistics of discovered APIs from their stages' access logs: per endpoint, status code or API key, with latency percentiles" },
        { name: 'Query', description: 'The collected data points, read back as raw series' },
        { name: 'Metric', description: 'Which metrics Skyport collected, and which sources report them' },
        { name: 'Event', description: 'Events: AWS actions collected from CloudTrail and system events such as credential failures' },
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
    // JSON Schema keywords OpenAPI 3.0 does not allow (propertyNames, used by StringMap for its key-length
    // limit) stay in the validation schemas but are kept in the document only as x- extensions.
    transformObject: (documentObject) => finishDocument(openApi30Keywords((documentObject as { openapiObject: object }).openapiObject)),
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
  // Swagger UI in a context of its own, with the security headers of a web page (see securityHeaders.ts).
  await app.register(async (docs) => {
    await installSecurityHeaders(docs);
    await docs.register(swaggerUi, {
      routePrefix: '/api-docs',
      uiConfig: { persistAuthorization: true, deepLinking: true },
      logo: { type: 'image/svg+xml', content: Buffer.from(LOGO_SVG) },
      theme: {
        title: 'Skyport API',
        favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(FAVICON_SVG) }],
      },
    });
  });
}
