import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGitHubEmulator, type GitHubEmulator } from '../../../../e2e/emulators/github';
import { basicCredential } from '../../registry/testing/credentials';
import { githubDriver } from './listing';
import { collect, eventTypesCancellingAtFirst, lastEvent, testRun } from '../../inventory/drivers/testing';

describe('github driver against the GitHub emulator', () => {
  let gh: GitHubEmulator;
  const start = Date.UTC(2024, 0, 1);
  beforeAll(async () => {
    gh = await startGitHubEmulator();
    for (let i = 0; i < 250; i++) gh.state.registry.addImage('acme/app', { tags: [`t${String(i).padStart(3, '0')}`], pushedAt: new Date(start + i * 1000) });
    gh.state.registry.addImage('acme/app', { tags: [], pushedAt: new Date(start - 1000) });
    gh.state.registry.addImage('acme/app', { tags: ['a', 'b'], pushedAt: new Date(start - 2000) });
    gh.state.registry.addImage('octo/tool', { tags: ['v1'] });
    gh.state.registry.addImage('octo/other', { tags: ['v1'] });
    gh.state.registry.addImage('acme/nested/img', { tags: ['x'] });
  });
  afterAll(() => gh?.stop());

  const run = (token = 'ghp_octo_read') =>
    testRun({ registry: gh.host, implementation: 'github', credential: basicCredential(gh.host, 'octo', token), settings: { registry: gh.host, plainHttp: true, apiBaseUrl: gh.apiUrl } });

  test('252 tags from 252 versions over 3 pages (per_page 100, Link), one request per page', async () => {
    const r = await run();
    try {
      const { tags, pages, events } = await collect(githubDriver, r, 'acme/app');
      expect(lastEvent(events)?.type).toBe('tags');
      expect(pages).toBe(3);
      expect(tags).toHaveLength(252);
      expect(tags.filter((t) => t.tag === 'a' || t.tag === 'b').map((t) => t.digest)).toEqual([expect.stringMatching(/^sha256:/), expect.stringMatching(/^sha256:/)]);
      expect(tags.find((t) => t.tag === 't003')).toEqual({ tag: 't003', digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), pushed: new Date(start + 3000).toISOString() });
      const native = r.calls.filter((c) => c.via === 'native');
      expect(native).toHaveLength(3);
      expect(native.every((c) => c.authorized && c.url.startsWith(`${gh.apiUrl}/orgs/acme/packages/container/app/versions`))).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('user-owned packages: /orgs answers 404 once, then /users is remembered for that owner; nested names are encoded', async () => {
    const r = await run();
    try {
      expect((await collect(githubDriver, r, 'octo/tool')).tags.map((t) => t.tag)).toEqual(['v1']);
      expect((await collect(githubDriver, r, 'octo/other')).tags.map((t) => t.tag)).toEqual(['v1']);
      const urls = r.calls.map((c) => new URL(c.url).pathname);
      expect(urls).toEqual([
        '/api/v3/orgs/octo/packages/container/tool/versions',
        '/api/v3/users/octo/packages/container/tool/versions',
        '/api/v3/users/octo/packages/container/other/versions',
      ]);
      expect((await collect(githubDriver, r, 'acme/nested/img')).tags.map((t) => t.tag)).toEqual(['x']);
      expect(r.calls[r.calls.length - 1]?.url).toContain('/container/nested%2Fimg/versions');
    } finally {
      await r.close();
    }
  });

  test('secondary rate limit: 429 + retry-after is honoured; x-ratelimit-remaining running low becomes a warning', async () => {
    gh.state.listingCalls = 0;
    gh.state.rateLimit = { every: 2, retryAfterSeconds: 4 };
    const r = await run();
    try {
      const { tags } = await collect(githubDriver, r, 'acme/app');
      expect(tags).toHaveLength(252);
      // Calls 2 and 4 of 5 were refused, each waited out once.
      expect(r.sleeps).toEqual([4000, 4000]);
    } finally {
      gh.state.rateLimit = null;
      await r.close();
    }
    gh.state.rate.remaining = 50;
    const r2 = await run();
    try {
      await collect(githubDriver, r2, 'octo/tool');
      expect(r2.warnings.join('\n')).toMatch(/GitHub API budget is low: \d+ requests left until \d{4}-/);
    } finally {
      gh.state.rate.remaining = gh.state.rate.limit;
      await r2.close();
    }
  });

  test('primary rate limit used up: 403 with x-ratelimit-remaining 0 is a clear failure, not retried', async () => {
    gh.state.rate.remaining = 0;
    const r = await run();
    try {
      const last = lastEvent((await collect(githubDriver, r, 'acme/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 403 } });
      if (last?.type === 'failed') {
        expect(last.failure.message).toContain('API rate limit exceeded');
        expect(last.failure.hint).toMatch(/rate limit is used up until \d{4}-/);
      }
      expect(r.sleeps).toEqual([]);
    } finally {
      gh.state.rate.remaining = gh.state.rate.limit;
      await r.close();
    }
  });

  test('a token without read:packages: warning with the fix, then the Registry API', async () => {
    const r = await run('ghp_octo_repo');
    try {
      const { events } = await collect(githubDriver, r, 'acme/app');
      expect(r.warnings[0]).toContain('You need at least read:packages scope');
      expect(r.warnings[0]).toContain('classic personal access token');
      expect(r.calls.some((c) => c.via === 'registry')).toBe(true);
      expect(events.length).toBeGreaterThan(0);
    } finally {
      await r.close();
    }
  });

  test('bad credentials are a failure with a hint; an unknown package is missing', async () => {
    const r = await run('ghp_forged');
    try {
      const last = lastEvent((await collect(githubDriver, r, 'acme/app')).events);
      expect(last).toMatchObject({ type: 'failed', failure: { status: 401 } });
      if (last?.type === 'failed') expect(last.failure.hint).toContain('wrong, expired or revoked');
    } finally {
      await r.close();
    }
    const ok = await run();
    try {
      expect(lastEvent((await collect(githubDriver, ok, 'acme/nope')).events)?.type).toBe('missing');
    } finally {
      await ok.close();
    }
  });

  test('a host that is not GitHub\'s, with no API base set: the token never goes to api.github.com', async () => {
    const r = await testRun({ registry: gh.host, implementation: 'github', credential: basicCredential(gh.host, 'octo', 'ghp_octo_read') });
    try {
      const { tags } = await collect(githubDriver, r, 'octo/tool');
      expect(tags.map((t) => t.tag)).toEqual(['v1']);
      expect(r.calls.every((c) => c.via === 'registry' && new URL(c.url).host === gh.host)).toBe(true);
    } finally {
      await r.close();
    }
  });

  test('cancellation between pages', async () => {
    const r = await run();
    try {
      expect(await eventTypesCancellingAtFirst(githubDriver, r, 'acme/app')).toEqual(['tags', 'failed']);
    } finally {
      await r.close();
    }
  });
});
