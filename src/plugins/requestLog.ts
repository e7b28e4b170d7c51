import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when it is answered (method, URL, status, time, request id), instead of
 * Fastify's two (`incoming request` and `request completed`). At the default level `info` each line is a
 * pino serialisation with redaction and a buffered write: on a GET that reads one row, the two lines were the
 * largest cost Skyport added to the request (docs/PERFORMANCE.md). A request that
 * never completes shows up as a missing line, which the request timeout (60 s) bounds.
 */
export class RequestLogController extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (this.isLogDisabled(request)) return;
    const req = { method: request.method, url: request.url };
    if (error) reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
