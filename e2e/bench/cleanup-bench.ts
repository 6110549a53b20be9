// The cleanup planner at scale: 20,000 tags of 10 werf images against a real git repository of
// 10,000 commits and 500 origin branches (built with git fast-import), under werf's default
// keepPolicies; and the rules policy on 20,000 tags. Prints the median of several runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCleanup } from '../../shared/cleanup/planner';
import type { CleanupTag, PlanInput, RulesPolicy, WerfMetadataRecord } from '../../shared/cleanup/types';
import { readGitSnapshot } from '../../electron/services/cleanup/git-history';

const MAIN_COMMITS = 5_000;
const BRANCHES = 500;
const COMMITS_PER_BRANCH = 10;
const TAGS_EVERY = 50;
const IMAGES = 10;
const TAGS_PER_IMAGE = 2_000;
const RUNS = 5;
const BASE_S = Date.UTC(2024, 0, 1) / 1000;
const NOW_S = BASE_S + MAIN_COMMITS * 3600 + 3600;

export interface BenchResult {
  name: string;
  ms: number;
  target: number;
}

/** A deterministic generator, so every run plans the same repository. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 0x100000000;
  };
}

function fastImportStream(): string {
  const out: string[] = [];
  const commit = (ref: string, mark: number, time: number, from: number | null): void => {
    out.push(`commit ${ref}`, `mark :${mark}`, `committer Bench <bench@example.invalid> ${time} +0000`, 'data 0');
    if (from !== null) out.push(`from :${from}`);
    out.push('');
  };
  for (let i = 1; i <= MAIN_COMMITS; i++) commit('refs/remotes/origin/main', i, BASE_S + i * 3600, i === 1 ? null : i - 1);
  const random = rng(7);
  let mark = MAIN_COMMITS;
  for (let b = 0; b < BRANCHES; b++) {
    const fork = 1 + Math.floor(random() * MAIN_COMMITS);
    // A tenth of the branches were touched within the last week; the rest earlier.
    const headAge = b % 10 === 0 ? (b % 7) * 86_400 + 600 : (8 + (b % 60)) * 86_400;
    for (let j = 0; j < COMMITS_PER_BRANCH; j++) {
      mark++;
      commit(`refs/remotes/origin/feature-${b}`, mark, NOW_S - headAge - (COMMITS_PER_BRANCH - j) * 60, j === 0 ? fork : mark - 1);
    }
  }
  for (let i = TAGS_EVERY; i <= MAIN_COMMITS; i += TAGS_EVERY) out.push(`reset refs/tags/v${i / TAGS_EVERY}`, `from :${i}`, '');
  return out.join('\n') + '\n';
}

/** CPU time of this process in ms: on a shared machine wall time mostly measures the neighbours. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runCleanupBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-cleanup-bench-'));
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    execFileSync('git', ['init', '-q', dir], { env });
    execFileSync('git', ['remote', 'add', 'origin', 'https://example.invalid/bench.git'], { cwd: dir, env });
    execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: fastImportStream(), maxBuffer: 64 * 1024 * 1024 });

    // One git read to build the tags from; the measured runs read git again each time.
    const first = await readGitSnapshot(dir);
    if (!first.ok) throw new Error(first.error.message);
    const commits = first.snapshot.commits.map((c) => c.hash).sort();
    if (commits.length !== MAIN_COMMITS + BRANCHES * COMMITS_PER_BRANCH) throw new Error(`expected ${MAIN_COMMITS + BRANCHES * COMMITS_PER_BRANCH} commits, read ${commits.length}`);

    const random = rng(11);
    const tags: CleanupTag[] = [];
    const records: WerfMetadataRecord[] = [];
    for (let m = 0; m < IMAGES; m++) {
      const image = `service-${m}`;
      for (let i = 0; i < TAGS_PER_IMAGE; i++) {
        const signature = `${image}-sig-${i}`;
        const commit = commits[Math.floor(random() * commits.length)]!;
        records.push({ format: 'v1.1-image-metadata-by-commit', image, commit, signature });
        tags.push({
          repository: `bench/${image}`,
          tag: `${commit.slice(0, 12)}-${i}`,
          digest: `sha256:${(m * TAGS_PER_IMAGE + i).toString(16).padStart(64, '0')}`,
          kind: 'image',
          size: 10_000_000 + i,
          created: new Date((BASE_S + i * 900) * 1000).toISOString(),
          image,
          labels: { 'werf-image': 'true', 'werf-image-name': image, 'werf-content-signature': signature, 'werf-tag-strategy': 'git-commit', 'werf-image-tag': commit },
        });
      }
    }
    const base: Omit<PlanInput, 'policy' | 'git'> = {
      now: new Date(NOW_S * 1000).toISOString(),
      repository: '127.0.0.1:5000/bench',
      implementation: 'default',
      registryHost: '127.0.0.1:5000',
      capability: { tagDelete: false, digestDelete: true },
      tags,
      werfMetadata: { records, unreadable: [], formats: ['v1.1-image-metadata-by-commit'] },
      kube: null,
    };

    // (a) and (b): every run reads git again and plans copies of the inputs, so nothing the planner
    // remembers per input object (sorted tags, fingerprints, digest index) carries over: each is a
    // first plan of fresh inputs. Run 0 is also the process's first plan (cold JIT).
    const totals: number[] = [];
    const planner: number[] = [];
    const plannerCpu: number[] = [];
    const replan: number[] = [];
    let deletes = 0;
    const historyPolicy = { policy: 'werf-git-history', keepPolicies: null } as const;
    for (let r = 0; r < RUNS; r++) {
      const fresh = { ...base, tags: base.tags.map((t) => ({ ...t })), werfMetadata: { ...base.werfMetadata!, records: [...base.werfMetadata!.records] } };
      const t0 = performance.now();
      const git = await readGitSnapshot(dir);
      if (!git.ok) throw new Error(git.error.message);
      const t1 = performance.now();
      const c1 = cpuMs();
      const out = planCleanup({ ...fresh, git: git.snapshot, policy: historyPolicy });
      const t2 = performance.now();
      plannerCpu.push(cpuMs() - c1);
      if (!out.ok) throw new Error(out.error.message);
      deletes = out.plan.summary.delete;
      totals.push(t2 - t0);
      planner.push(t2 - t1);
      // The view's case: the same loaded inputs planned again after an edit.
      const t3 = performance.now();
      const again = planCleanup({ ...fresh, git: git.snapshot, policy: historyPolicy });
      replan.push(performance.now() - t3);
      if (!again.ok || again.plan.planId !== out.plan.planId) throw new Error('a re-plan of the same inputs must give the same plan');
    }
    if (deletes === 0 || deletes === tags.length) throw new Error(`the history plan should keep some tags and delete others (deleted ${deletes})`);

    // (c) the rules policy re-planned on the loaded inventory, as the Cleanup view does on every edit;
    // and once more with patterns never seen before (nothing remembered of their matches).
    const rulesPolicy = (extra: string): RulesPolicy => ({
      policy: 'rules', keep: ['^v'], delete: ['-1\\d*$', `-[2-9]${extra}`], keepNewest: 20, keepYoungerThan: { duration: '720h', by: 'created' }, keepSemver: 5,
    });
    const rules: number[] = [];
    const rulesCpu: number[] = [];
    const rulesNewPattern: number[] = [];
    for (let r = 0; r < RUNS * 2; r++) {
      const t0 = performance.now();
      const c0 = cpuMs();
      const out = planCleanup({ ...base, git: null, werfMetadata: null, policy: rulesPolicy('') });
      rules.push(performance.now() - t0);
      rulesCpu.push(cpuMs() - c0);
      if (!out.ok) throw new Error(out.error.message);
      const t1 = performance.now();
      const edited = planCleanup({ ...base, git: null, werfMetadata: null, policy: rulesPolicy(`|^never-${r}$`) });
      rulesNewPattern.push(performance.now() - t1);
      if (!edited.ok || edited.plan.summary.delete !== out.plan.summary.delete) throw new Error('a pattern matching nothing must not change the rules plan');
    }
    return [
      { name: `cleanup (a) werf-git-history defaults: ${tags.length} tags, ${commits.length} commits, ${BRANCHES} branches: git read + plan, median wall`, ms: median(totals), target: 1000 },
      { name: `cleanup (b) werf-git-history defaults: planner alone, first plan of fresh inputs, median wall (${deletes} deletes)`, ms: median(planner), target: 1000 },
      { name: 'cleanup (b) werf-git-history defaults: planner alone, first plan of fresh inputs, median CPU (all threads: JIT, GC)', ms: median(plannerCpu), target: 1000 },
      { name: 'cleanup (b) werf-git-history defaults: planner alone, the process\'s very first plan (cold JIT), wall', ms: planner[0]!, target: 1000 },
      { name: 'cleanup     werf-git-history defaults: re-plan of loaded inputs, median wall', ms: median(replan), target: 1000 },
      { name: `cleanup (c) rules policy: ${tags.length} tags, re-plan of loaded inputs, median wall`, ms: median(rules), target: 100 },
      { name: `cleanup (c) rules policy: ${tags.length} tags, re-plan of loaded inputs, median CPU (all threads)`, ms: median(rulesCpu), target: 100 },
      { name: `cleanup (c) rules policy: ${tags.length} tags, re-plan with a delete pattern never seen before, median wall`, ms: median(rulesNewPattern), target: 100 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
