import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/api/result';
import { loadProjectIsolated, stopIdleProjectWorker } from './isolated-load';
import { loadProject } from './load-project';

function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-isolated-')));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Slow calls the step and produced-bytes budgets would end: tests of the clock, the terminate and the heap cap lift them. */
const NO_STEP_BUDGET = { maxSteps: Number.MAX_SAFE_INTEGER, maxProducedBytes: Number.MAX_SAFE_INTEGER };

/** Few template steps, each a slow call: with the step budget lifted only a clock ends it. */
const SLOW = 'project: p\nconfigVersion: 1\n{{ $s := repeat 2000000 "ab" }}{{ range $i := until 100000 }}{{ $t := upper $s }}{{ end }}\n';

/** The longest the main event loop went without running a 10 ms timer while `work` ran. */
async function longestStall<T>(work: Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work;
    return { value, stallMs: Math.max(stallMs, performance.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

describe('loadProjectIsolated', () => {
  it('gives the same view as loading in-process', async () => {
    const dir = project({
      'werf.yaml': 'project: shop\nconfigVersion: 1\n---\n{{ include "img" (dict "name" "backend") }}\n',
      '.werf/img.tmpl': '{{ define "img" }}image: {{ .name }}\ndockerfile: Dockerfile\n{{ end }}',
    });
    const now = () => new Date('2024-01-02T03:04:05Z');
    const isolated = await loadProjectIsolated(dir, { environment: { A: '1' }, now });
    const direct = await loadProject(dir, { environment: { A: '1' }, now });
    expect(isolated).toEqual(direct);
    expect(isolated.images.map((i) => [i.name, i.source.file, i.source.line])).toEqual([['backend', '.werf/img.tmpl', 1]]);
  });

  it('stops a render that never ends, with a limit error, while the main loop keeps running', async () => {
    const dir = project({ 'werf.yaml': SLOW });
    const started = performance.now();
    // No cooperative budget here: this is the terminate backstop on its own.
    const { value: view, stallMs } = await longestStall(loadProjectIsolated(dir, { limits: { wallClockMs: 1500, renderBudgetMs: 60_000, engine: NO_STEP_BUDGET } }));
    expect(performance.now() - started).toBeLessThan(4000);
    expect(stallMs).toBeLessThan(250);
    expect(view.rendered).toBeNull();
    expect(view.configFile).toBe('werf.yaml');
    expect(view.problems).toEqual([expect.objectContaining({ severity: 'error', code: 'project-limit-time', message: 'Rendering the werf config templates did not finish within 1.5 s; Stowage stopped it.' })]);
  });

  it('stops a render that outgrows its heap, and the process lives on', async () => {
    const dir = project({ 'werf.yaml': 'project: p\nconfigVersion: 1\n{{ $d := dict }}{{ range $i := until 400 }}{{ $_ := set $d (print $i) (upper (repeat 1000000 (print $i))) }}{{ end }}\n' });
    const view = await loadProjectIsolated(dir, { limits: { heapMb: 64, engine: NO_STEP_BUDGET } });
    expect(view.problems).toEqual([expect.objectContaining({ code: 'project-limit-memory', message: expect.stringContaining('more than 64 MiB') })]);
    // And the next load works.
    writeFileSync(join(dir, 'werf.yaml'), 'project: after\nconfigVersion: 1\n');
    expect((await loadProjectIsolated(dir)).project).toBe('after');
  });

  it('cancels by terminating the worker', async () => {
    const dir = project({ 'werf.yaml': SLOW });
    const controller = new AbortController();
    const load = loadProjectIsolated(dir, { signal: controller.signal, limits: { wallClockMs: 30_000, renderBudgetMs: 60_000, engine: NO_STEP_BUDGET } });
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('throws the same UserError as loadProject for a folder that does not exist', async () => {
    const error = await loadProjectIsolated('/nonexistent/stowage/project').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('not-found');
  });
});

afterAll(() => stopIdleProjectWorker());

describe('a kept worker (the app reloads on every save)', () => {
  it('serves one load after another, and one stopped mid-render is never reused', async () => {
    const dir = project({ 'werf.yaml': 'project: first\nconfigVersion: 1\nx: {{ env "WHO" }}\n' });
    const first = await loadProjectIsolated(dir, { keepWarm: true, envOverrides: { WHO: 'a' } });
    expect(first.rendered?.text).toContain('x: a');
    const second = await loadProjectIsolated(dir, { keepWarm: true, envOverrides: { WHO: 'b' } });
    expect(second.rendered?.text).toContain('x: b');
    expect(second.envOverrides).toEqual({ WHO: 'b' });

    writeFileSync(join(dir, 'werf.yaml'), SLOW);
    const stopped = await loadProjectIsolated(dir, { keepWarm: true, limits: { wallClockMs: 800, renderBudgetMs: 60_000, engine: NO_STEP_BUDGET } });
    expect(stopped.problems[0]?.code).toBe('project-limit-time');
    writeFileSync(join(dir, 'werf.yaml'), 'project: after\nconfigVersion: 1\n');
    expect((await loadProjectIsolated(dir, { keepWarm: true })).project).toBe('after');
  });
});

describe('the cooperative render budget', () => {
  it('ends a slow render with a limit error naming the template line, before the terminate', async () => {
    const dir = project({
      'werf.yaml': 'project: p\nconfigVersion: 1\n{{ include "slow" "" }}\n',
      '.werf/slow.tmpl': '{{ define "slow" }}{{ $s := repeat 50000 "ab" }}\n{{- range $i := until 100000 }}{{ $t := upper $s }}{{ end }}\n{{- end }}',
    });
    const started = performance.now();
    const view = await loadProjectIsolated(dir, { limits: { renderBudgetMs: 700, wallClockMs: 20_000, engine: NO_STEP_BUDGET } });
    expect(performance.now() - started).toBeLessThan(5000);
    const problem = view.problems.find((p) => p.severity === 'error');
    expect(problem?.code).toBe('template-limit-time');
    expect(problem?.message).toContain('maxRenderMs = 700');
    expect(problem?.location).toMatchObject({ file: '.werf/slow.tmpl', line: 2 });
  });
});
