import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main';

const repoRoot = resolve(__dirname, '../..');
const seed = join(repoRoot, 'e2e/fixtures/projects/shop');

function tempProject(werf: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-cli-'));
  writeFileSync(join(dir, 'werf.yaml'), werf);
  return dir;
}

describe('stowage preview', () => {
  it('prints the documented JSON for the seed example in multirepo', async () => {
    const out = await runCli(['preview', seed, '--images-repo', 'flant', '--tag-custom', 'tag', '--json']);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body).toMatchObject({ imagesRepo: 'flant', implementation: 'dockerhub', implementationSource: 'detected', mode: 'multirepo', modeSource: 'auto' });
    expect(body.images.find((i: { name: string }) => i.name === 'frontend').tags).toEqual([{ strategy: 'custom', value: 'tag', tag: 'tag', reference: 'flant/frontend:tag' }]);
    expect(body.problems).toEqual([]);
  });

  it('composes monorepo tags and slugs git branch names', async () => {
    const out = await runCli(['preview', seed, '-i', 'flant/project', '--tag-custom', 'tag', '--tag-git-branch', 'feature/New_UI', '--json']);
    const body = JSON.parse(out.stdout);
    expect(body.mode).toBe('monorepo');
    const frontend = body.images.find((i: { name: string }) => i.name === 'frontend');
    expect(frontend.tags[0].reference).toBe('flant/project:frontend-tag');
    expect(frontend.tags[1].strategy).toBe('git-branch');
    expect(frontend.tags[1].value).toMatch(/^feature-new-ui-[0-9a-f]{7,8}$/);
    expect(frontend.tags[1].reference).toBe(`flant/project:frontend-${frontend.tags[1].value}`);
  });

  it('exits 1 with werf\'s error for a mode the registry cannot serve', async () => {
    const out = await runCli(['preview', seed, '-i', 'flant/project', '--images-repo-mode', 'multirepo', '--tag-custom', 'x', '--json']);
    expect(out.code).toBe(1);
    const body = JSON.parse(out.stdout);
    expect(body.modeSource).toBe('explicit');
    expect(body.problems.some((p: { severity: string; message: string }) => p.severity === 'error' && p.message.includes('exclude repository from address'))).toBe(true);
  });

  it('exits 1 for an invalid custom tag with werf\'s message', async () => {
    const out = await runCli(['preview', seed, '-i', 'flant', '--tag-custom=-bad', '--json']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("docker tag should comply with regex");
  });

  it('honours an implementation override', async () => {
    const out = await runCli(['preview', seed, '-i', 'registry.example.com/team', '--implementation', 'harbor', '--tag-custom', 'v1', '--json']);
    expect(JSON.parse(out.stdout)).toMatchObject({ implementation: 'harbor', implementationSource: 'override' });
  });

  it('exits 2 for bad usage and unreadable projects', async () => {
    expect((await runCli(['preview', seed, '--tag-custom', 'x'])).code).toBe(2);
    expect((await runCli(['preview', tempProject('project: x\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n'), '-i', 'flant'])).code).toBe(2);
    expect((await runCli(['preview', seed, '-i', 'flant', '--tag-custom', 'x', '--images-repo-mode', 'weird'])).stderr).toContain("bad --images-repo-mode 'weird'");
    expect((await runCli(['preview', seed, '-i', 'flant', '--tag-custom', 'x', '--implementation', 'nexus'])).code).toBe(2);
    const missing = await runCli(['preview', '/no/such/dir', '-i', 'flant', '--tag-custom', 'x', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe('not-found');
    expect((await runCli(['preview', seed, '-i', 'flant', '--tag-custom', 'x', '--no-such-flag'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });

  it('exits 2 when the project has no readable werf.yaml, with the reason as JSON', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'stowage-cli-none-'));
    const none = await runCli(['preview', empty, '-i', 'flant', '--tag-custom', 'x', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).error).toMatchObject({ code: 'no-werf-config', message: expect.stringContaining('There is no werf.yaml') });
    const folder = mkdtempSync(join(tmpdir(), 'stowage-cli-dir-'));
    mkdirSync(join(folder, 'werf.yaml'));
    const dir = await runCli(['images', folder]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('werf.yaml is a folder');
  });

  it('labels problems about the whole preview without naming an image', async () => {
    const out = await runCli(['preview', seed, '-i', 'flant/project', '--images-repo-mode', 'multirepo', '--tag-custom', 'tag', '--json']);
    expect(out.code).toBe(1);
    const body = JSON.parse(out.stdout) as { mode: string | null; problems: { image: string | null; scope: string; code: string }[] };
    expect(body.mode).toBeNull();
    expect(body.problems).toContainEqual(expect.objectContaining({ code: 'repo-mode-unsupported', image: null, scope: 'preview' }));
    const human = await runCli(['preview', seed, '-i', 'flant/project', '--images-repo-mode', 'multirepo', '--tag-custom', 'tag']);
    expect(human.stderr).toContain('error: docker registry implementation dockerhub');
    expect(human.stderr).not.toContain('[nameless]');
    // The nameless image itself is still named as such.
    const nameless = tempProject('project: x\nconfigVersion: 1\n---\nimage: ~\nfrom: alpine\n');
    const account = await runCli(['preview', nameless, '-i', 'flant', '--tag-custom', 'tag', '--json']);
    expect(JSON.parse(account.stdout).problems).toContainEqual(expect.objectContaining({ image: null, scope: 'image' }));
  });

  it('previews a templated project with --env values', async () => {
    const platform = join(repoRoot, 'e2e/fixtures/projects/platform');
    const base = JSON.parse((await runCli(['preview', platform, '-i', 'flant', '--tag-custom', 't', '--json'])).stdout) as { images: { name: string }[] };
    expect(base.images.map((i) => i.name)).toEqual(['api', 'web', 'migrations']);
    const out = await runCli(['preview', platform, '-i', 'flant', '--tag-custom', 't', '--env', 'SERVICES=billing,search', '--json']);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout) as { images: { name: string; tags: { reference: string }[] }[] };
    expect(body.images.map((i) => i.name)).toEqual(['billing', 'search', 'migrations']);
    expect(body.images[0]!.tags[0]!.reference).toBe('flant/billing:t');
  });

  it('without a tagging strategy, takes the branch (and a tag on HEAD) from the project\'s git', async () => {
    const dir = tempProject('project: x\nconfigVersion: 1\n---\nimage: app\nfrom: alpine\n');
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
    git('init', '-q', '-b', 'feature/ABC_1');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    git('tag', 'v1.2.0');
    const out = await runCli(['preview', dir, '-i', 'flant', '--json']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain("using the project's git branch feature/ABC_1 and tag v1.2.0");
    const tags = (JSON.parse(out.stdout) as { images: { tags: { strategy: string; reference: string }[] }[] }).images[0]!.tags;
    expect(tags.map((t) => t.strategy)).toEqual(['git-branch', 'git-tag']);
    expect(tags[0]!.reference).toMatch(/^flant\/app:feature-abc-1-[0-9a-f]{8}$/);
    expect(tags[1]!.reference).toBe('flant/app:v1.2.0');
  });

  it('exits 1 when werf.yaml itself has errors, and says where', async () => {
    const dir = tempProject('project: x\nconfigVersion: 1\n---\nimage: a\nimage: b\n');
    const out = await runCli(['preview', dir, '-i', 'flant', '--tag-custom', 'x']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/werf\.yaml:\d+:\d+/);
  });
});

describe('stowage detect', () => {
  it('prints implementation, registry, repository and ECR details', async () => {
    const out = await runCli(['detect', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      address: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app',
      implementation: 'ecr',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'app',
      ecr: { accountId: '123456789012', region: 'eu-west-1' },
    });
  });
  it('reports what is wrong with the address: exit 1 for errors, 2 for nothing at all', async () => {
    const tagged = await runCli(['detect', 'flant/app:latest', '--json']);
    expect(tagged.code).toBe(1);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ address: 'flant/app', problems: [expect.objectContaining({ severity: 'error', message: expect.stringContaining(':latest') })] });
    const scheme = await runCli(['detect', 'https://quay.io/acme/', '--json']);
    expect(scheme.code).toBe(0);
    expect(JSON.parse(scheme.stdout).problems).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect((await runCli(['detect', '  '])).code).toBe(2);
  });
  it('says where werf itself would detect differently', async () => {
    const out = await runCli(['detect', 'registry.gitlab.com/group/project']);
    expect(out.stdout).toContain('gitlab');
    expect(out.stdout).toContain("werf's own detection says \"default\"");
  });
});

describe('stowage images and render', () => {
  it('lists images as JSON with kinds and sources', async () => {
    const out = await runCli(['images', seed, '--json']);
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body.project).toBe('shop');
    expect(body.images.map((i: { name: string; kind: string }) => [i.name, i.kind])).toEqual([
      ['backend', 'dockerfile'],
      ['frontend', 'dockerfile'],
      ['worker', 'stapel'],
    ]);
    expect(body.images[0].source).toEqual({ file: 'werf.yaml', line: 5 });
  });

  it('renders templates with --env values', async () => {
    const dir = tempProject('project: x\nconfigVersion: 1\n---\nimage: app\nfrom: {{ env "BASE" | default "alpine" }}\n');
    const out = await runCli(['render', dir, '--env', 'BASE=debian:12']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('from: debian:12');
    expect((await runCli(['render', dir, '--env', 'oops'])).code).toBe(2);
  });

  it('prints template errors with file:line:column and exits 1', async () => {
    const dir = tempProject('project: x\nconfigVersion: 1\n---\nimage: app\nfrom: {{ .Values.x | nope }}\n');
    const out = await runCli(['render', dir]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/werf\.yaml:5:\d+/);
  });
});

describe('the package bin', () => {
  it('runs as `npx stowage` from the checkout', () => {
    if (!existsSync(join(repoRoot, 'out/cli.mjs'))) execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs'), '--cli', '--quiet']);
    const out = spawnSync(process.execPath, [join(repoRoot, 'bin/stowage.mjs'), 'detect', 'quay.io/acme', '--json'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ implementation: 'quay', registry: 'quay.io', repository: 'acme' });
    mkdirSync(join(tmpdir(), 'stowage-cli-empty'), { recursive: true });
    const bad = spawnSync(process.execPath, [join(repoRoot, 'bin/stowage.mjs'), 'images', join(tmpdir(), 'stowage-cli-empty')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('There is no werf.yaml');
  });
});
