import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAcrEmulator, type AcrEmulator } from '../../../../e2e/emulators/acr';
import { startDockerHubEmulator, type HubEmulator } from '../../../../e2e/emulators/dockerhub';
import { startGcrEmulator, type GcrEmulator } from '../../../../e2e/emulators/gcr';
import { startGitHubEmulator, type GitHubEmulator } from '../../../../e2e/emulators/github';
import { startGitLabEmulator, type GitLabEmulator } from '../../../../e2e/emulators/gitlab';
import { startHarborEmulator, type HarborEmulator } from '../../../../e2e/emulators/harbor';
import { startQuayEmulator, type QuayEmulator } from '../../../../e2e/emulators/quay';
import { seedImage } from '../../../../e2e/services/distribution';
import type { RegistrySettings } from '../../../../shared/credentials/types';
import type { InventoryStats, InventoryTag } from '../../../../shared/inventory/types';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import { azureCredential, basicCredential, bearerTokenCredential, googleTokenCredential } from '../../registry/testing/credentials';
import { listInventory } from '../engine';
import { driverFor } from './index';

/**
 * Through the engine: the registered native driver lists 250 tags, and the whole run (token,
 * login, listing, and whatever the engine still had to ask the registry) stays near one request
 * per page, against 250+ for a request per tag.
 */
const N = 250;
const start = Date.UTC(2024, 0, 1);
let cacheDir: string;

async function inventory(o: { host: string; repository: string; implementation: Implementation; credential: ResolvedCredential | null; settings?: Partial<RegistrySettings> }): Promise<{ stats: InventoryStats; rows: Map<string, InventoryTag> }> {
  const rows = new Map<string, InventoryTag>();
  const stats = await listInventory(
    { imagesRepo: `${o.host}/${o.repository}`, implementation: o.implementation, mode: 'auto', images: [], withConfig: false },
    {
      credential: o.credential,
      settings: { registry: o.host, plainHttp: true, ...o.settings },
      cacheDir,
      signal: new AbortController().signal,
      onRows: (batch) => {
        for (const r of batch) if (!r.pending) rows.set(r.tag, r);
      },
      onProgress: () => undefined,
      flushMs: 10,
    },
  );
  return { stats, rows };
}

function addTags(state: { addImage: (repo: string, input: { tags: string[]; size: number; pushedAt: Date }) => unknown }, repo: string): void {
  for (let i = 0; i < N; i++) state.addImage(repo, { tags: [`t${String(i).padStart(3, '0')}`], size: 1000 + i, pushedAt: new Date(start + i * 1000) });
}

function expectComplete(rows: Map<string, InventoryTag>): void {
  expect(rows.size).toBe(N);
  const t1 = rows.get('t001');
  expect(t1).toMatchObject({ digest: expect.stringMatching(/^sha256:/), size: 1001, pushed: new Date(start + 1000).toISOString(), kind: 'image' });
  expect([...rows.values()].filter((r) => r.error !== undefined)).toEqual([]);
}

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'stowage-native-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('native drivers through listInventory', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
  });

  test('drivers are registered per implementation', () => {
    for (const impl of ['ecr', 'acr', 'dockerhub', 'github', 'gitlab', 'quay', 'harbor', 'gcr'] as const) expect(driverFor(impl).id).toBe(impl);
    expect(driverFor('default').id).toBe('generic');
  });

  test('ACR: 3 pages of _manifests and one token; no per-tag requests', async () => {
    const acr: AcrEmulator = await startAcrEmulator();
    stops.push(() => acr.stop());
    addTags(acr.state.registry, 'team/app');
    const { stats, rows } = await inventory({ host: acr.host, repository: 'team/app', implementation: 'acr', credential: azureCredential(acr.host, 'aad-acrpull') });
    expectComplete(rows);
    // ping, AAD exchange, token, 3 pages
    expect(stats.requests).toBeLessThanOrEqual(7);
    expect(acr.requests().filter((q) => q.path.includes('/manifests/'))).toEqual([]);
  });

  test('Docker Hub: login, 3 pages, one free HEAD for the pull budget; never a manifest GET', async () => {
    const hub: HubEmulator = await startDockerHubEmulator({ rateLimitHeadersOnHead: true });
    stops.push(() => hub.stop());
    addTags(hub.state.registry, 'alice/app');
    const { stats, rows } = await inventory({
      host: hub.registryHost,
      repository: 'alice/app',
      implementation: 'dockerhub',
      credential: basicCredential(hub.registryHost, 'alice', 'dckr_pat_alice_read'),
      settings: { apiBaseUrl: hub.url },
    });
    expectComplete(rows);
    expect(stats.requests).toBeLessThanOrEqual(8);
    expect(stats.rateLimit?.remaining).toBe(100);
    expect(hub.requests().filter((q) => q.method === 'GET' && q.path.includes('/manifests/'))).toEqual([]);
  });

  test('Harbor: 3 artifact pages, nothing else', async () => {
    const harbor: HarborEmulator = await startHarborEmulator();
    stops.push(() => harbor.stop());
    addTags(harbor.state.registry, 'team/sub/app');
    const { stats, rows } = await inventory({ host: harbor.host, repository: 'team/sub/app', implementation: 'harbor', credential: basicCredential(harbor.host, 'admin', 'Harbor12345') });
    expectComplete(rows);
    expect(stats.requests).toBeLessThanOrEqual(5);
  });

  test('GCR / Artifact Registry: one tags/list answer', async () => {
    const gcr: GcrEmulator = await startGcrEmulator();
    stops.push(() => gcr.stop());
    addTags(gcr.state.registry, 'proj/repo/app');
    const { stats, rows } = await inventory({ host: gcr.host, repository: 'proj/repo/app', implementation: 'gcr', credential: googleTokenCredential(gcr.host, 'ya29.reader') });
    expectComplete(rows);
    expect(stats.requests).toBeLessThanOrEqual(4);
  });

  test('GitLab: one repositories call and 3 GraphQL pages', async () => {
    const gl: GitLabEmulator = await startGitLabEmulator();
    stops.push(() => gl.stop());
    addTags(gl.state.registry, 'group/app');
    const { stats, rows } = await inventory({ host: gl.host, repository: 'group/app', implementation: 'gitlab', credential: bearerTokenCredential(gl.host, 'glpat-dev-readapi', 'dev') });
    expectComplete(rows);
    expect(stats.requests).toBeLessThanOrEqual(6);
  });

  test('GitHub and Quay: 3 API pages for 250 tags (digest and push time natively)', async () => {
    const gh: GitHubEmulator = await startGitHubEmulator();
    stops.push(() => gh.stop());
    addTags(gh.state.registry, 'acme/app');
    const g = await inventory({ host: gh.host, repository: 'acme/app', implementation: 'github', credential: basicCredential(gh.host, 'octo', 'ghp_octo_read'), settings: { apiBaseUrl: gh.apiUrl } });
    expect(g.rows.size).toBe(N);
    expect(g.rows.get('t001')).toMatchObject({ pushed: new Date(start + 1000).toISOString(), digest: expect.stringMatching(/^sha256:/) });
    expect(gh.requests().filter((q) => q.path.startsWith('/api/v3/')).length).toBe(3);

    const quay: QuayEmulator = await startQuayEmulator();
    stops.push(() => quay.stop());
    addTags(quay.state.registry, 'acme/app');
    const q = await inventory({ host: quay.host, repository: 'acme/app', implementation: 'quay', credential: bearerTokenCredential(quay.host, 'quay-oauth-ana-read') });
    expect(q.rows.size).toBe(N);
    expect(q.rows.get('t001')).toMatchObject({ pushed: new Date(start + 1000).toISOString(), digest: expect.stringMatching(/^sha256:/) });
    expect(quay.requests().filter((x) => x.path.startsWith('/api/v1/')).length).toBe(3);
  });

  test('GitHub with pushed images: the engine fills size and media type with one manifest GET per distinct digest, none per tag', async () => {
    const gh: GitHubEmulator = await startGitHubEmulator();
    stops.push(() => gh.stop());
    const auth = { username: 'octo', password: 'ghp_octo_write' };
    for (const [i, tags] of [['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2']].entries()) {
      for (const tag of tags) await seedImage(gh.url, 'acme/real', tag, { auth, labels: { i: String(i) } });
    }
    const g = await inventory({ host: gh.host, repository: 'acme/real', implementation: 'github', credential: basicCredential(gh.host, 'octo', 'ghp_octo_read'), settings: { apiBaseUrl: gh.apiUrl } });
    expect(g.rows.size).toBe(6);
    for (const r of g.rows.values()) {
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: expect.any(Number), pushed: expect.any(String) });
    }
    const gets = gh.requests().filter((q) => q.method === 'GET' && q.path.startsWith('/v2/acme/real/manifests/'));
    expect(gets).toHaveLength(3);
    expect(gets.every((q) => q.path.includes('/manifests/sha256:'))).toBe(true);
  });
});
