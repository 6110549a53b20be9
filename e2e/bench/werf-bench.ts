/**
 * werf parity benchmarks (issue 16):
 * - rendering + parsing the corpus's largest configs in-process, against the Go oracle doing the
 *   whole job (text/template + sprig) as a process: target within 2× of the oracle;
 * - the CLI's start-up for `stowage detect`, `stowage render` and `stowage images`: the wall time
 *   beyond a bare `node -e 0` on the same machine, target under 100 ms.
 * Medians of several runs, so one busy moment on a shared machine does not decide.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
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

  const oracleRatio = Math.max(...results.map((r) => r.ms / r.target));
  const startup = runStartupBench(repoRoot);
  results.push(...startup.results);
  // Issue #16's two numbers side by side (each also has its row below, with its target).
  console.log(`werf: issue #16 ratios: render+parse vs 2× Go oracle ${oracleRatio.toFixed(3)} (worst of the largest configs); CLI render start-up vs 100 ms ${startup.renderRatio.toFixed(3)}`);
  return results;
}

/**
 * The CLI's start-up: wall time of `stowage <command>` beyond a bare `node -e 0`, medians of
 * interleaved runs (each command and the baseline take turns, so a busy moment on a shared machine
 * falls on all of them), after one warm-up round that fills the file cache and the CLI's code
 * cache (which a user's first run writes; the run without it is printed too). `render` and `images`
 * read a small real project in a git work tree (git runs, as in CI); `detect` reads nothing.
 * Each run goes through `bash -c '…; times'`, the same for the baseline, so the CPU time of the
 * process and its children (git) comes back too: on a machine with more runnable processes than
 * cores, wall time is mostly waiting for a core, and the CPU time shows the work itself.
 */
function runStartupBench(repoRoot: string): { results: Result[]; renderRatio: number } {
  const cli = join(repoRoot, 'out/cli.mjs');
  const project = join(repoRoot, 'e2e/fixtures/corpus/ok/seed-shop');
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const commands: Record<string, string[]> = {
    node: ['-e', '0'],
    detect: [cli, 'detect', 'quay.io/acme', '--json'],
    render: [cli, 'render', project],
    images: [cli, 'images', project, '--json'],
    // The same render compiling the loader from source, as the first run after an install or a
    // Node upgrade does (the code cache is the user's, written by that first run).
    'render without the code cache': [cli, 'render', project],
  };
  const envOf = (name: string) => (name.includes('without the code cache') ? 'STOWAGE_CODE_CACHE=off ' : '');
  const runs = 15;
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const script = `${envOf(name)}${[process.execPath, ...args].map(quote).join(' ')} >/dev/null 2>&1 || exit 1; times`;
      const t = performance.now();
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`${name}: ${args.join(' ')} failed`);
      if (i === 0) continue;
      wall[name]!.push(ms);
      cpu[name]!.push(childrenCpuMs(r.stdout));
    }
  }
  const base = median(wall.node!);
  const baseCpu = median(cpu.node!);
  const beyond = (name: string) => Math.max(0, median(wall[name]!) - base);
  console.log(`werf: node -e 0 takes ${base.toFixed(1)} ms here, ${baseCpu.toFixed(0)} ms of CPU (medians of ${runs}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}); the CLI's start-up is what it adds`);
  for (const name of ['detect', 'render', 'images', 'render without the code cache']) {
    console.log(`werf: stowage ${name}: ${beyond(name).toFixed(1)} ms beyond node, CPU ${Math.max(0, median(cpu[name]!) - baseCpu).toFixed(0)} ms beyond node's (git included)`);
  }
  const results: Result[] = [
    { name: 'stowage detect start-up (beyond node itself)', ms: beyond('detect'), target: 100 },
    { name: 'stowage render start-up (beyond node itself)', ms: beyond('render'), target: 100 },
    { name: 'stowage images start-up (beyond node itself)', ms: beyond('images'), target: 100 },
  ];
  return { results, renderRatio: beyond('render') / 100 };
}

/** The children's user + system time from bash's `times` (its second line: `0m0.170s 0m0.030s`). */
function childrenCpuMs(timesOutput: string): number {
  const line = timesOutput.trim().split('\n').at(-1) ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
  if (parts.length !== 2) throw new Error(`unexpected output of bash's times: ${JSON.stringify(timesOutput)}`);
  return parts[0]! + parts[1]!;
}
