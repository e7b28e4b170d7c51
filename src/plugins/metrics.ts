import type { FastifyInstance, FastifyReply, onResponseHookHandler } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withHook } from './routeHooks.ts';

/** The server's own metrics in Prometheus text at GET /metrics (no token). One registry per app. */
export function installMetrics(app: FastifyInstance, registry: Registry) {
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'skyport_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'skyport_http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const record = (method: string, route: string, reply: FastifyReply) => {
    requests.inc({ method, route, status: reply.statusCode });
    duration.observe({ method, route }, reply.elapsedTime / 1000);
  };

  // Each route gets its own hook, which knows its route pattern: a global hook would read
  // `request.routeOptions`, which builds an object per call.
  app.addHook('onRoute', (route) => {
    const pattern = route.url ?? route.path;
    const hook: onResponseHookHandler = (request, reply, done) => {
      record(request.method, pattern, reply);
      done();
    };
    route.onResponse = withHook(route.onResponse, hook);
  });
  // Requests that match no route (404s, and requests refused before routing).
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) record(request.method, 'unmatched', reply);
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
