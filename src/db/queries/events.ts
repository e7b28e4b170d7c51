import { and, eq, sql } from 'drizzle-orm';
import { events } from '../schema.ts';
import type { DbOrTx } from './integrations.ts';

export type EventInsert = typeof events.$inferInsert;

/** Stores events; a (customer, dedupeKey) pair already stored is skipped, so re-reads never duplicate. */
export async function insertEvents(tx: DbOrTx, rows: EventInsert[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await tx
      .insert(events)
      .values(rows.slice(i, i + 1000))
      .onConflictDoNothing({ target: [events.customerId, events.dedupeKey] })
      .returning({ id: events.id });
    inserted += res.length;
  }
  return inserted;
}

/** Marks an ongoing event as ended. */
export async function endEvent(tx: DbOrTx, customerId: string, id: string, endMs: number) {
  await tx
    .update(events)
    .set({ endMs, runningState: 'ENDED', updatedMs: endMs })
    .where(and(eq(events.id, id), eq(events.customerId, customerId), sql`${events.endMs} IS NULL`));
}
