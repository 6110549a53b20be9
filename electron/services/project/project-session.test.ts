import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectView } from '../../../shared/api/types';
import { stopIdleProjectWorker } from './isolated-load';
import { ProjectSession } from './project-session';

afterAll(() => stopIdleProjectWorker());

const SLOW = 'project: p\nconfigVersion: 1\n{{ $s := repeat 2000000 "ab" }}{{ range $i := until 100000 }}{{ $t := upper $s }}{{ end }}\n';

function nextChange(changes: ProjectView[], count: number, timeoutMs = 10_000): Promise<ProjectView> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (changes.length >= count) {
        clearInterval(poll);
        resolve(changes[count - 1]!);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error('no reload'));
      }
    }, 20);
  });
}

describe('ProjectSession live refresh', () => {
  it('reloads through the project worker: a saved hostile template becomes a limit problem while the main loop runs', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-session-')));
    writeFileSync(join(dir, 'werf.yaml'), 'project: one\nconfigVersion: 1\n');
    const changes: ProjectView[] = [];
    const session = new ProjectSession({ onChange: (view) => changes.push(view), limits: { wallClockMs: 1500, renderBudgetMs: 60_000, engine: { maxSteps: Number.MAX_SAFE_INTEGER, maxProducedBytes: Number.MAX_SAFE_INTEGER } } });
    try {
      expect((await session.open(dir)).project).toBe('one');
      writeFileSync(join(dir, 'werf.yaml'), 'project: two\nconfigVersion: 1\n');
      expect((await nextChange(changes, 1)).project).toBe('two');

      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const t0 = performance.now();
      writeFileSync(join(dir, 'werf.yaml'), SLOW);
      const stopped = await nextChange(changes, 2);
      clearInterval(ticker);
      expect(stopped.problems.map((p) => p.code)).toEqual(['project-limit-time']);
      // The main loop kept running throughout (a 10 ms timer fired at least every ~100 ms on average).
      expect(ticks).toBeGreaterThan((performance.now() - t0) / 100);
      expect(session.view?.problems[0]?.code).toBe('project-limit-time');
    } finally {
      session.close();
    }
  });

  it('opens with a werf release, keeps it on reload, and a project opened next does not inherit it', async () => {
    const one = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-session-')));
    const two = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-session-')));
    writeFileSync(join(one, 'werf.yaml'), 'project: one\nconfigVersion: 1\n');
    writeFileSync(join(two, 'werf.yaml'), 'project: two\nconfigVersion: 1\n');
    const session = new ProjectSession({ onChange: () => {} });
    try {
      const first = await session.open(one, {}, undefined, '1.1');
      expect(first.werfVersion).toBe('1.1');
      expect((await session.reload()).werfVersion).toBe('1.1');
      const next = await session.open(two);
      expect(next.werfVersion).not.toBe('1.1');
    } finally {
      session.close();
    }
  });

  it('cancelling project.open terminates the load', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stowage-session-')));
    writeFileSync(join(dir, 'werf.yaml'), SLOW);
    const session = new ProjectSession({ onChange: () => {}, limits: { wallClockMs: 30_000, renderBudgetMs: 60_000, engine: { maxSteps: Number.MAX_SAFE_INTEGER, maxProducedBytes: Number.MAX_SAFE_INTEGER } } });
    const controller = new AbortController();
    const opening = session.open(dir, {}, controller.signal);
    setTimeout(() => controller.abort(), 200);
    const t0 = performance.now();
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(session.view).toBeNull();
  });
});
