import type { Clock } from '../lib/clock.ts';
import type { Principal } from './api/tokens.ts';

/** The columns the trash and disable/enable rules touch, shared by integrations and API Gateway connections. */
interface LifecyclePatch {
  inTrash?: boolean;
  trashedMs?: number | null;
  disabled?: boolean;
  updaterId?: string;
  updatedMs?: number;
  nextRunAt?: Date;
}

/**
 * Undelete, disable and enable of a scheduled resource (a cloud integration, an API Gateway connection): the
 * same rules for both. Undelete and enable make it due at once; a change that would change nothing writes
 * nothing. `changeLocked` runs the change on the row locked in a transaction (404 when gone); `update` writes it.
 */
export function scheduledLifecycle<Row extends { inTrash: boolean; disabled: boolean }, Tx, View>(deps: {
  clock: Clock;
  changeLocked: (p: Principal, id: string, change: (row: Row, tx: Tx) => Promise<Row | undefined>) => Promise<View>;
  update: (tx: Tx, customerId: string, id: string, patch: LifecyclePatch) => Promise<Row | undefined>;
}) {
  const { clock, changeLocked, update } = deps;
  return {
    undelete: (p: Principal, id: string) =>
      changeLocked(p, id, async (row, tx) => {
        if (!row.inTrash) return row;
        const now = clock.now();
        return update(tx, p.customerId, id, { inTrash: false, trashedMs: null, updaterId: p.name, updatedMs: now, nextRunAt: new Date(now) });
      }),

    disable: (p: Principal, id: string) =>
      changeLocked(p, id, async (row, tx) => {
        if (row.disabled) return row;
        return update(tx, p.customerId, id, { disabled: true, updaterId: p.name, updatedMs: clock.now() });
      }),

    /** Clears `disabled` and makes the resource due at once. */
    enable: (p: Principal, id: string) =>
      changeLocked(p, id, async (_row, tx) => {
        const now = clock.now();
        return update(tx, p.customerId, id, { disabled: false, updaterId: p.name, updatedMs: now, nextRunAt: new Date(now) });
      }),
  };
}
