/**
 * Errors a service throws on purpose. The error-handler plugin turns each into the Wavefront envelope
 * `{"status":{"result":"ERROR","message":…,"code":…}}` with the same HTTP status.
 */
export class SkyportError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Sent as Retry-After on 429 and 503. */
  readonly retryAfterSeconds?: number;

  constructor(statusCode: number, code: string, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'SkyportError';
    this.statusCode = statusCode;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const badRequest = (message: string) => new SkyportError(400, 'BAD_REQUEST', message);
export const unauthorized = (message: string) => new SkyportError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new SkyportError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new SkyportError(404, 'NOT_FOUND', message);
export const conflict = (message: string) => new SkyportError(409, 'CONFLICT', message);
export const unavailable = (message: string, retryAfterSeconds = 30) => new SkyportError(503, 'UNAVAILABLE', message, retryAfterSeconds);
