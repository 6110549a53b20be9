import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Test-only: a private CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  key: string;
  cert: string;
}

export function makeTestPki(names: { dns?: string[]; ips?: string[]; days?: number } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-pki-'));
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Stowage Test CA/O=Stowage tests']);
  const san = [...(names.dns ?? ['localhost']).map((d) => `DNS:${d}`), ...(names.ips ?? ['127.0.0.1']).map((i) => `IP:${i}`)].join(',');
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=registry.stowage.test']);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', String(names.days ?? 2), '-extfile', 'ext.cnf']);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
}
