import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seedImage, startDistribution, type DistributionHandle } from './distribution';
import { RegistryClient } from './registry-client';
import { createTestCa, type TestCa } from './tls';
import { makeTempDir, removeDir } from './util';

function causeCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code ?? String(err);
}

describe('TLS registry from a test CA', () => {
  let dir: string;
  let otherDir: string;
  let ca: TestCa;
  let otherCa: TestCa;
  let reg: DistributionHandle;
  beforeAll(async () => {
    dir = await makeTempDir('tls-test');
    ca = await createTestCa(dir);
    otherDir = await makeTempDir('tls-other');
    otherCa = await createTestCa(otherDir, 'Unrelated CA');
    const cert = await ca.issue(['localhost'], ['127.0.0.1']);
    reg = await startDistribution({ tls: cert, auth: { kind: 'htpasswd', users: [{ username: 'u', password: 'p' }] } });
  });
  afterAll(async () => {
    await reg?.stop();
    await removeDir(dir);
    await removeDir(otherDir);
  });

  test('the server certificate names 127.0.0.1 and chains to the CA', async () => {
    const leaf = new X509Certificate((await ca.issue([], ['127.0.0.1'])).certPem);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.checkIssued(new X509Certificate(ca.caPem))).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(new X509Certificate(readFileSync(ca.caCert)).ca).toBe(true);
  });

  test('reachable only when the CA is trusted', async () => {
    expect(reg.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const err = await fetch(`${reg.url}/v2/`).catch((e: unknown) => e);
    expect(causeCode(err)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);

    const wrong = await fetch(`${reg.url}/v2/`, { dispatcher: new Agent({ connect: { ca: otherCa.caPem } }) }).catch((e: unknown) => e);
    expect(causeCode(wrong)).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER/);

    const ok = await fetch(`${reg.url}/v2/`, { dispatcher: new Agent({ connect: { ca: ca.caPem } }) });
    expect(ok.status).toBe(401);
  });

  test('seeding and listing through the trusted CA', async () => {
    const auth = { username: 'u', password: 'p' };
    const digest = await seedImage(reg.url, 'secure/app', 'v1', { auth, ca: ca.caCert });
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const tags = await new RegistryClient(reg.url, { auth, ca: ca.caPem }).json<{ tags: string[] }>('GET', '/v2/secure/app/tags/list');
    expect(tags.body.tags).toEqual(['v1']);
  });

  test('rejects non-IP values for IP SANs', async () => {
    await expect(ca.issue([], ['localhost'])).rejects.toThrow(/not an IP/);
  });
});
