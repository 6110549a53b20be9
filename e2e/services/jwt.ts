import { X509Certificate, createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * How the signing key is named in the JWT header:
 * - `x5c`: the signer certificate chain (base64 DER, leaf first); distribution verifies it against
 *   `rootcertbundle` and uses the leaf's key.
 * - `kid`: libtrust key id of a public key whose certificate sits in `rootcertbundle`.
 */
export type JwtKeyHint = 'x5c' | 'kid';

export interface JwtSigner {
  hint: JwtKeyHint;
  kid: string;
  sign(claims: Record<string, unknown>): string;
}

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * libtrust's key id: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32 without
 * padding, in colon-separated groups of four (what distribution 2.x indexes `rootcertbundle` by).
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(der).digest().subarray(0, 30);
  const b32 = base32(digest);
  return b32.match(/.{1,4}/g)?.join(':') ?? b32;
}

function base32(data: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export async function loadSigner(certFile: string, keyFile: string, hint: JwtKeyHint): Promise<JwtSigner> {
  const certPem = await readFile(certFile, 'utf8');
  const key = createPrivateKey(await readFile(keyFile, 'utf8'));
  const cert = new X509Certificate(certPem);
  if (key.asymmetricKeyType !== 'ec') throw new Error('the token signer expects an EC P-256 key (ES256)');
  const kid = libtrustKeyId(cert.publicKey);
  const header = hint === 'x5c' ? { typ: 'JWT', alg: 'ES256', x5c: [cert.raw.toString('base64')] } : { typ: 'JWT', alg: 'ES256', kid };
  const encodedHeader = b64url(JSON.stringify(header));
  return {
    hint,
    kid,
    sign(claims) {
      const input = `${encodedHeader}.${b64url(JSON.stringify(claims))}`;
      // JOSE wants the raw r||s form, not DER.
      const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${b64url(sig)}`;
    },
  };
}

export function decodeJwtPart<T>(token: string, part: 0 | 1): T {
  const seg = token.split('.')[part];
  if (seg === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(seg, 'base64url').toString('utf8')) as T;
}
