import type { Db } from './client.ts';

/** A transaction of `db.transaction`: query functions take one (or the db itself) to join the caller's work. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;
