import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleWorkloads, startFakeKubeApi, unreachableKubeUrl, writeKubeconfig, type FakeKubeHandle, type KubeWorkload } from '../../../e2e/services/fake-kube-api';
import { createTestCa } from '../../../e2e/services/tls';
import { makeTempDir, removeDir } from '../../../e2e/services/util';
import { nodeCanLoadClientNode } from './kube-client';
import { kubeconfigPaths, scanKubeUsage, type KubeScanDeps } from './kube-usage';

/** The cluster source against a real HTTP Kubernetes API (e2e/services/fake-kube-api), through @kubernetes/client-node. */

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

  it('names an unknown context and a missing kubeconfig with the fix', async () => {
    await expect(scanKubeUsage({ kubeconfig: [kubeconfig], context: 'nope' }, deps())).rejects.toMatchObject({ code: 'kube-unknown-context', hint: expect.stringContaining('prod, staging, lab') });
    await expect(scanKubeUsage({}, deps({ homeDir: dir }))).rejects.toMatchObject({ code: 'kube-no-config', hint: expect.stringContaining('--without-kube') });
    const bad = join(dir, 'broken');
    await writeFile(bad, 'clusters: [');
    await expect(scanKubeUsage({ kubeconfig: [bad] }, deps())).rejects.toMatchObject({ code: 'kube-bad-config' });
  });

  it('reports a context whose user needs an exec plugin the built-in client cannot run', async () => {
    const d = await makeTempDir('kube4');
    const cfg = join(d, 'config');
    await writeFile(
      cfg,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: '${prod.url}'}\nusers:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}\ncontexts:\n- name: eks\n  context: {cluster: c, user: u}\n`,
    );
    const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps({ client: 'built-in' }));
    expect(scan.unreachable).toEqual([{ context: 'eks', reason: expect.stringContaining('exec credential plugin') }]);
    await removeDir(d);
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
      ]);
      const scan = await scanKubeUsage({ kubeconfig: [cfg] }, deps({ client: 'built-in' }));
      expect(scan.contexts).toEqual(['trusted']);
      expect(scan.uses.length).toBeGreaterThan(0);
      expect(scan.unreachable).toEqual([{ context: 'untrusted', reason: expect.stringMatching(/certificate|verify/i) }]);
    } finally {
      await secure.stop();
      await removeDir(d);
      await removeDir(otherDir);
    }
  });

  it('loads @kubernetes/client-node only on a Node that can run it', () => {
    expect(nodeCanLoadClientNode('20.20.2')).toBe(false);
    expect(nodeCanLoadClientNode('22.18.0')).toBe(false);
    expect(nodeCanLoadClientNode('22.19.0')).toBe(true);
    expect(nodeCanLoadClientNode('24.1.0')).toBe(true);
  });

  it('finds kubeconfig files the way kubectl does', () => {
    expect(kubeconfigPaths({}, { KUBECONFIG: `/a${':'}/b` }, '/home/u')).toEqual(['/a', '/b']);
    expect(kubeconfigPaths({}, {}, '/home/u')).toEqual(['/home/u/.kube/config']);
    expect(kubeconfigPaths({ kubeconfig: ['/x'] }, { KUBECONFIG: '/a' }, '/home/u')).toEqual(['/x']);
  });
});
