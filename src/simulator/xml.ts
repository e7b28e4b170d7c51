/** Minimal XML writing helpers for the awsQuery, ec2Query and S3 REST-XML responses. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type XmlValue = string | number | boolean | Date | undefined | null;

/** `<name>value</name>`, or '' when the value is undefined/null. Dates are written as ISO-8601 with milliseconds. */
export function el(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>…already-rendered children…</name>`. */
export function wrap(name: string, children: string): string {
  return `<${name}>${children}</${name}>`;
}

/** An EC2-style list: `<name><item>…</item>…</name>`. */
export function itemSet<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return `<${name}>${items.map((i) => `<item>${render(i)}</item>`).join('')}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Reads the text of the first `<name>` element of a small, trusted XML document (S3 request bodies such
 * as CreateBucketConfiguration). Not a general parser.
 */
export function firstElementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (!match) return undefined;
  return match[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
