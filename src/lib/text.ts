/** Text rules shared by the API, the collectors and the database layer. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID in the lowercase form Skyport issues; anything else names nothing (and must not reach a uuid column). */
export const isUuid = (s: string): boolean => UUID.test(s);

// PostgreSQL text and jsonb cannot hold NUL, nor broken UTF-16 (a lone surrogate).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Can PostgreSQL store this text? */
export const isStorableText = (s: string): boolean => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

/** The text with every character PostgreSQL cannot store replaced by U+FFFD. */
export const toStorableText = (s: string): string => (SUSPECT.test(s) ? s.replace(UNSTORABLE, '\ufffd') : s);
