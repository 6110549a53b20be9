import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from './load-project';

/** A project with a 4 MB file and `links` hard links to it under links/. */
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function projectWithBigFile(werfYaml: string, links: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'stowage-files-budget-'));
  made.push(dir);
  writeFileSync(join(dir, 'werf.yaml'), werfYaml);
  writeFileSync(join(dir, 'big.txt'), Buffer.alloc(4 * 1024 * 1024, 'x'));
  mkdirSync(join(dir, 'links'));
  for (let i = 0; i < links; i++) linkSync(join(dir, 'big.txt'), join(dir, 'links', `l${i}.txt`));
  return dir;
}

describe('the .Files read budget holds for real project files', () => {
  it('.Files.Glob over 1,500 hard links to a 4 MB file ends with a limit error, not out of memory', async () => {
    const dir = projectWithBigFile('project: p\nconfigVersion: 1\n---\nimage: a\nfrom: {{ len (.Files.Glob "links/*") }}\n', 1500);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const view = await loadProject(dir);
    expect(performance.now() - started).toBeLessThan(10_000);
    const problem = view.problems.find((p) => p.severity === 'error');
    expect(problem).toMatchObject({ code: 'template-limit-read', location: { file: 'werf.yaml', line: 5 } });
    expect(problem!.message).toMatch(/maxReadBytes/);
    // 1,500 × 4 MB would be 6 GB; the budget is 64 MB.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(600 * 1024 * 1024);
  });

  it('3,000 × .Files.Get of a 4 MB file ends with a limit error', async () => {
    const dir = projectWithBigFile('project: p\nconfigVersion: 1\n{{ range until 3000 }}{{ $_ := $.Files.Get "big.txt" }}{{ end }}\n', 0);
    const started = performance.now();
    const view = await loadProject(dir);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(view.problems.find((p) => p.severity === 'error')).toMatchObject({ code: 'template-limit-read', location: { file: 'werf.yaml', line: 3 } });
  });
});
