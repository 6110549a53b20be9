import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import type { ProjectView } from '../../../shared/api/types';
import { FAST_PATH_BOUNDS, loadProjectBounded, type BoundedLoadOptions } from './in-process-load';
import { loadProjectIsolated, stopIdleProjectWorker } from './isolated-load';
import { loadProject } from './load-project';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../../../e2e/fixtures/corpus');
const NOW = new Date(Date.UTC(2025, 0, 15, 12, 0, 0));
const now = () => NOW;

function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-in-process-')));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Every corpus project folder (ok/, errors/ and any other set, at any depth), with its fixture environment. */
function corpusProjects(): Array<{ name: string; dir: string; env: Record<string, string> }> {
  const out: Array<{ name: string; dir: string; env: Record<string, string> }> = [];
  const visit = (dir: string, depth: number) => {
    if (['werf.yaml', 'werf.yml'].some((f) => existsSync(join(dir, f)))) {
      const expected = join(dir, 'expected.json');
      const env = existsSync(expected) ? ((JSON.parse(readFileSync(expected, 'utf8')) as { env?: Record<string, string> }).env ?? {}) : {};
      out.push({ name: dir.slice(CORPUS.length + 1), dir, env });
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir).sort()) {
      if (statSync(join(dir, entry)).isDirectory()) visit(join(dir, entry), depth - 1);
    }
  };
  visit(CORPUS, 3);
  return out;
}

/** Loads with the bounded loader and says which way it went. */
async function bounded(dir: string, options: BoundedLoadOptions = {}): Promise<{ view: ProjectView; path: string; why?: string }> {
  let path = '';
  let why: string | undefined;
  const view = await loadProjectBounded(dir, {
    now,
    environment: {},
    ...options,
    onPath: (p, w) => {
      path = p;
      why = w;
    },
  });
  return { view, path, ...(why !== undefined ? { why } : {}) };
}

/** The step and produced-bytes budgets lifted: only a clock or the heap ends these renders. */
const NO_STEP_BUDGET = { maxSteps: Number.MAX_SAFE_INTEGER, maxProducedBytes: Number.MAX_SAFE_INTEGER };
/** Few template steps, each a slow call. */
const SLOW = 'project: p\nconfigVersion: 1\n{{ $s := repeat 2000000 "ab" }}{{ range $i := until 100000 }}{{ $t := upper $s }}{{ end }}\n';

afterAll(() => stopIdleProjectWorker());

describe('the CLI loads a project in-process when it fits the fast path', () => {
  const projects = corpusProjects();
  it('finds the corpus', () => {
    expect(projects.length).toBeGreaterThanOrEqual(50);
  });

  // Every real-looking config, the largest included, must take the fast path (that is the start-up
  // win), and its view must be the one the app's worker gives.
  it('serves every corpus project in-process, with the view the worker gives', async () => {
    for (const p of projects) {
      const fast = await bounded(p.dir, { environment: p.env });
      expect({ project: p.name, path: fast.path, why: fast.why }).toEqual({ project: p.name, path: 'in-process', why: undefined });
      const worker = await loadProjectIsolated(p.dir, { now, environment: p.env, keepWarm: true });
      expect(fast.view, p.name).toEqual(worker);
    }
  }, 120_000);

  it('throws the same UserError as the worker for a folder that does not exist', async () => {
    const error = await loadProjectBounded('/nonexistent/stowage/project').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('not-found');
  });

  it('answers a limit the app has too in-process, as the app would (fan-out recursion ends on maxSteps)', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ define "a" }}{{ if lt (len .) 60 }}{{ include "a" (print . "x") }}{{ include "a" (print . "y") }}{{ end }}{{ end }}{{ include "a" "" }}\n' });
    const fast = await bounded(dir);
    expect(fast.path).toBe('in-process');
    expect(fast.view.problems.map((p) => p.code)).toEqual(['template-limit-steps']);
    expect(fast.view).toEqual(await loadProjectIsolated(dir, { now, environment: {} }));
  });

  it('skips the giterminism git run when asked, and only that', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n---\nimage: a\nfrom: alpine\n' });
    const { view } = await bounded(dir, { checkUncommitted: false });
    expect(view.images.map((i) => i.name)).toEqual(['a']);
  });
});

describe('time is bounded in-process by the app\'s own budgets', () => {
  it('a render slower than the app\'s budget ends with the app\'s limit error naming its line', async () => {
    const dir = project({
      'werf.yaml': 'project: p\nconfigVersion: 1\n{{ include "slow" "" }}\n',
      '.werf/slow.tmpl': '{{ define "slow" }}{{ $s := repeat 50000 "ab" }}\n{{- range $i := until 100000 }}{{ $t := upper $s }}{{ end }}\n{{- end }}',
    });
    const limits = { renderBudgetMs: 700, wallClockMs: 20_000, engine: NO_STEP_BUDGET };
    const fast = await bounded(dir, { limits, fastPath: { maxProducedBytes: Number.MAX_SAFE_INTEGER } });
    expect(fast.path).toBe('in-process');
    const problem = fast.view.problems.find((p) => p.severity === 'error');
    expect(problem).toMatchObject({ code: 'template-limit-time', message: expect.stringContaining('maxRenderMs = 700'), location: { file: '.werf/slow.tmpl', line: 2 } });
  });

  it('a synchronous step that outruns the wall clock is terminated in-process, with the worker\'s answer', async () => {
    const dir = project({ 'werf.yaml': SLOW });
    const started = performance.now();
    // No cooperative budget: only the hard stop (vm's watchdog) can end this render.
    const limits = { wallClockMs: 1_500, renderBudgetMs: 60_000, engine: NO_STEP_BUDGET };
    const { view, path } = await bounded(dir, { limits, fastPath: { maxProducedBytes: Number.MAX_SAFE_INTEGER } });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(path).toBe('in-process');
    const worker = await loadProjectIsolated(dir, { now, environment: {}, limits });
    expect(view.problems).toEqual([expect.objectContaining({ severity: 'error', code: 'project-limit-time', message: 'Rendering the werf config templates did not finish within 1.5 s; Stowage stopped it.' })]);
    expect(view).toEqual(worker);
  });

});

describe('what the fast path cannot bound goes to the worker, under the app\'s limits', () => {
  it('values built past the fast path\'s budget but within the app\'s render in the worker', async () => {
    // 18 M characters built: over the fast path's 16 Mi, within the app's 256 Mi.
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ $a := repeat 4500000 "ab" }}{{ $b := repeat 4500000 "cd" }}---\nimage: a\nfrom: alpine\n' });
    const { view, path, why } = await bounded(dir);
    expect(path).toBe('worker');
    expect(why).toContain(`maxProducedBytes = ${FAST_PATH_BOUNDS.maxProducedBytes}`);
    expect(view.problems).toEqual([]);
    expect(view).toEqual(await loadProject(dir, { now, environment: {} }));
    expect(view.images.map((i) => i.name)).toEqual(['a']);
  });

  it('.Files reads past the fast path\'s budget go to the worker, which ends them at the app\'s maxReadBytes', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ range $i := until 30 }}{{ $x := $.Files.Get "big.bin" }}{{ end }}\n' });
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 97));
    const { view, path } = await bounded(dir);
    expect(path).toBe('worker');
    expect(view.problems).toEqual([expect.objectContaining({ code: 'template-limit-read', message: expect.stringContaining('the limit for one render is 67108864 (maxReadBytes)') })]);
  });

  it('a config too large to parse in-process is parsed by the worker', async () => {
    // Quick to parse (comments), but over the 1 MiB the fast path takes.
    const comments = `# ${'c'.repeat(1000)}\n`.repeat(1100);
    const dir = project({ 'werf.yaml': `project: p\nconfigVersion: 1\n${comments}---\nimage: a\nfrom: alpine\n` });
    const { view, path, why } = await bounded(dir);
    expect(path).toBe('worker');
    expect(why).toMatch(/config to parse is \d+ characters \(in-process bound 1048576\)/);
    expect(view.images.map((i) => i.name)).toEqual(['a']);
  });

  it('partials past the fast path\'s template bytes go to the worker', async () => {
    const dir = project({
      'werf.yaml': 'project: p\nconfigVersion: 1\n---\n{{ include "img" "a" }}\n',
      '.werf/img.tmpl': `{{ define "img" }}image: {{ . }}\nfrom: alpine\n{{ end }}{{/* ${'x'.repeat(4000)} */}}`,
    });
    const { view, path, why } = await bounded(dir, { fastPath: { maxTemplateBytes: 2000 } });
    expect(path).toBe('worker');
    expect(why).toMatch(/partials are over 2000 bytes/);
    expect(view.images.map((i) => i.name)).toEqual(['a']);
  });

  it('a cancel rejects as the worker\'s does', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n' });
    const controller = new AbortController();
    controller.abort();
    await expect(loadProjectBounded(dir, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
