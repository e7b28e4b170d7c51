/**
 * The events of one log group, stored by column so that a million generated access-log lines cost tens of
 * bytes each: event time, ingestion time, stream and where the message comes from (a stored string, or a
 * generator that renders line `ref` on demand). `sorted()` keeps a permutation in FilterLogEvents' order
 * (event time, then ingestion time, then the order of arrival); rows appended since the last read are sorted
 * among themselves and merged in, so a read after a small write costs one linear merge, not a full sort.
 */
export interface MessageSource {
  render(ref: number): string;
}

const PLAIN = -1;
const INITIAL_CAPACITY = 1024;

/** A position in FilterLogEvents' order: the key of one event. */
export interface EventKey {
  timestamp: number;
  ingestionTime: number;
  row: number;
}

export class EventTable {
  size = 0;
  private ts = new Float64Array(INITIAL_CAPACITY);
  private ingest = new Float64Array(INITIAL_CAPACITY);
  private streamOf = new Uint32Array(INITIAL_CAPACITY);
  private source = new Int32Array(INITIAL_CAPACITY);
  private ref = new Uint32Array(INITIAL_CAPACITY);
  private readonly messages: string[] = [];
  private readonly sources: MessageSource[] = [];
  private order: Uint32Array = new Uint32Array(0);
  private sortedRows = 0;

  /** Adds a stored message; returns its row. */
  appendPlain(timestamp: number, ingestionTime: number, stream: number, message: string): number {
    this.messages.push(message);
    return this.append(timestamp, ingestionTime, stream, PLAIN, this.messages.length - 1);
  }

  /** Registers a generator of messages; rows then point at it with appendGenerated. */
  addSource(source: MessageSource): number {
    this.sources.push(source);
    return this.sources.length - 1;
  }

  appendGenerated(timestamp: number, ingestionTime: number, stream: number, sourceId: number, ref: number): number {
    return this.append(timestamp, ingestionTime, stream, sourceId, ref);
  }

  /** Makes room for `extra` more rows at once (one copy instead of repeated doubling). */
  reserve(extra: number): void {
    const needed = this.size + extra;
    if (needed <= this.ts.length) return;
    let capacity = this.ts.length;
    while (capacity < needed) capacity *= 2;
    this.ts = grow(this.ts, new Float64Array(capacity));
    this.ingest = grow(this.ingest, new Float64Array(capacity));
    this.streamOf = grow(this.streamOf, new Uint32Array(capacity));
    this.source = grow(this.source, new Int32Array(capacity));
    this.ref = grow(this.ref, new Uint32Array(capacity));
  }

  private append(timestamp: number, ingestionTime: number, stream: number, source: number, ref: number): number {
    this.reserve(1);
    const row = this.size++;
    this.ts[row] = timestamp;
    this.ingest[row] = ingestionTime;
    this.streamOf[row] = stream;
    this.source[row] = source;
    this.ref[row] = ref;
    return row;
  }

  timestamp(row: number): number {
    return this.ts[row];
  }

  ingestionTime(row: number): number {
    return this.ingest[row];
  }

  stream(row: number): number {
    return this.streamOf[row];
  }

  message(row: number): string {
    const source = this.source[row];
    return source === PLAIN ? this.messages[this.ref[row]] : this.sources[source].render(this.ref[row]);
  }

  key(row: number): EventKey {
    return { timestamp: this.ts[row], ingestionTime: this.ingest[row], row };
  }

  /** Negative when row `a` comes before row `b` in FilterLogEvents' order. */
  compareRows(a: number, b: number): number {
    return this.ts[a] - this.ts[b] || this.ingest[a] - this.ingest[b] || a - b;
  }

  private compareToKey(row: number, key: EventKey): number {
    return this.ts[row] - key.timestamp || this.ingest[row] - key.ingestionTime || row - key.row;
  }

  /** Every row, in FilterLogEvents' order. */
  sorted(): Uint32Array {
    if (this.sortedRows === this.size) return this.order;
    const fresh = new Uint32Array(this.size - this.sortedRows);
    for (let i = 0; i < fresh.length; i++) fresh[i] = this.sortedRows + i;
    let inOrder = true;
    for (let i = 1; i < fresh.length && inOrder; i++) inOrder = this.compareRows(fresh[i - 1], fresh[i]) < 0;
    if (!inOrder) fresh.sort((a, b) => this.compareRows(a, b));
    this.order = this.merge(this.order, fresh);
    this.sortedRows = this.size;
    return this.order;
  }

  private merge(old: Uint32Array, fresh: Uint32Array): Uint32Array {
    if (old.length === 0) return fresh;
    const out = new Uint32Array(old.length + fresh.length);
    if (this.compareRows(old[old.length - 1], fresh[0]) < 0) {
      out.set(old);
      out.set(fresh, old.length);
      return out;
    }
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < fresh.length) out[k++] = this.compareRows(old[i], fresh[j]) < 0 ? old[i++] : fresh[j++];
    while (i < old.length) out[k++] = old[i++];
    while (j < fresh.length) out[k++] = fresh[j++];
    return out;
  }

  /** Index in sorted() of the first event with an event time ≥ `timestamp`. */
  firstAtOrAfter(timestamp: number): number {
    const order = this.sorted();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[order[mid]] < timestamp) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in sorted() of the first event at or after `key`: the number of events before it. */
  firstAtOrAfterKey(key: EventKey): number {
    const order = this.sorted();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareToKey(order[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index in sorted() of the first event after `key` (keys of events inserted since still sort correctly). */
  firstAfter(key: EventKey): number {
    const order = this.sorted();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareToKey(order[mid], key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function grow<T extends Float64Array | Uint32Array | Int32Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
