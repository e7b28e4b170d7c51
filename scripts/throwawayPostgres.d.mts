export function freePort(): Promise<number>;
export function startThrowawayPostgres(
  prefix: string,
  opts?: { restartable?: boolean },
): Promise<{ url: string; halt: () => Promise<void>; resume: () => Promise<void>; stop: () => Promise<void> }>;
