/** The part of a pino/Fastify logger that services use (so they can be given app.log or a test logger). */
export interface Logger {
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
