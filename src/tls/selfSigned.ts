import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString, boolean, explicit, implicitPrimitive, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String,
} from './der.ts';

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
const DAY_MS = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
}

export interface SelfSignedSet {
  /** The CA's certificate only: its key is dropped once it has signed the server certificate. */
  ca: { certPem: string };
  server: Issued;
}

const name = (commonName: string) =>
  sequence(set(sequence(oid(ORGANIZATION), utf8String('Skyport local'))), set(sequence(oid(COMMON_NAME), utf8String(commonName))));

const extension = (id: string, critical: boolean, value: Buffer) =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

/** keyUsage bits, most significant first: digitalSignature(0) … keyCertSign(5), cRLSign(6). */
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const b of bits) byte |= 0x80 >> b;
  // Trailing zero bits are "unused" and DER says to count them.
  let unused = 0;
  while (unused < 7 && !(byte & (1 << unused))) unused++;
  return Buffer.concat([Buffer.from([0x03, 0x02, unused, byte])]);
}

const keyId = (publicKey: KeyObject) => createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();

function subjectAltName(hosts: string[]): Buffer {
  const entries = hosts.map((host) => {
    if (isIP(host) === 4) return implicitPrimitive(7, Buffer.from(host.split('.').map(Number)));
    if (isIP(host) === 6) return implicitPrimitive(7, ipv6Bytes(host));
    return implicitPrimitive(2, Buffer.from(host, 'ascii'));
  });
  return sequence(...entries);
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = address.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function certificate(opts: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  notAfter: Date;
  now: Date;
  extensions: Buffer[];
}): string {
  // 16 random bytes with the top bit clear: a positive serial, unique in practice (RFC 5280 allows 20 bytes).
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name(opts.issuer),
    sequence(time(new Date(opts.now.getTime() - 60_000)), time(opts.notAfter)), // a minute back for clock skew
    name(opts.subject),
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(
      ...opts.extensions,
      extension('2.5.29.14', false, octetString(keyId(opts.publicKey))),
      extension('2.5.29.35', false, sequence(implicitPrimitive(0, keyId(opts.issuerPublicKey)))),
    )),
  );
  const signature = sign('sha256', tbs, opts.issuerKey); // DER ECDSA-Sig-Value, as X.509 wants it
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/**
 * A private CA and a server certificate it signs for `hosts` (DNS names or IP addresses), ECDSA P-256 with
 * SHA-256: what Go's crypto/x509 (Terraform), Node and browsers accept. For local and test use.
 */
export function createSelfSignedSet(hosts: string[], opts: { now?: Date; days?: number } = {}): SelfSignedSet {
  if (hosts.length === 0) throw new Error('at least one host name is needed');
  const now = opts.now ?? new Date();
  const days = opts.days ?? 825; // the longest validity Apple platforms accept for a server certificate
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caName = `Skyport local CA (${hosts[0]})`;
  const caCert = certificate({
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    issuerKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    now,
    notAfter: new Date(now.getTime() + 10 * 365 * DAY_MS),
    extensions: [
      extension('2.5.29.19', true, sequence(boolean(true), smallInteger(0))), // CA, no intermediates below
      extension('2.5.29.15', true, keyUsage([5, 6])), // keyCertSign, cRLSign
    ],
  });
  const serverCert = certificate({
    subject: hosts[0],
    issuer: caName,
    publicKey: server.publicKey,
    issuerKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    now,
    notAfter: new Date(now.getTime() + days * DAY_MS),
    extensions: [
      extension('2.5.29.19', true, sequence()), // not a CA
      extension('2.5.29.15', true, keyUsage([0])), // digitalSignature (ECDHE key exchange)
      extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
      extension('2.5.29.17', false, subjectAltName(hosts)),
    ],
  });
  const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { ca: { certPem: caCert }, server: { certPem: serverCert, keyPem: pem(server.privateKey) } };
}
