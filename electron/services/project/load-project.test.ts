import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import { describeFsError } from '../fs-errors';
import { loadProject } from './load-project';

function project(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-load-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const SEED = 'project: shop\nconfigVersion: 1\n---\nimage: backend\ndockerfile: Dockerfile\ntarget: backend\n---\nimage: frontend\ndockerfile: Dockerfile\ntarget: frontend\n';

describe('loadProject', () => {
  it('reads werf.yaml with every image and where it is', async () => {
    const view = await loadProject(project({ 'werf.yaml': SEED }));
    expect(view.project).toBe('shop');
    expect(view.configFile).toBe('werf.yaml');
    expect(view.problems).toEqual([]);
    expect(view.images.map((i) => ({ name: i.name, kind: i.kind, target: i.target, line: i.source.line }))).toEqual([
      { name: 'backend', kind: 'dockerfile', target: 'backend', line: 4 },
      { name: 'frontend', kind: 'dockerfile', target: 'frontend', line: 8 },
    ]);
    expect(view.images[0]!.fields.target).toMatchObject({ file: 'werf.yaml', line: 6 });
  });

  it('prefers werf.yml like werf and warns when both exist', async () => {
    const view = await loadProject(project({ 'werf.yml': SEED, 'werf.yaml': 'project: other\nconfigVersion: 1\n' }));
    expect(view.configFile).toBe('werf.yml');
    expect(view.project).toBe('shop');
    expect(view.problems.map((p) => p.code)).toContain('two-werf-configs');
  });

  it('throws a UserError with a hint for a folder that does not exist', async () => {
    const error = await loadProject('/nonexistent/stowage/project').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('not-found');
    expect((error as UserError).hint).toBeTruthy();
  });

  it('throws for a file given as the folder', async () => {
    const dir = project({ 'werf.yaml': SEED });
    const error = await loadProject(join(dir, 'werf.yaml')).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('not-a-directory');
  });

  it('explains a folder it may not read (EACCES) with the fix', () => {
    // Root reads everything, so the mapping is checked directly; CI runs as root.
    const error = describeFsError(Object.assign(new Error('denied'), { code: 'EACCES' }), '/srv/project', 'folder');
    expect(error.code).toBe('permission-denied');
    expect(error.message).toContain('/srv/project');
    expect(error.hint).toMatch(/permission/);
  });

  it('reports a folder without werf.yaml as a problem with the fix', async () => {
    const view = await loadProject(project({ 'README.md': 'hi' }));
    expect(view.problems).toHaveLength(1);
    expect(view.problems[0]).toMatchObject({ severity: 'error', code: 'no-werf-config' });
    expect(view.problems[0]!.hint).toMatch(/werf\.yaml/);
  });

  it('reports werf.yaml that is a folder', async () => {
    const dir = project({});
    mkdirSync(join(dir, 'werf.yaml'));
    const view = await loadProject(dir);
    expect(view.problems[0]).toMatchObject({ code: 'config-is-directory' });
  });

  it('refuses a 20 MB file without reading it', async () => {
    const dir = project({ 'werf.yaml': Buffer.alloc(20 * 1024 * 1024, 'a') });
    const started = performance.now();
    const view = await loadProject(dir);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(view.problems[0]).toMatchObject({ code: 'config-too-large' });
    expect(view.problems[0]!.message).toContain('20.0 MiB');
  });

  it('reports a binary file as one clear problem', async () => {
    const view = await loadProject(project({ 'werf.yaml': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0xfe]) }));
    expect(view.images).toEqual([]);
    expect(view.problems.filter((p) => p.severity === 'error')).toHaveLength(1);
  });

  it('survives a YAML alias bomb quickly', async () => {
    const bomb = ['project: bomb', 'configVersion: 1', '---', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('image: x', 'from: alpine');
    const started = performance.now();
    const view = await loadProject(project({ 'werf.yaml': bomb.join('\n') }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(view.problems.some((p) => p.severity === 'error')).toBe(true);
  });

  it('reports unparsable YAML with its line', async () => {
    const view = await loadProject(project({ 'werf.yaml': 'project: x\nconfigVersion: 1\n---\nimage: [unclosed\n' }));
    const error = view.problems.find((p) => p.severity === 'error');
    expect(error?.location?.line).toBeGreaterThanOrEqual(4);
  });

  it('renders templates and records the environment variables they read', async () => {
    const dir = project({
      'werf.yaml': 'project: tpl\nconfigVersion: 1\n{{ range $s := list "api" "web" }}\n---\nimage: {{ $s }}\nfrom: {{ env "BASE_IMAGE" | default "alpine" }}\n{{ end }}\n',
    });
    const view = await loadProject(dir, { environment: {} });
    expect(view.templated).toBe(true);
    expect(view.images.map((i) => [i.name, i.from])).toEqual([['api', 'alpine'], ['web', 'alpine']]);
    expect(view.envRead).toEqual(['BASE_IMAGE']);
    const changed = await loadProject(dir, { environment: {}, envOverrides: { BASE_IMAGE: 'debian:12' } });
    expect(changed.images.map((i) => i.from)).toEqual(['debian:12', 'debian:12']);
  });

  it('includes .werf partials and reads files only inside the project', async () => {
    const outside = project({ 'secret.txt': 'TOP SECRET' });
    const dir = project({
      'werf.yaml': 'project: tpl\nconfigVersion: 1\n{{ include "images/app.tmpl" . }}\n',
      '.werf/images/app.tmpl': '---\nimage: app\nfrom: {{ .Files.Get "base.txt" | trim }}\n',
      'base.txt': 'ubuntu:24.04\n',
    });
    const view = await loadProject(dir, { environment: {} });
    expect(view.images.map((i) => i.from)).toEqual(['ubuntu:24.04']);

    symlinkSync(join(outside, 'secret.txt'), join(dir, 'leak.txt'));
    writeFileSync(join(dir, 'werf.yaml'), 'project: tpl\nconfigVersion: 1\n---\nimage: app\nfrom: {{ .Files.Get "leak.txt" }}\n');
    const leaked = await loadProject(dir, { environment: {} });
    expect(JSON.stringify(leaked)).not.toContain('TOP SECRET');
    expect(leaked.problems[0]!.message).toMatch(/outside the project/);

    writeFileSync(join(dir, 'werf.yaml'), 'project: tpl\nconfigVersion: 1\n---\nimage: app\nfrom: {{ .Files.Get "../x" }}\n');
    const dotdot = await loadProject(dir, { environment: {} });
    expect(dotdot.problems[0]!.message).toMatch(/\.\./);

    // .Files.Glob leaves the link out and says so; the files inside are still read.
    writeFileSync(join(dir, 'werf.yaml'), 'project: tpl\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\nshell:\n  install:\n{{- range $path, $_ := .Files.Glob "*.txt" }}\n  - echo {{ $path }}\n{{- end }}\n');
    const globbed = await loadProject(dir, { environment: {} });
    expect(JSON.stringify(globbed)).not.toContain('TOP SECRET');
    expect(globbed.rendered?.text).toContain('echo base.txt');
    expect(globbed.rendered?.text).not.toContain('echo leak.txt');
    expect(globbed.problems).toContainEqual(expect.objectContaining({ severity: 'warning', message: expect.stringContaining('leak.txt is a symbolic link that leads outside the project folder') }));
  });

  it('points images and config problems of a templated project at the template lines', async () => {
    const dir = project({
      'werf.yaml': 'project: tpl\nconfigVersion: 1\n{{- range list "a" "b" }}\n---\nimage: {{ . }}\nfrom: alpine\n{{- end }}\n{{ include "jobs/migrate.tmpl" . }}\n',
      '.werf/jobs/migrate.tmpl': '---\nimage: migrate\nfrom: alpine\nbogus: 1\n',
    });
    const view = await loadProject(dir, { environment: {} });
    expect(view.images.map((i) => `${i.name} ${i.source.file}:${i.source.line}`)).toEqual(['a werf.yaml:5', 'b werf.yaml:5', 'migrate .werf/jobs/migrate.tmpl:2']);
    const bogus = view.problems.find((p) => p.code === 'unknown-fields')!;
    expect(bogus.location).toMatchObject({ file: '.werf/jobs/migrate.tmpl', line: 4 });
    expect(bogus.message).toContain('(rendered line 12)');
    expect(bogus.renderedLine).toBe(12);
    expect(view.rendered!.text.split('\n')[11]).toBe('bogus: 1');
  });

  it('points a template error at its file, line and column', async () => {
    const view = await loadProject(project({ 'werf.yaml': 'project: x\nconfigVersion: 1\n---\nimage: a\nfrom: {{ nosuchfunc "x" }}\n' }), { environment: {} });
    expect(view.problems[0]).toMatchObject({ severity: 'error', location: { file: 'werf.yaml', line: 5 } });
    expect(view.problems[0]!.message).toMatch(/nosuchfunc/);
  });
});

describe('what werf would read from the commit instead (giterminism)', () => {
  function committedProject(files: Record<string, string>): { dir: string; git: (...args: string[]) => void } {
    // The project sits in a subfolder of the repository, as in a monorepo.
    const root = mkdtempSync(join(tmpdir(), 'stowage-giterminism-'));
    const dir = join(root, 'services', 'shop');
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const git = (...args: string[]) => {
      execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'ignore' });
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    return { dir, git };
  }

  it('a committed project is quiet; changed, new and ignored inputs are named with the fix', async () => {
    const { dir } = committedProject({
      'werf.yaml': 'project: shop\nconfigVersion: 1\n{{ include "app.tmpl" . }}\n---\nimage: extra\nfrom: {{ .Files.Get "base.txt" | trim }}\nshell:\n  install:\n  - echo {{ .Files.Get "new.txt" | trim }} {{ .Files.Get "secret.env" | trim }}\n',
      '.werf/app.tmpl': '---\nimage: app\nfrom: alpine\n',
      'base.txt': 'alpine:3.20\n',
      'untouched.txt': 'x\n',
      '.gitignore': 'secret.env\n',
    });
    const clean = await loadProject(dir, { environment: {} });
    expect(clean.problems.filter((p) => p.code === 'giterminism-uncommitted')).toEqual([]);

    writeFileSync(join(dir, 'base.txt'), 'alpine:3.21\n');
    writeFileSync(join(dir, 'new.txt'), 'hello\n');
    writeFileSync(join(dir, 'secret.env'), 'S=1\n');
    writeFileSync(join(dir, 'untouched-but-unread.txt'), 'y\n');
    const view = await loadProject(dir, { environment: {} });
    const found = view.problems.filter((p) => p.code === 'giterminism-uncommitted');
    expect(found.map((p) => p.location?.file)).toEqual(['base.txt', 'new.txt', 'secret.env']);
    expect(found[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('base.txt has uncommitted changes'), hint: expect.stringContaining('--dev') });
    expect(found[1]!.message).toContain('new.txt is not committed');
    expect(found[2]!.message).toContain('secret.env is ignored by git');
    expect(view.images.map((i) => i.name)).toEqual(['app', 'extra']);
  });

  it('an edited werf.yaml and an edited Dockerfile are named too', async () => {
    const { dir } = committedProject({ 'werf.yaml': 'project: shop\nconfigVersion: 1\n---\nimage: app\ndockerfile: docker/Dockerfile\n', 'docker/Dockerfile': 'FROM alpine\n' });
    writeFileSync(join(dir, 'werf.yaml'), 'project: shop\nconfigVersion: 1\n---\nimage: app\ndockerfile: docker/Dockerfile\ntarget: x\n');
    writeFileSync(join(dir, 'docker/Dockerfile'), 'FROM debian\n');
    const view = await loadProject(dir, { environment: {} });
    expect(view.problems.filter((p) => p.code === 'giterminism-uncommitted').map((p) => p.location?.file)).toEqual(['docker/Dockerfile', 'werf.yaml']);
  });
});
