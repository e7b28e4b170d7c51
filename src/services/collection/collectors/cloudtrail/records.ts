/**
 * Streaming reader of CloudTrail log files: `{"Records":[{…},{…},…]}`, gzipped. The file is never held whole:
 * bytes flow S3 → gunzip → a small scanner that finds where each element of the top-level `Records` array starts
 * and ends, and only that element's bytes are decoded and handed to JSON.parse. Memory is bounded by one record
 * (at most `maxRecordBytes`) plus the stream buffers, whatever the size of the file.
 *
 * The scanner works on bytes: `"` (0x22) and `\` (0x5c) never occur inside a multi-byte UTF-8 sequence, so
 * string boundaries can be found without decoding, and a record split across chunks is decoded only once it
 * is complete. Inside strings it jumps with Buffer.indexOf (memchr) instead of looking at every byte.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** A CloudTrail record as parsed (fields per CloudTrail's record contents). */
export type CloudTrailRecord = Record<string, unknown>;

/** The file is not a well-formed `{"Records":[…]}` document (or a record is too large). */
export class LogFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogFormatError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const RECORDS_KEY = 'Records';

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the scanner is at depth 1 (directly inside the top-level object). */
const enum Top {
  Key,
  Colon,
  Value,
  AfterValue,
}

/**
 * Splits a `{"Records":[…]}` byte stream into records. Feed chunks with `push`, then call `end`; every
 * element of `Records` that is an object is passed to `onRecord` as soon as its last byte has arrived.
 * Other top-level keys are skipped; elements of `Records` that are not objects are ignored.
 */
export class RecordsSplitter {
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private escaped = false;
  private started = false;
  private finished = false;
  private top = Top.Key;
  /** Bytes of the top-level key being read (keys are short). */
  private keyParts: Buffer[] | undefined;
  private valueIsRecords = false;
  /** Depth of the Records array's elements (2) while inside it, else 0. */
  private recordsDepth = 0;
  /** Parts of the record being captured (it started in an earlier chunk). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private capturing = false;
  private records = 0;
  private bytes = 0;

  constructor(
    private readonly onRecord: (record: CloudTrailRecord) => void,
    private readonly maxRecordBytes = 32 * 1024 * 1024,
  ) {}

  /** Records emitted so far. */
  get count(): number {
    return this.records;
  }

  /** Uncompressed bytes scanned so far. */
  get scanned(): number {
    return this.bytes;
  }

  // Positions within the chunk being pushed: where the record or key being captured starts (-1: none), and the
  // next quote and backslash found by indexOf (reused until passed, so a run of short strings costs one search).
  private recordStart = -1;
  private keyStart = -1;
  private nextQuote = -1;
  private nextBackslash = -1;

  push(buf: Buffer): void {
    const n = buf.length;
    this.bytes += n;
    this.recordStart = this.capturing ? 0 : -1;
    this.keyStart = this.keyParts ? 0 : -1;
    this.nextQuote = -1;
    this.nextBackslash = -1;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(buf, i, n);
        continue;
      }
      const c = buf[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (this.finished) throw new LogFormatError('unexpected data after the end of the document');
      if (!this.started) {
        if (c !== OPEN_OBJECT) throw new LogFormatError('not a CloudTrail log file: the document is not a JSON object');
        this.started = true;
      }
      if (this.depth === 1 && this.topLevel(c, i)) {
        i++;
        continue;
      }
      this.structural(buf, c, i);
      i++;
    }
    if (this.capturing && this.recordStart >= 0) {
      const part = buf.subarray(this.recordStart, n);
      this.partBytes += part.length;
      if (this.partBytes > this.maxRecordBytes) throw new LogFormatError(`a record is larger than ${this.maxRecordBytes} bytes`);
      this.parts.push(part);
    }
    if (this.keyParts && this.keyStart >= 0) this.keyParts.push(buf.subarray(this.keyStart, n));
  }

  /** Inside a string from `i`: returns where scanning goes on (after the closing quote, or the chunk's end). */
  private skipString(buf: Buffer, i: number, n: number): number {
    if (this.escaped) {
      this.escaped = false;
      return i + 1;
    }
    if (this.nextQuote < i) {
      this.nextQuote = buf.indexOf(QUOTE, i);
      if (this.nextQuote < 0) this.nextQuote = n;
    }
    if (this.nextBackslash < i) {
      this.nextBackslash = buf.indexOf(BACKSLASH, i);
      if (this.nextBackslash < 0) this.nextBackslash = n;
    }
    if (this.nextBackslash < this.nextQuote) {
      // An escape: skip the backslash and the byte after it (which may be in the next chunk).
      if (this.nextBackslash + 1 >= n) {
        this.escaped = true;
        return n;
      }
      return this.nextBackslash + 2;
    }
    if (this.nextQuote >= n) return n;
    // The closing quote.
    this.inString = false;
    if (this.keyParts) {
      this.keyParts.push(buf.subarray(this.keyStart, this.nextQuote));
      const key = Buffer.concat(this.keyParts).toString('utf8');
      this.keyParts = undefined;
      this.keyStart = -1;
      this.valueIsRecords = key === RECORDS_KEY;
      this.top = Top.Colon;
    }
    return this.nextQuote + 1;
  }

  /**
   * Directly inside the top-level object: keys, colons, values, commas. True when the byte at `i` is consumed
   * here; false when it is also a value's first byte (or the closing brace) for `structural`.
   */
  private topLevel(c: number, i: number): boolean {
    switch (this.top) {
      case Top.Key:
        if (c === QUOTE) {
          this.inString = true;
          this.keyParts = [];
          this.keyStart = i + 1;
          return true;
        }
        if (c === CLOSE_OBJECT) return false; // `{}` or a trailing `}`
        throw new LogFormatError('malformed JSON: expected a key in the top-level object');
      case Top.Colon:
        if (c !== COLON) throw new LogFormatError('malformed JSON: expected ":" after a key');
        this.top = Top.Value;
        return true;
      case Top.Value:
        this.top = Top.AfterValue;
        if (c === OPEN_ARRAY && this.valueIsRecords) this.recordsDepth = 2;
        return false;
      case Top.AfterValue:
        if (c === COMMA) {
          this.top = Top.Key;
          return true;
        }
        return false;
    }
  }

  /** Strings, brackets and the start and end of a record. */
  private structural(buf: Buffer, c: number, i: number): void {
    switch (c) {
      case QUOTE:
        this.inString = true;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (c === OPEN_OBJECT && this.recordsDepth !== 0 && this.depth === this.recordsDepth) {
          this.recordStart = i;
          this.capturing = true;
        }
        this.depth++;
        if (this.depth === 1) this.top = Top.Key;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (this.depth === 0) throw new LogFormatError('malformed JSON: unbalanced brackets');
        this.depth--;
        if (this.depth === 0) this.finished = true;
        if (this.capturing && this.depth === this.recordsDepth) {
          this.emit(buf, this.recordStart, i + 1);
          this.recordStart = -1;
        } else if (this.recordsDepth !== 0 && this.depth === this.recordsDepth - 1) {
          this.recordsDepth = 0; // the Records array closed
        }
        break;
      default:
        break; // numbers, literals, commas and colons below the top level
    }
  }

  /** Checks the document is complete. */
  end(): void {
    if (!this.started) throw new LogFormatError('empty log file');
    if (this.inString || this.depth !== 0 || !this.finished) throw new LogFormatError('truncated log file: the JSON document is incomplete');
  }

  private emit(buf: Buffer, start: number, end: number): void {
    let text: string;
    if (this.parts.length === 0) {
      if (end - start > this.maxRecordBytes) throw new LogFormatError(`a record is larger than ${this.maxRecordBytes} bytes`);
      text = buf.toString('utf8', start, end);
    } else {
      this.parts.push(buf.subarray(0, end));
      const size = this.partBytes + end;
      if (size > this.maxRecordBytes) throw new LogFormatError(`a record is larger than ${this.maxRecordBytes} bytes`);
      text = Buffer.concat(this.parts, size).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
    }
    this.capturing = false;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw new LogFormatError(`malformed record: ${(err as Error).message}`);
    }
    this.records++;
    this.onRecord(record as CloudTrailRecord);
  }
}

const GZIP_MAGIC_1 = 0x1f;
const GZIP_MAGIC_2 = 0x8b;

/**
 * Streams a log file body (gzipped, or plain JSON when it does not start with the gzip magic bytes) through
 * the splitter. Resolves with the number of records and uncompressed bytes once the whole file is read;
 * rejects with LogFormatError for a malformed file, or the stream's own error (network, zlib).
 */
export async function readLogStream(
  body: Readable | AsyncIterable<Uint8Array>,
  onRecord: (record: CloudTrailRecord) => void,
  opts: { signal?: AbortSignal; maxRecordBytes?: number } = {},
): Promise<{ records: number; bytes: number }> {
  const splitter = new RecordsSplitter(onRecord, opts.maxRecordBytes);
  const source = body instanceof Readable ? body : Readable.from(body);
  // Peek at the first bytes to choose between gzip and plain JSON.
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: Buffer | undefined;
  for (;;) {
    const step = await iterator.next();
    if (step.done) break;
    const chunk = Buffer.isBuffer(step.value) ? step.value : Buffer.from(step.value);
    if (chunk.length === 0) continue;
    first = chunk;
    break;
  }
  if (!first) throw new LogFormatError('empty log file');
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first!;
    for (;;) {
      const step = await iterator.next();
      if (step.done) return;
      yield Buffer.isBuffer(step.value) ? step.value : Buffer.from(step.value);
    }
  };
  const gzipped = first[0] === GZIP_MAGIC_1 && (first.length < 2 || first[1] === GZIP_MAGIC_2);
  const consume = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) splitter.push(chunk);
  };
  try {
    if (gzipped) {
      await pipeline(Readable.from(rest(), { objectMode: false }), createGunzip({ chunkSize: 64 * 1024 }), consume, { signal: opts.signal });
    } else {
      await pipeline(Readable.from(rest(), { objectMode: false }), consume, { signal: opts.signal });
    }
  } finally {
    // Stop the download when parsing failed half-way.
    if (!source.destroyed) source.destroy();
  }
  splitter.end();
  return { records: splitter.count, bytes: splitter.scanned };
}
