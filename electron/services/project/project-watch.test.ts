import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../shared/api/types';
import { stopIdleProjectWorker } from './isolated-load';
import { ProjectSession } from './project-session';
import { desiredWatches } from './project-watcher';

afterAll(() => stopIdleProjectWorker());

const made: string[] = [];
const sessions: ProjectSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-watch-')));
  made.push(dir);
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@stowage.test', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
}

function gitProject(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

/** A session whose live reloads land in `changes`. */
function watchedSession(extra: { homeDir?: string } = {}): { session: ProjectSession; changes: ProjectView[]; events: string[][] } {
  const changes: ProjectView[] = [];
  const events: string[][] = [];
  const session = new ProjectSession({ onChange: (view) => changes.push(view), onWatchEvent: (r) => events.push([...r].sort()), watchDebounceMs: 50, ...extra });
  sessions.push(session);
  return { session, changes, events };
}

async function until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 8000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const uncommitted = (view: ProjectView) => view.problems.filter((p) => p.code === 'giterminism-uncommitted').map((p) => p.location?.file);

describe('the open project follows git and the files its render read', () => {
  it('a commit made outside the app clears "uncommitted changes" and updates the commit, without a save', async () => {
    const dir = gitProject({ 'werf.yaml': 'project: shop\nconfigVersion: 1\n---\nimage: api\nfrom: alpine\n' });
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: api\nfrom: alpine:3.20\n');
    const { session, changes } = watchedSession();
    const opened = await session.open(dir);
    expect(uncommitted(opened)).toEqual(['werf.yaml']);
    const first = opened.git?.commit;

    git(dir, 'commit', '-q', '-am', 'pin alpine');
    const after = await until('a view after the commit', () => changes.find((v) => v.git?.commit !== first));
    expect(after.git?.commit).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(uncommitted(after)).toEqual([]);

    // A checkout of another branch moves HEAD only.
    git(dir, 'checkout', '-q', '-b', 'feature');
    const switched = await until('a view on the new branch', () => changes.find((v) => v.git?.branch === 'feature'));
    expect(switched.git?.commit).toBe(after.git?.commit);
  });

  it('a folder that becomes a git repository while open is followed from then on; Reload reads it at once', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n');
    const { session, changes } = watchedSession();
    expect((await session.open(dir)).git).toBeNull();
    git(dir, 'init', '-q', '-b', 'main');
    const inGit = await until('a view in git', () => changes.find((v) => v.git?.branch === 'main'));
    expect(inGit.git?.commit).toBeNull();
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'first');
    const committed = await until('a view with the commit', () => changes.find((v) => v.git?.commit));
    expect(committed.git?.commit).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(session.watchedDirectories).toContain(join(dir, '.git'));

    const reloaded = await session.reload();
    expect(reloaded.git?.commit).toBe(committed.git?.commit);
    expect(reloaded.loadedAt >= committed.loadedAt).toBe(true);
  });

  it('git activity that changes nothing (an index refresh) is noticed but sends no new view', async () => {
    const dir = gitProject({ 'werf.yaml': 'project: shop\nconfigVersion: 1\n' });
    const { session, changes, events } = watchedSession();
    await session.open(dir);
    await new Promise((r) => setTimeout(r, 300));
    const seen = events.length;
    const now = new Date();
    utimesSync(join(dir, '.git', 'index'), now, now);
    await until('the watch event', () => events.length > seen && events.at(-1)!.includes('git'));
    await new Promise((r) => setTimeout(r, 800));
    expect(changes).toEqual([]);
  });

  it('a file read through .Files.Get re-renders when it changes, and an edited Dockerfile is flagged', async () => {
    const dir = gitProject({
      'werf.yaml': 'project: shop\nconfigVersion: 1\n---\nimage: api\ndockerfile: docker/api.Dockerfile\nargs:\n  BASE: {{ .Files.Get "base.txt" | trim | quote }}\n',
      'base.txt': 'alpine:3.19\n',
      'docker/api.Dockerfile': 'FROM alpine\n',
    });
    const { session, changes } = watchedSession();
    const opened = await session.open(dir);
    expect(opened.images[0]?.args).toEqual({ BASE: 'alpine:3.19' });
    expect(opened.inputs).toEqual(['base.txt', 'docker/api.Dockerfile', 'werf.yaml']);
    expect(uncommitted(opened)).toEqual([]);

    writeFileSync(join(dir, 'base.txt'), 'alpine:3.20\n');
    const rerendered = await until('a re-render', () => changes.find((v) => v.images[0]?.args?.BASE === 'alpine:3.20'));
    expect(uncommitted(rerendered)).toEqual(['base.txt']);

    writeFileSync(join(dir, 'docker/api.Dockerfile'), 'FROM alpine\nRUN true\n');
    const flagged = await until('the Dockerfile flagged', () => changes.find((v) => uncommitted(v).includes('docker/api.Dockerfile')));
    expect(flagged.problems.find((p) => p.location?.file === 'docker/api.Dockerfile')?.message).toContain('Dockerfiles from the current commit');
  });

  it('a half-typed template keeps the last good images, marked stale, with the error first; fixing it clears the mark', async () => {
    const good = 'project: shop\nconfigVersion: 1\n---\nimage: api\nfrom: alpine\n---\nimage: web\nfrom: alpine\n';
    const dir = gitProject({ 'werf.yaml': good });
    const { session, changes } = watchedSession();
    const opened = await session.open(dir);
    expect(opened.stale).toBeUndefined();

    writeFileSync(join(dir, 'werf.yaml'), `${good}---\nimage: {{ .Env.NAME \n`);
    const broken = await until('the broken view', () => changes.find((v) => v.stale));
    expect(broken.stale).toEqual({ reason: 'template', goodLoadedAt: opened.loadedAt });
    expect(broken.images.map((i) => i.name)).toEqual(['api', 'web']);
    expect(broken.problems[0]?.severity).toBe('error');
    expect(broken.problems[0]?.code).toMatch(/^template-/);
    // The Rendered view shows the file the error is in, not the old rendered text.
    expect(broken.rendered).toBeNull();
    expect(broken.errorSource?.file).toBe('werf.yaml');
    // Errors come before the warning about uncommitted changes.
    expect(broken.problems.map((p) => p.severity)).toEqual([...broken.problems].map((p) => p.severity).sort());

    writeFileSync(join(dir, 'werf.yaml'), `${good}---\nimage: api: [\n`);
    const yaml = await until('a YAML error', () => changes.find((v) => v.stale?.reason === 'yaml'));
    expect(yaml.images.map((i) => i.name)).toEqual(['api', 'web']);
    expect(yaml.stale?.goodLoadedAt).toBe(opened.loadedAt);
    expect(yaml.rendered?.text).toContain('image: api: [');

    writeFileSync(join(dir, 'werf.yaml'), `${good}---\nimage: admin\nfrom: alpine\n`);
    const fixed = await until('the fixed view', () => changes.find((v) => v.images.length === 3));
    expect(fixed.stale).toBeUndefined();
  });

  it('a project broken from the start has no last good version: its images are empty and the error is said', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: [\n');
    const { session, changes } = watchedSession();
    const view = await session.open(dir);
    expect(view.stale).toBeUndefined();
    expect(view.images).toEqual([]);
    expect(view.problems[0]?.code).toBe('yaml-syntax');

    // Still broken after the next save: nothing good to stand in for it, so nothing is marked stale.
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: {{ .Env.X \n');
    const still = await until('the next broken view', () => changes.find((v) => v.problems[0]?.code.startsWith('template-')));
    expect(still.stale).toBeUndefined();
    expect(still.images).toEqual([]);
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: api\nfrom: alpine\n');
    const fixed = await until('the fixed view', () => changes.find((v) => v.images.length === 1));
    expect(fixed.stale).toBeUndefined();
  });

  it('watches a bounded set of folders in a huge tree, never one outside the project, and stops when closed', async () => {
    const dir = gitProject({ 'werf.yaml': 'project: big\nconfigVersion: 1\n---\nimage: api\nfrom: {{ .Files.Get "conf/base.txt" }}\n', 'conf/base.txt': 'alpine' });
    for (let i = 0; i < 300; i++) mkdirSync(join(dir, 'src', `m${i}`, 'deep', 'er'), { recursive: true });
    // Hundreds of branch folders and a sprawling .werf take only their share of the watch budget.
    for (let i = 0; i < 300; i++) mkdirSync(join(dir, '.git', 'refs', 'heads', `user${i}`), { recursive: true });
    for (let i = 0; i < 200; i++) mkdirSync(join(dir, '.werf', `d${i}`), { recursive: true });
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.txt'), 'x');
    execFileSync('ln', ['-s', outside, join(dir, 'linked')]);
    const { session } = watchedSession();
    await session.open(dir);
    const watched = session.watchedDirectories;
    expect(watched.length).toBeLessThanOrEqual(128);
    expect(watched.filter((d) => d.startsWith(join(dir, '.git', 'refs'))).length).toBeLessThanOrEqual(33);
    expect(watched.filter((d) => d.startsWith(join(dir, '.werf'))).length).toBeLessThanOrEqual(48);
    expect(watched).toContain(dir);
    expect(watched).toContain(join(dir, 'conf'));
    expect(watched).toContain(join(dir, '.git'));
    expect(watched.filter((d) => d.startsWith(join(dir, 'src')))).toEqual([]);
    expect(watched.filter((d) => d.startsWith(outside))).toEqual([]);
    // A file the render would read through a link out of the project is not watched there either.
    const planned = desiredWatches({ projectDir: dir, inputs: ['linked/secret.txt', 'linked/new/file.txt', 'conf/base.txt'], rootNames: [], trees: ['linked'], git: null }, 100);
    expect([...planned.keys()]).toEqual([join(dir, 'conf')]);
    session.close();
    expect(session.watchedDirectories).toEqual([]);
  });

  it('opening another project stops watching the first', async () => {
    const one = gitProject({ 'werf.yaml': 'project: one\nconfigVersion: 1\n' });
    const two = gitProject({ 'werf.yaml': 'project: two\nconfigVersion: 1\n' });
    const { session, changes } = watchedSession();
    await session.open(one);
    await session.open(two);
    expect(session.watchedDirectories.some((d) => d.startsWith(one))).toBe(false);
    writeFileSync(join(one, 'werf.yaml'), 'project: one-changed\nconfigVersion: 1\n');
    git(one, 'commit', '-q', '-am', 'x');
    await new Promise((r) => setTimeout(r, 600));
    expect(changes).toEqual([]);
  });

  it('a folder without werf.yaml is refused with the subfolders that have one', async () => {
    const dir = tempDir();
    for (const sub of ['services/api', 'services/web', 'node_modules/pkg', 'a/b/c/d']) {
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, sub, 'werf.yaml'), 'project: x\nconfigVersion: 1\n');
    }
    const { session } = watchedSession();
    const error = await session.open(dir).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'no-werf-config', details: { folder: dir, subfolders: 'services/api\nservices/web' } });
    expect(session.view).toBeNull();
  });

  it('a typed ~ or relative path is in the home folder, not the app\'s working directory', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'src', 'shop'), { recursive: true });
    writeFileSync(join(home, 'src', 'shop', 'werf.yaml'), 'project: shop\nconfigVersion: 1\n');
    const { session } = watchedSession({ homeDir: home });
    expect((await session.open('~/src/shop')).path).toBe(join(home, 'src', 'shop'));
    expect((await session.open('src/shop')).path).toBe(join(home, 'src', 'shop'));
    await expect(session.open('~/nope')).rejects.toMatchObject({ message: expect.stringContaining(join(home, 'nope')) });
  });
});
