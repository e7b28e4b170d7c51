import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise readable lines at a terminal and JSON for everything else (files, pipes, collectors). */
export function chooseLogFormat(setting: LogFormat | undefined, isTty: boolean): LogFormat {
  return setting ?? (isTty ? 'pretty' : 'json');
}

interface Line {
  msg?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/** A request line reads `GET /api/v2/cloudintegration 200 3ms`; any other line is its message. */
export function prettyMessage(line: Record<string, unknown>, messageKey: string): string {
  const l = line as Line;
  if (l.req?.method && l.res?.statusCode !== undefined) {
    const ms = typeof l.responseTime === 'number' ? ` ${Math.round(l.responseTime)}ms` : '';
    return `${l.req.method} ${l.req.url} ${l.res.statusCode}${ms}`;
  }
  return String(line[messageKey] ?? '');
}

/**
 * The process logger. JSON: pino lines, buffered and written in batches of at least 4 KiB and at least every
 * second (one write(2) per line cost more CPU than anything else Skyport adds to a request, docs/PERFORMANCE.md);
 * call flush() before writing to stdout directly. Pretty: pino-pretty, one line each (time, level name,
 * message, the remaining fields), written synchronously so it interleaves with direct writes in order.
 */
export function createLogger(opts: {
  level: string;
  format: LogFormat;
  redact: string[];
  serializers?: pino.LoggerOptions['serializers'];
  colorize: boolean;
}): Logger {
  const options = { level: opts.level, redact: opts.redact, serializers: opts.serializers };
  if (opts.format === 'pretty') {
    return pino(
      options,
      pretty({
        sync: true,
        colorize: opts.colorize,
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,req,res,responseTime,reqId',
        messageFormat: prettyMessage,
      }),
    );
  }
  return pino(options, pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }));
}
