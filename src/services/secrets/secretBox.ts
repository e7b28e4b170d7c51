import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { unavailable } from '../../errors.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/**
 * Where the key that encrypts secrets at rest comes from: SKYPORT_SECRET_KEY (32 bytes as base64 or 64 hex
 * digits), or a key file that the embedded default creates in its data directory (mode 0600). With neither
 * (an external database and no key configured) secrets cannot be stored: one key file per replica would
 * make every replica unable to read the others' secrets.
 */
export type SecretKeySource = { key: string } | { keyFile: string } | { none: string };

/** Parses SKYPORT_SECRET_KEY; throws with the reason (config validation calls it at start-up). */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`must be ${KEY_BYTES} bytes, as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`)`);
  return key;
}

async function loadOrCreateKeyFile(path: string): Promise<Buffer> {
  try {
    return parseSecretKey(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  try {
    // 'wx': when two processes race on a fresh data directory, the second one reads the first one's key.
    await writeFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await chmod(path, 0o600);
  return parseSecretKey(await readFile(path, 'utf8'));
}

/**
 * AES-256-GCM for secrets at rest. Each ciphertext is bound to what it belongs to (`context`, e.g. the
 * connection id), so a ciphertext copied onto another row does not decrypt. The stored text is
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url), the key id being a hash prefix of the key, so a
 * server started with another key says so instead of failing obscurely.
 */
export function createSecretBox(source: SecretKeySource) {
  let loading: Promise<Buffer> | undefined;
  const key = (): Promise<Buffer> => {
    if ('none' in source) return Promise.reject(unavailable(source.none, 3600));
    loading ??= ('key' in source ? Promise.resolve(parseSecretKey(source.key)) : loadOrCreateKeyFile(source.keyFile)).catch((err) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  const keyId = (k: Buffer) => createHash('sha256').update(k).digest('base64url').slice(0, 8);

  return {
    async encrypt(plaintext: string, context: string): Promise<string> {
      const k = await key();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [FORMAT, keyId(k), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
    },

    async decrypt(stored: string, context: string): Promise<string> {
      const k = await key();
      const [format, id, iv, tag, data] = stored.split(':');
      if (format !== FORMAT || data === undefined) throw new Error('stored secret is not in a format this server knows');
      if (id !== keyId(k)) throw new Error('stored secret was encrypted with another key than this server\'s SKYPORT_SECRET_KEY (or key file)');
      const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;
