import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleWorkloads, startFakeKubeApi, unreachableKubeUrl, writeKubeconfig, type FakeKubeHandle, type KubeWorkload } from '../../../e2e/services/fake-kube-api';
import { createTestCa } from '../../../e2e/services/tls';
import { makeTempDir, removeDir, run } from '../../../e2e/services/util';
import { MAX_PAGE_BYTES } from './kube-client';
import { kubeconfigPaths, scanKubeUsage, type KubeScanDeps } from './kube-usage';

/** The cluster source against a real HTTP Kubernetes API (e2e/services/fake-kube-api), through @kubernetes/client-node. */

// The slot where undici (Node's fetch) keeps the process-wide dispatcher.
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const dispatcherBefore: unknown = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER];

const REG = 'registry.example.com';
let dir: string;
let prod: FakeKubeHandle;
let staging: FakeKubeHandle;
let kubeconfig: string;

const deps = (over: Partial<KubeScanDeps> = {}): KubeScanDeps => ({ signal: new AbortController().signal, env: {}, homeDir: '/nonexistent', contextTimeoutMs: 5_000, ...over });

beforeAll(async () => {
  dir = await makeTempDir('kube');
  // 1,100 pods make the client page (500 per request) through `continue`.
  const many: KubeWorkload[] = Array.from({ length: 1_100 }, (_, i) => ({ kind: 'Pod', namespace: 'batch', name: `w-${i}`, containers: [{ name: 'w', image: `${REG}/shop/worker:b${i}` }] }));
  prod = await startFakeKubeApi({ workloads: [...sampleWorkloads(REG), ...many], token: 'prod-token' });
  staging = await startFakeKubeApi({ workloads: [{ kind: 'Deployment', namespace: 'staging', name: 'web', containers: [{ name: 'web', image: `index.docker.io/library/nginx:1.27` }] }], token: 'staging-token' });
  kubeconfig = await writeKubeconfig(dir, [
    { name: 'prod', server: prod.url, token: 'prod-token' },
    { name: 'staging', server: staging.url, token: 'staging-token', namespace: 'staging' },
    { name: 'lab', server: await unreachableKubeUrl(), token: 'x' },
  ]);
});

afterAll(async () => {
  await prod?.stop();
  await staging?.stop();
  if (dir) await removeDir(dir);
});

describe('scanKubeUsage', () => {
  it('reads every kind, containers and initContainers, in every context; the unreachable one is reported', async () => {
    const scan = await scanKubeUsage({ kubeconfig: [kubeconfig] }, deps());
    expect(scan.contexts.sort()).toEqual(['prod', 'staging']);
    expect(scan.unreachable).toHaveLength(1);
    expect(scan.unreachable[0]!.context).toBe('lab');
    expect(scan.unreachable[0]!.reason).toMatch(/ECONNREFUSED|refused/i);
    const images = new Set(scan.uses.map((u) => u.image));
    for (const w of sampleWorkloads(REG)) for (const c of [...w.containers, ...(w.initContainers ?? [])]) expect(images).toContain(c.image);
    expect(images).toContain(`${REG}/shop/worker:b1099`);
    expect(scan.objects).toBe(7 + 1_100 + 1);
    // Pagination really happened.
    expect(prod.requests.filter((r) => r.startsWith('/api/v1/pods')).length).toBe(3);
  });

  it('normalises references and records what a Pod runs by digest', async () => {
    const scan = await scanKubeUsage({ kubeconfig: [kubeconfig], context: 'prod' }, deps());
    const by = (image: string) => scan.uses.find((u) => u.image === image);
    expect(by('postgres:16')).toMatchObject({ registry: 'index.docker.io', repository: 'library/postgres', tag: '16', where: 'prod/data/StatefulSet/db' });
    expect(by('docker.io/acme/agent:2.1')).toMatchObject({ registry: 'index.docker.io', repository: 'acme/agent', tag: '2.1' });
    expect(by(`${REG}/shop/migrate:v3`)).toMatchObject({ registry: REG, repository: 'shop/migrate', tag: 'v3', where: 'prod/shop/Deployment/web' });
    expect(by(`${REG}/shop/report:nightly`)?.where).toBe('prod/shop/CronJob/report');
    expect(by(`${REG}/shop/tools@sha256:${'2'.repeat(64)}`)).toMatchObject({ repository: 'shop/tools', digest: `sha256:${'2'.repeat(64)}` });
    expect(by(`${REG}/shop/api@sha256:${'1'.repeat(64)}`)).toMatchObject({ repository: 'shop/api', digest: `sha256:${'1'.repeat(64)}`, where: 'prod/shop/Pod/api-7d9f' });
  });

  it('scans one chosen context, or only its namespace', async () => {
    const one = await scanKubeUsage({ kubeconfig: [kubeconfig], context: 'staging', namespaceOnly: true }, deps());
    expect(one.contexts).toEqual(['staging']);
    expect(one.unreachable).toEqual([]);
    expect(one.uses.map((u) => [u.registry, u.repository, u.tag])).toEqual([['index.docker.io', 'library/nginx', '1.27']]);
    expect(staging.requests.some((r) => r.startsWith('/apis/apps/v1/namespaces/staging/deployments'))).toBe(true);
  });

  it('reports a context whose credentials are refused, and one that lists only part of the kinds', async () => {
    const forbidden = await startFakeKubeApi({ workloads: sampleWorkloads(REG), forbidden: ['DaemonSet'] });
    try {
      const cfg = await writeKubeconfig(await makeTempDir('kube2'), [
        { name: 'wrong-token', server: prod.url, token: 'nope' },
        { name: 'no-daemonsets', server: forbidden.url },
      ]);
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
      expect(scan.contexts).toEqual([]);
      const reasons = Object.fromEntries(scan.unreachable.map((u) => [u.context, u.reason]));
      expect(reasons['wrong-token']).toMatch(/HTTP 401/);
      expect(reasons['no-daemonsets']).toMatch(/HTTP 403.*daemonsets is forbidden/);
    } finally {
      await forbidden.stop();
    }
  });

  it('gives up on a cluster that does not answer within the time budget', async () => {
    const slow = await startFakeKubeApi({ workloads: [], delayMs: 3_000 });
    try {
      const cfg = await writeKubeconfig(await makeTempDir('kube3'), [{ name: 'slow', server: slow.url }]);
      const started = Date.now();
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps({ contextTimeoutMs: 300 }));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(scan.unreachable).toEqual([{ context: 'slow', reason: expect.stringMatching(/no complete answer within/) }]);
    } finally {
      await slow.stop();
    }
  });

  it('refuses a list answer larger than the page cap before reading it', async () => {
    const huge = await startFakeKubeApi({ workloads: [], declaredLength: MAX_PAGE_BYTES + 1 });
    try {
      const cfg = await writeKubeconfig(await makeTempDir('kube-huge'), [{ name: 'huge', server: huge.url }]);
      const started = Date.now();
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(scan.unreachable).toEqual([{ context: 'huge', reason: expect.stringContaining(`${MAX_PAGE_BYTES + 1} bytes is larger than the 64 MiB allowed per page`) }]);
    } finally {
      await huge.stop();
    }
  });

  it('names an unknown context and a missing kubeconfig with the fix', async () => {
    await expect(scanKubeUsage({ kubeconfig: [kubeconfig], context: 'nope' }, deps())).rejects.toMatchObject({ code: 'kube-unknown-context', hint: expect.stringContaining('prod, staging, lab') });
    await expect(scanKubeUsage({}, deps({ homeDir: dir }))).rejects.toMatchObject({ code: 'kube-no-config', hint: expect.stringContaining('--without-kube') });
    const bad = join(dir, 'broken');
    await writeFile(bad, 'clusters: [');
    await expect(scanKubeUsage({ kubeconfig: [bad] }, deps())).rejects.toMatchObject({ code: 'kube-bad-config' });
  });

  it('explains that a plain-http cluster needs the kubeconfig to opt out of TLS', async () => {
    const d = await makeTempDir('kube-http');
    const cfg = await writeKubeconfig(d, [{ name: 'plain', server: prod.url, token: 'prod-token', insecureSkipTlsVerify: false }]);
    const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
    expect(scan.unreachable).toEqual([{ context: 'plain', reason: expect.stringContaining('insecure-skip-tls-verify: true') }]);
    await removeDir(d);
  });

  it('runs a kubeconfig exec credential plugin and sends the token it prints', async () => {
    const d = await makeTempDir('kube4');
    const plugin = join(d, 'credential.mjs');
    // What aws/gke-gcloud-auth-plugin/kubelogin print: an ExecCredential with a token and its expiry
    // (without one, client-node runs the plugin again for every request).
    await writeFile(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.argv[2], expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() } }));\n`,
    );
    const cfg = await writeKubeconfig(d, [
      { name: 'eks', server: prod.url, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin, 'prod-token'], interactiveMode: 'Never' } } },
      { name: 'eks-wrong', server: prod.url, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin, 'expired'], interactiveMode: 'Never' } } },
    ]);
    const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
    expect(scan.contexts).toEqual(['eks']);
    expect(scan.uses.some((u) => u.image === `${REG}/shop/worker:b0`)).toBe(true);
    expect(scan.unreachable).toEqual([{ context: 'eks-wrong', reason: expect.stringMatching(/HTTP 401/) }]);
    await removeDir(d);
  });

  it('bounds a context whose exec plugin never answers by the time budget', async () => {
    const d = await makeTempDir('kube5');
    const plugin = join(d, 'hang.mjs');
    await writeFile(plugin, 'setTimeout(() => {}, 2_000);\n');
    const cfg = await writeKubeconfig(d, [{ name: 'hangs', server: prod.url, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } } }]);
    const started = Date.now();
    const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps({ contextTimeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(scan.unreachable).toEqual([{ context: 'hangs', reason: expect.stringMatching(/no complete answer within 0.3 s/) }]);
    await removeDir(d);
  });

  it('authenticates with a token file (relative to the kubeconfig) and with basic auth', async () => {
    const d = await makeTempDir('kube6');
    const basic = await startFakeKubeApi({ workloads: sampleWorkloads(REG), authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` });
    try {
      await writeFile(join(d, 'token'), 'prod-token\n');
      const cfg = await writeKubeconfig(d, [
        { name: 'file', server: prod.url, user: { tokenFile: 'token' } },
        { name: 'basic', server: basic.url, user: { username: 'ops', password: 's3cret' } },
        { name: 'basic-wrong', server: basic.url, user: { username: 'ops', password: 'nope' } },
        { name: 'file-missing', server: prod.url, user: { tokenFile: 'gone' } },
      ]);
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
      expect(scan.contexts.sort()).toEqual(['basic', 'file']);
      const reasons = Object.fromEntries(scan.unreachable.map((u) => [u.context, u.reason]));
      expect(reasons).toEqual({ 'basic-wrong': expect.stringMatching(/HTTP 401/), 'file-missing': expect.stringMatching(/tokenFile .*gone cannot be read \(ENOENT\)/) });
    } finally {
      await basic.stop();
      await removeDir(d);
    }
  });

  it('verifies a cluster over TLS with the kubeconfig CA, and refuses another CA', async () => {
    const d = await makeTempDir('kube-tls');
    const ca = await createTestCa(d);
    const otherDir = await makeTempDir('kube-tls-other');
    const other = await createTestCa(otherDir, 'Other CA');
    const secure = await startFakeKubeApi({ workloads: sampleWorkloads(REG), token: 's', tls: await ca.issue(['localhost'], ['127.0.0.1']) });
    try {
      const cfg = await writeKubeconfig(d, [
        { name: 'trusted', server: secure.url, token: 's', caPem: ca.caPem },
        { name: 'untrusted', server: secure.url, token: 's', caPem: other.caPem },
        { name: 'skip-verify', server: secure.url, token: 's', insecureSkipTlsVerify: true },
      ]);
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
      expect(scan.contexts.sort()).toEqual(['skip-verify', 'trusted']);
      expect(scan.uses.length).toBeGreaterThan(0);
      expect(scan.unreachable).toEqual([{ context: 'untrusted', reason: expect.stringMatching(/certificate|verify/i) }]);
    } finally {
      await secure.stop();
      await removeDir(d);
      await removeDir(otherDir);
    }
  });

  it('authenticates with a client certificate from the kubeconfig, and is refused without one', async () => {
    const d = await makeTempDir('kube-x509');
    const ca = await createTestCa(d);
    // A client certificate (clientAuth) signed by the cluster's CA, as kubeadm issues for admin.conf.
    const ext = join(d, 'client.ext');
    await writeFile(ext, 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n');
    await run('/usr/bin/openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=ops/O=system:masters', '-keyout', join(d, 'client.key'), '-out', join(d, 'client.csr')]);
    await run('/usr/bin/openssl', ['x509', '-req', '-in', join(d, 'client.csr'), '-CA', ca.caCert, '-CAkey', ca.caKey, '-set_serial', '0x1001', '-days', '2', '-extfile', ext, '-out', join(d, 'client.crt')]);
    const secure = await startFakeKubeApi({ workloads: sampleWorkloads(REG), tls: await ca.issue(['localhost'], ['127.0.0.1']), clientCaFile: ca.caCert });
    try {
      const cfg = await writeKubeconfig(d, [
        // Relative paths, as kubeadm and kind write them next to the kubeconfig.
        { name: 'x509', server: secure.url, caPem: ca.caPem, user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' } },
        { name: 'no-cert', server: secure.url, caPem: ca.caPem, token: 'x' },
      ]);
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps());
      expect(scan.contexts).toEqual(['x509']);
      expect(scan.uses.length).toBeGreaterThan(0);
      expect(scan.unreachable).toEqual([{ context: 'no-cert', reason: expect.stringMatching(/certificate|socket|ECONNRESET|alert/i) }]);
    } finally {
      await secure.stop();
      await removeDir(d);
    }
  });

  it('leaves the process-wide fetch dispatcher as it was after client-node has run', () => {
    expect((globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER]).toBe(dispatcherBefore);
  });

  it('finds kubeconfig files the way kubectl does', () => {
    expect(kubeconfigPaths({}, { KUBECONFIG: `/a${':'}/b` }, '/home/u')).toEqual(['/a', '/b']);
    expect(kubeconfigPaths({}, {}, '/home/u')).toEqual(['/home/u/.kube/config']);
    expect(kubeconfigPaths({ kubeconfig: ['/x'] }, { KUBECONFIG: '/a' }, '/home/u')).toEqual(['/x']);
  });
});
