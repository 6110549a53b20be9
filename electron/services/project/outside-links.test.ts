import { linkSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInsideProject } from './inside-project';
import { loadProject } from './load-project';
import { MAX_TOTAL_READ_BYTES } from './project-files';

// A project is untrusted: a link out of it must never bring the target's text into the view.

const SECRET = 'STOWAGE-TEST-SECRET-c2VjcmV0OnBhc3N3b3Jk';

function tempDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

function secretFile(): string {
  const dir = tempDir('stowage-outside-');
  const file = join(dir, 'config.json');
  writeFileSync(file, `{"auths":{"r.example":{"auth":"${SECRET}"}}}\n`);
  return file;
}

function project(files: Record<string, string>): string {
  const dir = tempDir('stowage-links-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('a config file that leads outside the project', () => {
  for (const name of ['werf.yaml', 'werf.yml']) {
    it(`refuses ${name} linked to a file elsewhere, without its text`, async () => {
      const dir = project({});
      symlinkSync(secretFile(), join(dir, name));
      const view = await loadProject(dir);
      expect(view.problems).toHaveLength(1);
      expect(view.problems[0]).toMatchObject({ severity: 'error', code: 'config-outside-project', location: { file: name } });
      expect(view.problems[0]!.message).toContain(`${name}: it is a symbolic link to a file outside the project folder`);
      expect(view.rendered).toBeNull();
      expect(JSON.stringify(view)).not.toContain(SECRET);
    });
  }

  it('refuses werf.yaml linked to /proc/self/environ', async () => {
    const dir = project({});
    symlinkSync('/proc/self/environ', join(dir, 'werf.yaml'));
    process.env.STOWAGE_TEST_ENV_SECRET = SECRET;
    try {
      const view = await loadProject(dir);
      expect(view.problems[0]?.code).toBe('config-outside-project');
      expect(JSON.stringify(view)).not.toContain(SECRET);
    } finally {
      delete process.env.STOWAGE_TEST_ENV_SECRET;
    }
  });

  it('refuses a link through a linked folder, and accepts a link that stays inside', async () => {
    const outside = tempDir('stowage-outside-dir-');
    writeFileSync(join(outside, 'werf.yaml'), `project: ${SECRET}\nconfigVersion: 1\n`);
    const dir = project({ 'real/werf.yaml': 'project: inside\nconfigVersion: 1\n' });
    symlinkSync(outside, join(dir, 'elsewhere'));
    symlinkSync('elsewhere/werf.yaml', join(dir, 'werf.yaml'));
    expect((await loadProject(dir)).problems[0]?.code).toBe('config-outside-project');

    const ok = project({ 'real/werf.yaml': 'project: inside\nconfigVersion: 1\n' });
    symlinkSync('real/werf.yaml', join(ok, 'werf.yaml'));
    const view = await loadProject(ok);
    expect(view.project).toBe('inside');
    expect(view.problems).toEqual([]);
  });

  it('resolveInsideProject: the helper publish and giterminism use', () => {
    const dir = project({ 'Dockerfile': 'FROM scratch\n', 'sub/Dockerfile': 'FROM scratch\n' });
    symlinkSync(secretFile(), join(dir, 'Dockerfile.evil'));
    expect(resolveInsideProject(dir, 'sub/Dockerfile')).toEqual({ ok: true, realPath: join(dir, 'sub/Dockerfile') });
    expect(resolveInsideProject(dir, 'Dockerfile.evil')).toMatchObject({ ok: false, reason: 'outside', code: 'outside-project' });
    expect(resolveInsideProject(dir, '../x/Dockerfile')).toMatchObject({ ok: false, reason: 'outside' });
    expect(resolveInsideProject(dir, '/etc/passwd')).toMatchObject({ ok: false, reason: 'outside' });
    expect(resolveInsideProject(dir, 'missing')).toMatchObject({ ok: false, reason: 'missing', code: 'ENOENT' });
  });
});

describe('a .werf partial that leads outside the project', () => {
  it('is reported by name when it is left out, next to the "no template" error it causes', async () => {
    const outside = tempDir('stowage-outside-tmpl-');
    writeFileSync(join(outside, 'x.tmpl'), `{{ define "x" }}${SECRET}{{ end }}`);
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n---\nimage: a\nfrom: {{ include "x" . }}\n', '.werf/ok.tmpl': '{{ define "ok" }}fine{{ end }}' });
    symlinkSync(join(outside, 'x.tmpl'), join(dir, '.werf', 'x.tmpl'));
    const view = await loadProject(dir);
    const link = view.problems.find((p) => p.code === 'template-link-outside-project');
    expect(link).toMatchObject({ severity: 'warning', location: { file: '.werf/x.tmpl' } });
    expect(link!.message).toContain('.werf/x.tmpl is a symbolic link that leads outside the project folder');
    expect(view.problems.some((p) => p.severity === 'error' && /no template "x"/.test(p.message))).toBe(true);
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('is reported when the whole .werf folder is a link out of the project', async () => {
    const outside = tempDir('stowage-outside-werf-');
    writeFileSync(join(outside, 'x.tmpl'), `{{ define "x" }}${SECRET}{{ end }}`);
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n---\nimage: a\nfrom: {{ include "x" . }}\n' });
    symlinkSync(outside, join(dir, '.werf'));
    const view = await loadProject(dir);
    expect(view.problems.find((p) => p.code === 'template-link-outside-project')?.location?.file).toBe('.werf');
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });
});

describe('the total bytes templates may read', () => {
  it('stops .Files.Get in a loop with an error naming the line', async () => {
    const big = 'a'.repeat(4 * 1024 * 1024 - 16);
    const dir = project({ 'big.txt': big, 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ range $i := until 3000 }}{{ $x := $.Files.Get "big.txt" }}{{ end }}\n' });
    const started = Date.now();
    const view = await loadProject(dir);
    expect(Date.now() - started).toBeLessThan(5000);
    const error = view.problems.find((p) => p.severity === 'error');
    expect(error?.message).toContain(`past ${MAX_TOTAL_READ_BYTES / 1024 / 1024} MiB in total`);
    expect(error?.location).toMatchObject({ file: 'werf.yaml', line: 3 });
  });

  it('stops .Files.Glob over hard links to one large file', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ range $k, $v := .Files.Glob "links/*" }}{{ end }}\n' });
    mkdirSync(join(dir, 'links'));
    writeFileSync(join(dir, 'links', 'f0'), 'b'.repeat(4 * 1024 * 1024 - 16));
    for (let i = 1; i < 100; i++) linkSync(join(dir, 'links', 'f0'), join(dir, 'links', `f${i}`));
    const view = await loadProject(dir);
    expect(view.problems.find((p) => p.severity === 'error')?.message).toContain('MiB in total');
  });
});
