/**
 * werf parity benchmarks (issue 16):
 * - rendering + parsing the corpus's largest configs in-process, against the Go oracle doing the
 *   whole job (text/template + sprig) as a process: target within 2× of the oracle;
 * - the CLI's start-up for `stowage detect` and `stowage render`: the wall time beyond a bare
 *   `node -e 0` on the same machine, target under 100 ms.
 * Medians of several runs, so one busy moment on a shared machine does not decide.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseWerfConfig } from '../../shared/werf-config';
import { corpusCases } from '../oracle/corpus';
import { oracleBinary } from '../oracle/oracle';
import { stowageRender } from '../oracle/stowage-render';

interface Result {
  name: string;
  ms: number;
  target: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function wallMs(cmd: string, args: string[], input?: string): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

export function runWerfBench(repoRoot: string): Result[] {
  const results: Result[] = [];
  // Largest by everything the render reads: deckhouse-style modules keep most of their template
  // text in files they `tpl` (.werf/*.yaml, images/*/werf.inc.yaml), not in werf.yaml or partials.
  const cases = corpusCases(join(repoRoot, 'e2e/fixtures/corpus'))
    .map((x) => ({
      ...x,
      size: x.c.config.length + (x.c.partials ?? []).reduce((n, p) => n + p.text.length, 0) + Object.values(x.c.files ?? {}).reduce((n, t) => n + t.length, 0),
    }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3);
  const oracle = oracleBinary();
  for (const { name, c } of cases) {
    const input = JSON.stringify([c]);
    // Warm once (the engine's tables), as a long-running app or a loaded CLI module is.
    stowageRender(c);
    // Go and Stowage take turns, so a busy moment on a shared machine falls on both.
    const go: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < 15; i++) {
      if (i % 2 === 0) go.push(wallMs(oracle, [], input));
      const t = performance.now();
      const out = stowageRender(c);
      if (out.ok) parseWerfConfig(out.text, { file: 'werf.yaml' });
      ts.push(performance.now() - t);
    }
    const goMs = median(go);
    const tsMs = median(ts);
    console.log(`werf: ${name}: in-process render+parse ${tsMs.toFixed(2)} ms, oracle process ${goMs.toFixed(2)} ms (ratio to the 2× budget ${(tsMs / (2 * goMs)).toFixed(3)})`);
    results.push({ name: `render + parse ${name} (${(cases.find((x) => x.name === name)!.size / 1024).toFixed(1)} KiB) vs 2× Go oracle process`, ms: tsMs, target: Math.max(1, Math.round(2 * goMs)) });
  }

  const cli = join(repoRoot, 'out/cli.mjs');
  const project = join(repoRoot, 'e2e/fixtures/corpus/ok/seed-shop');
  const runs = 9;
  const node: number[] = [];
  const detect: number[] = [];
  const render: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push(wallMs(process.execPath, ['-e', '0']));
    detect.push(wallMs(process.execPath, [cli, 'detect', 'quay.io/acme', '--json']));
    render.push(wallMs(process.execPath, [cli, 'render', project]));
  }
  const base = median(node);
  console.log(`werf: node -e 0 takes ${base.toFixed(1)} ms here; the CLI's start-up is what it adds`);
  results.push({ name: 'stowage detect start-up (beyond node itself)', ms: Math.max(0, median(detect) - base), target: 100 });
  results.push({ name: 'stowage render start-up (beyond node itself)', ms: Math.max(0, median(render) - base), target: 100 });
  return results;
}
