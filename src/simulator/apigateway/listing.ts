/**
 * A map whose values can be paged in a stable order (by id): the sorted id list is rebuilt only after a
 * change, so paging 1,200 APIs at 25 per page sorts once, and a page starts after the last id returned even
 * when items were added or removed in between (as AWS's opaque positions behave).
 */
export class Listing<T> {
  private readonly items = new Map<string, T>();
  private sorted: string[] | undefined;

  get size(): number {
    return this.items.size;
  }

  get(id: string): T | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  set(id: string, item: T): void {
    if (!this.items.has(id)) this.sorted = undefined;
    this.items.set(id, item);
  }

  delete(id: string): boolean {
    const deleted = this.items.delete(id);
    if (deleted) this.sorted = undefined;
    return deleted;
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Ids in ascending order. */
  ids(): readonly string[] {
    this.sorted ??= [...this.items.keys()].sort();
    return this.sorted;
  }

  /** Up to `limit` items (in id order, passing `filter`) whose id sorts after `afterId`; `more` if any remain. */
  page(afterId: string | undefined, limit: number, filter?: (item: T) => boolean): { items: T[]; more: boolean } {
    const ids = this.ids();
    let i = afterId === undefined ? 0 : upperBound(ids, afterId);
    const items: T[] = [];
    for (; i < ids.length; i++) {
      const item = this.items.get(ids[i]) as T;
      if (filter && !filter(item)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(item);
    }
    return { items, more: false };
  }
}

/** First index whose id is greater than `id`. */
function upperBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
