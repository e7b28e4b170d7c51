import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when it is answered (method, URL, status, time, request id), instead of
 * Fastify's two (`incoming request` and `request completed`). At the default level `info` each line is a
 * pino serialisation with redaction and a buffered write: on a GET that reads one row, the two lines were the
 * largest cost Skyport added to the request (docs/PERFORMANCE.md). A request that
 * never completes shows up as a missing line, which the request timeout (60 s) bounds.
 */
// Probes (a load balancer, Docker's health check, Prometheus) call these every few seconds: at info they would
// drown everything else, so their answers are logged at debug unless they are errors.
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export class RequestLogController extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    const req = { method: request.method, url: redactUrl(request.url) };
    if (error) reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else if (reply.statusCode < 500 && PROBES.has(request.url)) reply.log.debug({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

// Query parameters that may carry a token (some clients put it in the URL when they cannot set a header).
const SECRET_QUERY = /([?&](?:token|api_key|apikey|access_token|x-auth-token|auth_token)=)[^&#]*/gi;

/** The URL as logged: the values of token-like query parameters replaced by [Redacted]. */
export function redactUrl(url: string): string {
  return url.includes('=') ? url.replace(SECRET_QUERY, '$1[Redacted]') : url;
}

/**
 * The `req` serializer of every Skyport logger (LOG_SERIALIZERS): whatever request object is logged under `req`
 * (the request line's, Fastify's own, a raw IncomingMessage), only its method and its URL, token-like query
 * parameters redacted, reach the line; authorization headers and bodies cannot.
 */
export function requestForLog(req: { method?: unknown; url?: unknown }): { method: unknown; url: unknown } {
  return { method: req.method, url: typeof req.url === 'string' ? redactUrl(req.url) : req.url };
}
