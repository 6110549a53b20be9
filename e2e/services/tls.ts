import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { run } from './util';

const OPENSSL = '/usr/bin/openssl';

export interface IssuedCert {
  certFile: string;
  keyFile: string;
  /** PEM text of the certificate (convenient for x5c and for fetch `ca`). */
  certPem: string;
}

export interface TestCa {
  /** Path of the CA certificate (PEM). */
  caCert: string;
  /** Path of the CA private key (PEM). */
  caKey: string;
  /** PEM text of the CA certificate, for clients that take the CA as a string. */
  caPem: string;
  issue(hostnames: string[], ips: string[]): Promise<IssuedCert>;
}

// Our own openssl config so the result does not depend on Debian's /etc/ssl/openssl.cnf defaults
// (which add extensions that would collide with -addext).
function caConfig(cn: string): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'x509_extensions = v3_ca',
    '[dn]',
    `CN = ${cn}`,
    '[v3_ca]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

function leafConfig(cn: string, sans: string[]): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    `CN = ${cn}`,
    '[v3_leaf]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    `subjectAltName = ${sans.join(', ')}`,
    '',
  ].join('\n');
}

const EC_KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates a CA in `dir` (which the caller owns and removes). */
export async function createTestCa(dir: string, cn = 'Stowage Test CA'): Promise<TestCa> {
  const caCert = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  const cfg = join(dir, 'ca.cnf');
  await writeFile(cfg, caConfig(cn));
  await run(OPENSSL, ['req', '-x509', ...EC_KEY_ARGS, '-keyout', caKey, '-out', caCert, '-days', '2', '-config', cfg]);
  const caPem = await readFile(caCert, 'utf8');
  let counter = 0;

  async function issue(hostnames: string[], ips: string[]): Promise<IssuedCert> {
    for (const ip of ips) if (isIP(ip) === 0) throw new Error(`not an IP address: ${ip}`);
    const sans = [...hostnames.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)];
    if (sans.length === 0) throw new Error('a certificate needs at least one hostname or IP');
    counter += 1;
    const base = join(dir, `leaf-${counter}`);
    const leafCfg = `${base}.cnf`;
    await writeFile(leafCfg, leafConfig(hostnames[0] ?? ips[0], sans));
    await run(OPENSSL, ['req', '-new', ...EC_KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-config', leafCfg]);
    await run(OPENSSL, [
      'x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey,
      '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', '2',
      '-extfile', leafCfg, '-extensions', 'v3_leaf', '-out', `${base}.crt`,
    ]);
    return { certFile: `${base}.crt`, keyFile: `${base}.key`, certPem: await readFile(`${base}.crt`, 'utf8') };
  }

  return { caCert, caKey, caPem, issue };
}

/**
 * A self-signed EC P-256 certificate used to sign registry JWTs: distribution's `rootcertbundle`
 * holds it, so both an `x5c` header carrying it and a libtrust `kid` derived from its key verify.
 */
export async function createSigningCert(dir: string, cn = 'Stowage Test Token Signer'): Promise<IssuedCert> {
  const certFile = join(dir, 'signer.crt');
  const keyFile = join(dir, 'signer.key');
  const cfg = join(dir, 'signer.cnf');
  await writeFile(cfg, caConfig(cn));
  await run(OPENSSL, ['req', '-x509', ...EC_KEY_ARGS, '-keyout', keyFile, '-out', certFile, '-days', '2', '-config', cfg]);
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8') };
}
