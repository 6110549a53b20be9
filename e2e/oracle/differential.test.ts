/**
 * Differential tests: Stowage's template engine against Go's own text/template + sprig (the
 * oracle in main.go, rendering the way werf's pkg/config/parser.go does). Every template of the
 * project corpus, and thousands of generated ones, must render byte-identical, or fail in both
 * with the same class of error (parse or execution). The oracle is built from Debian's Go packages;
 * when it cannot be built the suite fails, it never skips.
 *
 * Replay a generated failure: the message prints the seed and index; `generateCases(seed, index + 1)`
 * gives the same template.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMIT, generateCases } from './generate';
import { runOracle, type OracleCase, type OracleResult } from './oracle';
import { stowageRender, type StowageOutcome } from './stowage-render';
import { corpusCases } from './corpus';

export { stowageRender };

const FIXED_SEED = 20251207;
const FIXED_COUNT = Number(process.env.STOWAGE_DIFF_COUNT ?? 5000);
const FRESH_COUNT = 300;

type Outcome = StowageOutcome;
type ErrorClass = import("./stowage-render").ErrorClass;

/** Go reports parse errors without "executing"; a panic escaping a function is an execution error too. */
function goClass(error: string): ErrorClass {
  return /executing "|^panic:|error calling|wrong number of args|wrong type for value/.test(error) ? 'exec' : 'parse';
}

interface Exception {
  why: string;
  applies(c: OracleCase, go: OracleResult, ts: Outcome): boolean;
  /** A template that shows the difference; false for `differs` when it shows only by chance (map order). */
  example: string;
  differs?: false;
}

/**
 * Differences kept on purpose. Each is demonstrated by its own test below, so the list cannot
 * silently cover more than it says.
 */
export const EXCEPTIONS: Exception[] = [
  {
    why: 'range over an integer: werf is built with Go ≥ 1.22, which allows it (Stowage follows); Debian\'s Go 1.19 oracle refuses',
    applies: (_c, go) => !go.ok && /range can't iterate over -?\d+$/.test(go.error),
    example: '{{ range 3 }}x{{ end }}',
  },
  {
    why: '.Files printed as a value: its Go fields are werf internals (a context and the git manager), nothing a config can rely on',
    applies: (_c, go) => go.ok && go.text.includes('Files:{map['),
    example: '{{ . }}',
  },
  {
    why: 'Go refuses an int64 (what sprig\'s arithmetic returns) or a map[string]string where a function declares int or map[string]interface{}; Stowage\'s engine has one integer and one map type and renders it (werf fails)',
    applies: (_c, go, ts) => ts.ok && !go.ok && /wrong type for value; expected (int|map\[string\]interface \{\}); got (int64|map\[string\]string)/.test(go.error),
    example: '{{ repeat (add 1 1) "x" }}',
  },
  {
    why: 'byte strings: Go strings are bytes, so slicing can split a UTF-8 sequence (substr, trunc, b64dec); JavaScript strings cannot hold the broken bytes',
    // The oracle writes a byte that is not UTF-8 as the Latin-1 character of that value: a lone
    // continuation byte, or a lead byte cut from its sequence (a Latin-1 letter Stowage did not write).
    applies: (_c, go, ts) => go.ok && ts.ok && (ts.text.includes('\ufffd') || /[\u0080-\u00bf]/.test(go.text) || [...go.text].some((ch) => ch >= '\u00c0' && ch <= '\u00ff' && !ts.text.includes(ch))),
    example: '{{ substr 0 1 "é" | quote }}',
  },
  {
    why: 'map order: sprig\'s keys and values list a Go map in its random iteration order',
    applies: (c) => /\b(keys|values)\b/.test(c.config) || (c.partials ?? []).some((p) => /\b(keys|values)\b/.test(p.text)),
    example: '{{ keys (dict "a" 1 "b" 2 "c" 3 "d" 4 "e" 5 "f" 6) }}',
    differs: false,
  },
  {
    why: 'Go type names: sprig\'s split returns map[string]string, until []int and its arithmetic int64, which typeOf/kindOf name (and which a later function may measure); Stowage has one map, one list and one integer type',
    applies: (c, go, ts) =>
      go.ok && ts.ok && ([c.config, ...(c.partials ?? []).map((p) => p.text)].some((t) => /\b(typeOf|kindOf)\b/.test(t)) || (/%!\w\(int64=/.test(go.text) && /%!\w\(int=/.test(ts.text))),
    example: '{{ typeOf (int64 1) }} {{ split "," "a,b" | typeOf }} {{ printf "%s" (add 1 1) }}',
  },
  {
    why: 'a `%` line at the start of fromYaml\'s text: yaml.v2 reads it as a directive and fails on a malformed one (`%%…`); Stowage\'s YAML library skips it (a known gap, listed in the closing note)',
    applies: (_c, go, ts) => !go.ok && ts.ok && /error calling fromYaml: yaml: could not find expected directive name/.test(go.error),
    example: '{{ fromYaml "%%x" }}',
  },
  {
    why: 'fmt precision on a mistyped string argument (`%.2f` of a string prints `%!f(string=st)` in Go, truncated); Stowage prints the whole string',
    applies: (_c, go, ts) => go.ok && ts.ok && /%!\w\(string=/.test(go.text),
    example: '{{ printf "%.2f" "staging" }}',
  },
  {
    why: 'the clock: `now` is the machine\'s time in Go, a fixed time in these tests',
    applies: (c) => /\bnow\b/.test(c.config) || (c.partials ?? []).some((p) => /\bnow\b/.test(p.text)),
    example: '{{ now | date "15:04:05.000000" }}',
  },
  {
    why: 'Stowage stops a template that recurses too deep or writes too much (its budgets); Go would run it to the end or overflow the stack',
    applies: (_c, _go, ts) => !ts.ok && /limit|too (deep|large|many)|budget|exceed/i.test(ts.error),
    example: '{{ range until 3000 }}{{ repeat 5000 "x" }}{{ end }}',
  },
];

function agree(go: OracleResult, ts: Outcome): boolean {
  if (go.ok && ts.ok) return go.text === ts.text;
  if (!go.ok && !ts.ok) return goClass(go.error) === ts.class;
  return false;
}

function describeMismatch(c: OracleCase, go: OracleResult, ts: Outcome, label: string): string {
  return [
    `${label}`,
    `template:\n${c.config}`,
    ...(c.partials ?? []).map((p) => `partial ${p.name}:\n${p.text}`),
    `go:       ${JSON.stringify(go)}`,
    `stowage:  ${JSON.stringify(ts)}`,
  ].join('\n');
}

function compare(cases: OracleCase[], label: (i: number) => string): string[] {
  const goResults = runOracle(cases);
  const failures: string[] = [];
  cases.forEach((c, i) => {
    const ts = stowageRender(c);
    const go = goResults[i]!;
    if (agree(go, ts) || EXCEPTIONS.some((x) => x.applies(c, go, ts))) return;
    failures.push(describeMismatch(c, go, ts, label(i)));
  });
  return failures;
}

describe('differential: Stowage against Go text/template + sprig', () => {
  it('documents only real differences: each exception\'s example differs and is covered by it', () => {
    const cases = EXCEPTIONS.map((x): OracleCase => ({ config: x.example, files: {}, env: {}, werfEnv: 'staging', commit: COMMIT, loose: true }));
    const go = runOracle(cases);
    EXCEPTIONS.forEach((x, i) => {
      const ts = stowageRender(cases[i]!);
      if (x.differs !== false) expect(agree(go[i]!, ts), `${x.why}: ${JSON.stringify(go[i])} vs ${JSON.stringify(ts)}`).toBe(false);
      expect(x.applies(cases[i]!, go[i]!, ts), x.why).toBe(true);
    });
  }, 120_000);

  it('renders every corpus template like the oracle', () => {
    const cases = corpusCases(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/corpus'));
    expect(cases.length).toBeGreaterThan(90);
    expect(cases.filter((x) => x.name.startsWith('real/')).length, 'the real-world fixtures (e2e/fixtures/corpus/real)').toBeGreaterThanOrEqual(30);
    const failures = compare(
      cases.map((x) => x.c),
      (i) => `corpus ${cases[i]!.name}`,
    );
    expect(failures.slice(0, 5).join('\n\n')).toBe('');
  }, 120_000);

  it(`renders ${FIXED_COUNT} generated templates (seed ${FIXED_SEED}) like the oracle`, () => {
    const cases = generateCases(FIXED_SEED, FIXED_COUNT);
    const failures = compare(cases, (i) => `generated seed ${FIXED_SEED} index ${i}`);
    expect(`${failures.length} of ${cases.length} differ\n\n${failures.slice(0, 3).join('\n\n')}`).toBe(`0 of ${cases.length} differ\n\n`);
  }, 300_000);

  it(`renders ${FRESH_COUNT} templates from a fresh seed like the oracle`, () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`differential: fresh seed ${seed}`);
    const cases = generateCases(seed, FRESH_COUNT);
    const failures = compare(cases, (i) => `generated seed ${seed} index ${i}`);
    expect(`${failures.length} of ${cases.length} differ\n\n${failures.slice(0, 3).join('\n\n')}`).toBe(`0 of ${cases.length} differ\n\n`);
  }, 120_000);
});
