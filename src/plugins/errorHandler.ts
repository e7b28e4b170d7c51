import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SkyportError } from '../errors.ts';
import { errorForLog } from '../lib/logErrors.ts';

export function errorBody(code: number, message: string) {
  return { status: { result: 'ERROR', message, code } };
}

// Connection-level failures of PostgreSQL (server gone, shutting down, too many clients…), and the time
// limits of SKYPORT_DB_*_TIMEOUT: a statement cancelled by statement_timeout (57014), a lock not granted
// (55P03), a transaction ended by idle_in_transaction_session_timeout (25P03).
const DB_UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '57014', '55P03', '25P03',
]);

// pg and pg-pool raise these without a code when the server or the pool is gone, a client of the pool lost
// its connection between two queries, or a new connection was not open within SKYPORT_DB_CONNECT_TIMEOUT.
const DB_UNAVAILABLE_MESSAGE =
  /^(Cannot use a pool after calling end on the pool|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Query read timeout|timeout expired$)/;

// PostgreSQL text cannot hold a NUL character (22021), and a NUL in a path segment or a JSON string reaches
// it as is: that is a bad request, not a failure of Skyport.
const NUL_IN_TEXT = '22021';

function hasCode(error: unknown, wanted: string): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === wanted) return true;
  }
  return false;
}

/** True when `error`, or an error it wraps (drizzle wraps driver errors in `cause`), says the database is unreachable. */
export function databaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if ((typeof code === 'string' && DB_UNAVAILABLE.has(code)) || DB_UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

function send(reply: FastifyReply, code: number, message: string) {
  // Never answer 406: the Go client treats it as retryable.
  const status = code === 406 ? 400 : code;
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(status, message));
}

/**
 * Fastify's `frameworkErrors` option: failures the router meets before any route or hook runs (a URL that
 * is not valid percent-encoding, a path segment longer than maxParamLength), in the same envelope.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id);
  // No id is that long: the segment names nothing that exists.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return send(reply, 404, `no resource at ${request.method} ${request.url.split('?')[0].slice(0, 100)}…`);
  if (error.code === 'FST_ERR_BAD_URL') return send(reply, 400, 'the URL is not valid: a path segment is not valid percent-encoding');
  return send(reply, error.statusCode && error.statusCode < 500 ? error.statusCode : 400, error.message);
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  // Node's HTTP parser stops at --max-http-header-size (16 KiB by default) for the request line and headers.
  HPE_HEADER_OVERFLOW: [431, 'the request line and headers are larger than this server accepts (16 KiB); a URL that long names nothing here'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
};

/**
 * Fastify's `clientErrorHandler` option: requests Node's HTTP parser rejects before Fastify sees them (a URL
 * or headers over the size limit, a request that is not HTTP), answered in the envelope like everything else.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: import('node:net').Socket) {
  // A connection reset has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${code} ${code === 431 ? 'Request Header Fields Too Large' : code === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * One place that turns every failure into the Wavefront error envelope. Client errors keep their message;
 * server errors are logged with the request id and answered with that id only (no stack, no SQL).
 */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & { code?: string }, request, reply) => {
    if (error instanceof SkyportError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return send(reply, error.statusCode, error.message);
    }
    if (error.validation) {
      return send(reply, 400, `invalid ${error.validationContext ?? 'request'}: ${error.message}`);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        status === 413 ? `request body is larger than the ${app.initialConfig.bodyLimit} bytes allowed`
        : status === 415 ? `unsupported content type "${request.headers['content-type'] ?? ''}"; send application/json`
        : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? `request body is not valid JSON: ${error.message}`
        : error.message;
      return send(reply, status, message);
    }
    if (hasCode(error, NUL_IN_TEXT)) {
      return send(reply, 400, 'the request holds a NUL character (\\u0000 or %00), which no value may contain');
    }
    if (databaseUnavailable(error)) {
      request.log.error({ err: errorForLog(error) }, 'database unavailable');
      reply.header('retry-after', '5');
      return send(reply, 503, `the database is unavailable; retry later (request id ${request.id})`);
    }
    request.log.error({ err: errorForLog(error) }, 'request failed');
    return send(reply, 500, `internal error (request id ${request.id})`);
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
