import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startDistribution, type DistributionHandle } from '../../e2e/services/distribution';
import { seedImage } from '../../e2e/services/seed';
import { packCli, repoRoot, type PackedCli } from './testing/packed-cli';

/**
 * The README's "Stowage in CI" examples, run as written: each job's script lines in bash, with the
 * variables the CI service would set pointing at a local registry and the package from `npm pack`.
 */
interface GitlabJob {
  script: string[];
}
interface GithubStep {
  run?: string;
  env?: Record<string, string>;
}

const gitlab = parse(readFileSync(join(repoRoot, 'docs/ci/gitlab-ci.yml'), 'utf8')) as Record<string, GitlabJob>;
const github = parse(readFileSync(join(repoRoot, 'docs/ci/github-workflow.yml'), 'utf8')) as { jobs: Record<string, { steps: GithubStep[] }> };

const USER = { username: 'ci-bot', password: 'ci-secret' };
const OLD = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString();

describe('the CI examples in docs/ci, run locally', () => {
  let cli: PackedCli;
  let guarded: DistributionHandle;
  let open: DistributionHandle;

  /** The shop fixture as a git checkout with the committed policy file. */
  function checkout(): string {
    const dir = mkdtempSync(join(cli.work, 'checkout-'));
    cpSync(join(repoRoot, 'e2e/fixtures/projects/shop'), dir, { recursive: true });
    mkdirSync(join(dir, '.stowage'));
    cpSync(join(repoRoot, 'docs/ci/cleanup-policy.yaml'), join(dir, '.stowage/cleanup-policy.yaml'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@localhost', ...args], { cwd: dir });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'shop');
    return dir;
  }

  function bash(lines: string, cwd: string, env: Record<string, string>) {
    // npm's own prefix for `npm install --global`, offline: the job installs the packed CLI.
    return execFileSync('bash', ['-e', '-o', 'pipefail', '-c', lines], {
      cwd,
      encoding: 'utf8',
      env: { PATH: `${cli.prefix}/bin:${process.env.PATH}`, HOME: cli.work, STOWAGE_HOME: join(cwd, '.settings'), npm_config_prefix: cli.prefix, npm_config_offline: 'true', STOWAGE_PACKAGE: cli.tarball, ...env },
    });
  }

  async function seedStaleTags(registry: DistributionHandle, repo: string, auth?: typeof USER): Promise<void> {
    const tags = ['latest', 'main', 'v1.0.0', ...Array.from({ length: 8 }, (_, i) => `mr-${i + 1}`)];
    for (const [i, tag] of tags.entries()) await seedImage(registry.url, repo, tag, { created: OLD(i), labels: { tag }, ...(auth ? { auth } : {}) });
  }

  beforeAll(async () => {
    cli = packCli();
    [guarded, open] = await Promise.all([startDistribution({ auth: { kind: 'htpasswd', users: [USER] } }), startDistribution()]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([guarded?.stop(), open?.stop()]);
    cli?.dispose();
  });

  it('GitLab: the merge-request job writes the final names; the scheduled job cleans up by the committed policy with the job\'s registry login', async () => {
    await seedStaleTags(guarded, 'group/shop/backend', USER);
    const env = { CI_REGISTRY: guarded.host, CI_REGISTRY_IMAGE: `${guarded.host}/group/shop`, CI_REGISTRY_USER: USER.username, CI_REGISTRY_PASSWORD: USER.password, CI_COMMIT_REF_SLUG: 'feature-x' };

    const preview = checkout();
    bash(gitlab['stowage-preview']!.script.join('\n'), preview, env);
    const names = readFileSync(join(preview, 'stowage-names.json'), 'utf8');
    expect(names).toContain(`${guarded.host}/group/shop/backend:feature-x`);

    const scheduled = checkout();
    bash(gitlab['stowage-cleanup']!.script.join('\n'), scheduled, env);
    const report = JSON.parse(readFileSync(join(scheduled, 'stowage-cleanup.json'), 'utf8')) as { results: { tag: string; outcome: string }[] };
    const deleted = report.results.filter((r) => r.outcome === 'deleted' || r.outcome === 'untagged').map((r) => r.tag).sort();
    // keepNewest 5 per image keeps mr-4..mr-8; protect and keep hold latest, main and v1.0.0.
    expect(deleted).toEqual(['mr-1', 'mr-2', 'mr-3']);
    const left = JSON.parse(cli.run(['tags', `${guarded.host}/group/shop/backend`, '--json'], { env: { CI_REGISTRY: guarded.host, CI_REGISTRY_USER: USER.username, CI_REGISTRY_PASSWORD: USER.password } }).stdout) as { tags: { tag: string }[] };
    expect(left.tags.map((t) => t.tag).sort()).toEqual(['latest', 'main', 'mr-4', 'mr-5', 'mr-6', 'mr-7', 'mr-8', 'v1.0.0']);
  }, 120_000);

  it('GitHub Actions: the pull-request and scheduled steps run the same way', async () => {
    await seedStaleTags(open, 'acme/shop/backend');
    const runSteps = (job: string, cwd: string, extra: Record<string, string>) => {
      for (const step of github.jobs[job]!.steps.filter((s) => s.run)) bash(step.run!, cwd, extra);
    };
    const env = { IMAGES_REPO: `${open.host}/acme/shop`, BRANCH: 'feature-y', GITHUB_REPOSITORY: 'Acme/Shop' };
    const preview = checkout();
    runSteps('preview', preview, env);
    expect(readFileSync(join(preview, 'stowage-names.json'), 'utf8')).toContain(`${open.host}/acme/shop/backend:feature-y`);

    const scheduled = checkout();
    runSteps('cleanup', scheduled, env);
    expect(existsSync(join(scheduled, 'stowage-cleanup.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(scheduled, 'stowage-cleanup.json'), 'utf8')) as { results: { tag: string; outcome: string }[]; summary: { failed: number } };
    expect(report.summary.failed).toBe(0);
    expect(report.results.filter((r) => r.outcome === 'deleted' || r.outcome === 'untagged').map((r) => r.tag).sort()).toEqual(['mr-1', 'mr-2', 'mr-3']);
  }, 120_000);
});
