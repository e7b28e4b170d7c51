export function freePort(): Promise<number>;
export function startThrowawayPostgres(prefix: string): Promise<{ url: string; stop: () => Promise<void> }>;
