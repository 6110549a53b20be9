import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRemembered, ProjectMemory } from './project-memory';

const PREVIEW = { imagesRepo: '127.0.0.1:5000/shop', implementation: 'default', mode: 'monorepo', customTags: 'latest, v2', strategies: { custom: true, 'git-branch': false, 'git-tag': false, 'git-commit': true } } as const;

describe('ProjectMemory', () => {
  const dirs: string[] = [];
  const settings = () => {
    const d = mkdtempSync(join(tmpdir(), 'stowage-memory-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('remembers per project across instances, merging what each part saves', async () => {
    const dir = settings();
    const first = new ProjectMemory(dir);
    await first.remember('/src/shop', { preview: PREVIEW });
    await first.remember('/src/shop', { env: { DEPLOY_ENV: 'staging' }, werfVersion: '1.2' });
    await first.remember('/src/other', { env: { A: '1' } });
    const again = new ProjectMemory(dir);
    expect(await again.get('/src/shop/')).toEqual({ preview: PREVIEW, env: { DEPLOY_ENV: 'staging' }, werfVersion: '1.2' });
    expect(await again.get('/src/other')).toEqual({ env: { A: '1' } });
    expect(await again.get('/src/never')).toBeNull();
    // Forgetting a field: undefined removes it.
    await again.remember('/src/shop', { werfVersion: undefined });
    expect((await again.get('/src/shop'))?.werfVersion).toBeUndefined();
    const files = readdirSync(join(dir, 'projects'));
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^[0-9a-f]{32}\.json$/.test(f))).toBe(true);
    expect(statSync(join(dir, 'projects', files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('reads a damaged or foreign file as nothing remembered, and replaces it on the next save', async () => {
    const dir = settings();
    const memory = new ProjectMemory(dir);
    await memory.remember('/src/shop', { preview: PREVIEW });
    const file = memory.fileFor('/src/shop');
    writeFileSync(file, '{"version":1,"path":"/src/shop","state":{"preview":{"imagesRepo":');
    expect(await memory.get('/src/shop')).toBeNull();
    writeFileSync(file, JSON.stringify({ version: 1, path: '/src/shop', state: { preview: { ...PREVIEW, implementation: 'not-a-registry' } } }));
    expect(await memory.get('/src/shop')).toBeNull();
    writeFileSync(file, JSON.stringify({ version: 1, path: '/elsewhere', state: { env: { A: '1' } } }));
    expect(await memory.get('/src/shop')).toBeNull();
    await memory.remember('/src/shop', { env: { B: '2' } });
    expect(await memory.get('/src/shop')).toEqual({ env: { B: '2' } });
    expect(JSON.parse(readFileSync(file, 'utf8')).path).toBe('/src/shop');
  });

  it('never loses one of many concurrent updates, and leaves no temp files', async () => {
    const dir = settings();
    const memory = new ProjectMemory(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => memory.remember('/src/shop', i % 2 ? { env: { N: String(i) } } : { preview: { ...PREVIEW, customTags: `t${i}` } })));
    const state = await memory.get('/src/shop');
    expect(state?.env).toEqual({ N: '19' });
    expect(state?.preview?.customTags).toBe('t18');
    expect(readdirSync(join(dir, 'projects')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the app theme apart from projects', async () => {
    const dir = settings();
    const memory = new ProjectMemory(dir);
    expect(await memory.appSettings()).toEqual({});
    await memory.saveAppSettings({ theme: 'dark' });
    expect(await new ProjectMemory(dir).appSettings()).toEqual({ theme: 'dark' });
    writeFileSync(join(dir, 'app-settings.json'), 'garbage');
    expect(await memory.appSettings()).toEqual({});
  });
});

describe('openRemembered', () => {
  const fake = (resolved: (p: string) => string) => {
    const calls: string[] = [];
    return {
      calls,
      session: {
        async open(path: string, env: Record<string, string>, _signal?: AbortSignal, werfVersion?: string) {
          calls.push(`open ${path} ${JSON.stringify(env)}${werfVersion ? ` ${werfVersion}` : ''}`);
          return { path: resolved(path) };
        },
        async setEnv(env: Record<string, string>, _signal?: AbortSignal, werfVersion?: string) {
          calls.push(`setEnv ${JSON.stringify(env)} ${werfVersion ?? '-'}`);
          return { path: resolved('') };
        },
      },
    };
  };

  it('opens with the remembered env and werf version in one load, and loads again only where the path led to another memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stowage-memory-'));
    try {
      const memory = new ProjectMemory(dir);
      await memory.remember('/src/shop', { env: { A: '1' } });
      const plain = fake(() => '/src/shop');
      await openRemembered(plain.session, memory, '/src/shop', undefined);
      expect(plain.calls).toEqual(['open /src/shop {"A":"1"}']);
      await memory.remember('/src/shop', { werfVersion: '1.1' });
      const versioned = fake(() => '/src/shop');
      await openRemembered(versioned.session, memory, '/src/shop', undefined);
      expect(versioned.calls).toEqual(['open /src/shop {"A":"1"} 1.1']);
      // Overrides from the caller (the CLI, a test) win over memory.
      const given = fake(() => '/src/shop');
      await openRemembered(given.session, memory, '/src/shop', { B: '2' });
      expect(given.calls).toEqual(['open /src/shop {"B":"2"}']);
      // A path that resolves elsewhere (a link) uses the memory of where it leads.
      const linked = fake(() => '/src/shop');
      await openRemembered(linked.session, memory, '/home/me/shop-link', undefined);
      expect(linked.calls).toEqual(['open /home/me/shop-link {}', 'setEnv {"A":"1"} 1.1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
