import { gunzipSync } from 'node:zlib';
import { SimError } from './errors.ts';

/**
 * Decodes an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`),
 * as the SDK sends streaming S3 uploads. Chunk signatures, if any, are not verified.
 */
export function decodeAwsChunked(raw: Buffer): { payload: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw malformed();
    const header = raw.subarray(pos, eol).toString('latin1');
    const size = parseInt(header.split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw malformed();
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size + 2 > raw.length) throw malformed();
    chunks.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  // Trailer lines until an empty line (or the end of the body).
  while (pos < raw.length) {
    const eol = raw.indexOf('\r\n', pos);
    const line = raw.subarray(pos, eol < 0 ? raw.length : eol).toString('latin1');
    pos = eol < 0 ? raw.length : eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

function malformed(): SimError {
  return new SimError(400, 'IncompleteBody', 'The request body is not valid aws-chunked encoding.');
}

/** Content-Encoding tokens, lower case, in order. */
export function encodings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** Request compression (CloudWatch PutMetricData sends gzip bodies above 10 KiB). */
export function gunzipBody(raw: Buffer): Buffer {
  try {
    return gunzipSync(raw);
  } catch {
    throw new SimError(400, 'MalformedInput', 'The gzip request body could not be decompressed.');
  }
}
