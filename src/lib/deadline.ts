/**
 * `work`'s result, or `fallback` once `ms` have passed without one. The work itself is not cancelled: use it
 * where the work ends on its own (a query under statement_timeout, a pool wait under its acquisition timeout)
 * and only the answer must not wait for that.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
