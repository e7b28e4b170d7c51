/** Why a run was aborted at its deadline (as opposed to a lost lease or a shutdown). */
export class RunDeadlineError extends Error {
  override name = 'RunDeadlineExceeded';
  constructor(readonly deadlineMs: number) {
    super(`the collection run took longer than its deadline of ${Math.round(deadlineMs / 1000)} s and was abandoned; it is retried with back-off`);
  }
}

/**
 * Aborts `abort` after `ms` with a RunDeadlineError; returns the function that cancels the timer. Aborting
 * cancels the AWS calls in flight (they take the signal); `untilAborted` ends the wait for a collector that does
 * not notice in time.
 */
export function armDeadline(abort: AbortController, ms: number): () => void {
  const timer = setTimeout(() => abort.abort(new RunDeadlineError(ms)), ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** `work`, or a rejection with the signal's reason as soon as it aborts, whichever comes first. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      // The abandoned work may still settle later; its result (or error) is dropped.
      work.catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
