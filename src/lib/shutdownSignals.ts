/** The signals that ask Skyport to stop: SIGINT (Ctrl-C), SIGTERM (orchestrators), SIGHUP (terminal closed). */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The shutdown signals of this server: with TLS, SIGHUP reloads the certificate instead (src/tls/certificates.ts). */
export function shutdownSignals(opts: { tls: boolean }): NodeJS.Signals[] {
  return SHUTDOWN_SIGNALS.filter((s) => !(opts.tls && s === 'SIGHUP'));
}

/**
 * A repeat of the signal within this time is the same request, not an impatient second one: `npm start` and
 * `npm run demo` run Skyport under tsx, which relays the terminal's Ctrl-C to the child that already got it
 * from the terminal, so one Ctrl-C arrives twice within milliseconds.
 */
export const REPEAT_IGNORED_MS = 2_000;

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * Listens for the shutdown signals: the first one starts a graceful `drain`; a repeat within `repeatIgnoredMs`
 * is ignored; one after that calls `force` (the operator insists). Returns a function that removes the listeners.
 */
export function onShutdownSignals(
  handlers: {
    drain: (signal: NodeJS.Signals) => void;
    force: (signal: NodeJS.Signals) => void;
    log: Logger;
    /** Default: all of SHUTDOWN_SIGNALS. */
    signals?: readonly NodeJS.Signals[];
  },
  repeatIgnoredMs = REPEAT_IGNORED_MS,
): () => void {
  let firstAt: number | undefined;
  const listener = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      handlers.drain(signal);
    } else if (now - firstAt < repeatIgnoredMs) {
      handlers.log.info({ signal }, 'repeated signal ignored: already draining (send it again to stop at once)');
    } else {
      handlers.log.warn({ signal }, 'second signal: stopping without finishing the drain');
      handlers.force(signal);
    }
  };
  const signals = handlers.signals ?? SHUTDOWN_SIGNALS;
  for (const s of signals) process.on(s, listener);
  return () => {
    for (const s of signals) process.removeListener(s, listener);
  };
}
