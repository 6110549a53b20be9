// Issue #10: hostile project folders against the real CLI and the real browser host. Each case must
// end within 10 s with a clear error, the host must answer app.info within 1 s throughout, peak RSS
// stays under 1 GB, and nothing the project names runs or is read from outside it.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ensureBundles, errorText, runHostileProjectCase, summary, violations, type HostileCaseResult, type Sandbox } from './harness';

const HEADER = 'project: hostile\nconfigVersion: 1\n';
const SECRET = 'STOWAGE-ROBUST-SECRET-aHVudGVyMjpwYXNzd29yZA';

const sandboxes: Sandbox[] = [];
function sandbox(name: string): Sandbox {
  const s = createSandbox(name);
  sandboxes.push(s);
  return s;
}

// Building the bundles (when the sources are newer) is not part of any case's time.
beforeAll(() => ensureBundles(), 180_000);

afterAll(() => {
  // The closing note's numbers: the worst the suite saw over every case and both surfaces.
  console.log(summary());
  for (const s of sandboxes) s.dispose();
});

function write(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

function expectClean(result: HostileCaseResult, error: RegExp): void {
  for (const outcome of [result.cli, result.host]) {
    if (!outcome) continue;
    expect(violations(outcome), `${result.name} (${outcome.surface})`).toEqual([]);
    expect(errorText(outcome), `${result.name} (${outcome.surface}) ends with a clear error`).toMatch(error);
    if (outcome.surface === 'cli') expect(outcome.exitCode, `${result.name}: exit code`).toBe(1);
  }
}

/** A template case: the project holds werf.yaml (and any files); `stowage render` and project.open run it. */
async function templateCase(name: string, werf: string, error: RegExp, prepare?: (s: Sandbox) => void): Promise<HostileCaseResult> {
  const s = sandbox(name);
  write(s.project, { 'werf.yaml': werf });
  prepare?.(s);
  const result = await runHostileProjectCase({
    name,
    sandbox: s,
    cli: ['render', s.project],
    host: { method: 'project.open', args: { path: s.project } },
    forbidden: [s.outside],
  });
  expectClean(result, error);
  return result;
}

// Each case runs the CLI and then the browser host, each up to 10 s (20 s before it is killed).
const CASE = { timeout: 60_000 };

describe('hostile templates end with a limit error, and the host keeps answering', CASE, () => {
  it('fan-out recursion through include', async () => {
    await templateCase(
      'fan-out',
      `${HEADER}{{ define "a" }}{{ if lt (len .) 60 }}{{ include "a" (print . "x") }}{{ include "a" (print . "y") }}{{ end }}{{ end }}{{ include "a" "" }}\n`,
      /limit|stopped/i,
    );
  });

  it('ReDoS: regexMatch "^(a+)+$"', async () => {
    await templateCase('redos-match', `${HEADER}x: {{ regexMatch "^(a+)+$" "${'a'.repeat(51)}b" }}\n{{ fail "rendered" }}\n`, /limit|stopped|rendered/i);
  });

  it('ReDoS: regexFind "(x+x+)+y" over 5,000 x', async () => {
    await templateCase('redos-find', `${HEADER}x: {{ regexFind "(x+x+)+y" (repeat 5000 "x") }}\n{{ fail "rendered" }}\n`, /limit|stopped|rendered/i);
  });

  it('.Files.Get of a 4 MB file 3,000 times', async () => {
    await templateCase(
      'files-get-bomb',
      `${HEADER}{{ range $i := until 3000 }}{{ $x := $.Files.Get "big.bin" }}{{ end }}\n`,
      /maxReadBytes/,
      (s) => writeFileSync(join(s.project, 'big.bin'), Buffer.alloc(4 * 1024 * 1024 - 64, 97)),
    );
  });

  it('.Files.Glob over 1,500 hard links to a 4 MB file', async () => {
    await templateCase('files-glob-bomb', `${HEADER}{{ range $k, $v := .Files.Glob "links/*" }}{{ $k }}{{ end }}\n`, /maxReadBytes/, (s) => {
      mkdirSync(join(s.project, 'links'));
      writeFileSync(join(s.project, 'links', 'f0'), Buffer.alloc(4 * 1024 * 1024 - 64, 98));
      for (let i = 1; i < 1500; i++) linkSync(join(s.project, 'links', 'f0'), join(s.project, 'links', `f${i}`));
    });
  });
});

describe('a project cannot read outside itself', CASE, () => {
  it('werf.yaml linked to a docker config elsewhere', async () => {
    const s = sandbox('config-link');
    write(s.outside, { 'config.json': `{"auths":{"registry.example":{"auth":"${SECRET}"}}}\n` });
    symlinkSync(join(s.outside, 'config.json'), join(s.project, 'werf.yaml'));
    const result = await runHostileProjectCase({
      name: 'werf.yaml -> outside config.json',
      sandbox: s,
      cli: ['render', s.project],
      host: { method: 'project.open', args: { path: s.project } },
      secrets: [SECRET, 'registry.example'],
      forbidden: [s.outside],
    });
    for (const outcome of [result.cli!, result.host!]) {
      expect(violations(outcome), outcome.surface).toEqual([]);
      expect(errorText(outcome)).toMatch(/werf\.yaml: it is a symbolic link to a file outside the project folder/);
    }
    expect(result.cli!.exitCode).toBe(2);
  });

  it('werf.yaml linked to /proc/self/environ', async () => {
    const s = sandbox('environ-link');
    symlinkSync('/proc/self/environ', join(s.project, 'werf.yaml'));
    const result = await runHostileProjectCase({
      name: 'werf.yaml -> /proc/self/environ',
      sandbox: s,
      env: { CI_JOB_TOKEN: SECRET },
      cli: ['images', s.project, '--json'],
      host: { method: 'project.open', args: { path: s.project } },
      secrets: [SECRET],
    });
    for (const outcome of [result.cli!, result.host!]) {
      expect(violations(outcome), outcome.surface).toEqual([]);
      expect(errorText(outcome)).toMatch(/outside the project folder/);
    }
  });
});

describe('a project cannot run programs from its .git/config', CASE, () => {
  function hostileRepo(s: Sandbox): string[] {
    const env = { ...s.env, GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: s.project, env, stdio: 'pipe' });
    write(s.project, {
      'werf.yaml': `${HEADER}---\nimage: app\ndockerfile: Dockerfile\n`,
      Dockerfile: 'FROM scratch\n',
      '.gitattributes': '* filter=evil diff=evil\n',
    });
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'T');
    git('config', 'user.email', 't@example.invalid');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const markers = ['fsmonitor', 'clean', 'process', 'pager', 'textconv', 'external', 'ssh', 'askpass', 'credential'].map((m) => join(s.root, `pwned-${m}`));
    const [fsmonitor, clean, processFilter, pager, textconv, external, ssh, askpass, credential] = markers as [string, string, string, string, string, string, string, string, string];
    git('config', 'core.fsmonitor', `touch ${fsmonitor}; echo`);
    git('config', 'filter.evil.clean', `touch ${clean}; cat`);
    git('config', 'filter.evil.process', `touch ${processFilter}`);
    git('config', 'core.pager', `touch ${pager}; cat`);
    git('config', 'pager.status', `touch ${pager}; cat`);
    git('config', 'diff.evil.textconv', `touch ${textconv}; cat`);
    git('config', 'diff.external', `touch ${external}`);
    git('config', 'core.sshCommand', `touch ${ssh}`);
    git('config', 'core.askPass', `touch ${askpass}`);
    git('config', 'credential.helper', `!touch ${credential}`);
    // Same size, new mtime: status must hash it, which is when a clean filter would run.
    writeFileSync(join(s.project, 'werf.yaml'), `${HEADER}---\nimage: app\ndockerfile: Dockerfile\n`.replace('hostile', 'hostil3'));
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(s.project, 'werf.yaml'), later, later);
    return markers;
  }

  it('stowage images and the host\'s project.open', async () => {
    const s = sandbox('git-config');
    const markers = hostileRepo(s);
    const result = await runHostileProjectCase({
      name: '.git/config programs (images, project.open)',
      sandbox: s,
      cli: ['images', s.project, '--json'],
      host: { method: 'project.open', args: { path: s.project } },
      markers,
    });
    for (const outcome of [result.cli!, result.host!]) expect(violations(outcome), outcome.surface).toEqual([]);
    // The project still loads, git information included: neutralised, not broken.
    expect(JSON.parse(result.cli!.stdout).problems.map((p: { code: string }) => p.code)).toContain('giterminism-uncommitted');
    expect(result.host!.reply).toMatchObject({ ok: true, value: { project: 'hostil3', git: { branch: 'main' } } });
  });

  it('stowage preview (tags from the project\'s git)', async () => {
    const s = sandbox('git-config-preview');
    const markers = hostileRepo(s);
    const result = await runHostileProjectCase({ name: '.git/config programs (preview)', sandbox: s, cli: ['preview', s.project, '--images-repo', 'registry.example/app', '--json'], markers });
    expect(violations(result.cli!)).toEqual([]);
    expect(result.cli!.stderr).toContain('using the project\'s git branch main');
  });
});
