/**
 * The project corpus: realistic werf projects under e2e/fixtures/corpus, each with the result werf
 * itself would give. `ok/<name>/` projects load without errors and define the listed images;
 * `errors/<name>/` projects report the listed problems at the listed file and line.
 * `real/<name>/` projects reproduce the structure of public werf projects (SOURCE.md names each
 * one): their expected.json is of either shape, `problems` for one whose real construct werf
 * itself refuses.
 *
 * Every fixture renders with only the environment written in its expected.json (never the real
 * process environment), so the results do not depend on the machine that runs the tests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ImageSummary, ProjectView } from '../../../shared/api/types';
import type { Problem } from '../../../shared/problems';
import type { WerfVersion } from '../../../shared/werf-config';
import { loadProject } from './load-project';

const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '../../../e2e/fixtures/corpus');

interface ExpectedImage {
  name: string | null;
  kind: ImageSummary['kind'];
  dockerfile?: string;
  context?: string;
  target?: string;
  from?: string;
  fromImage?: string;
  dependsOn?: string[];
  final?: boolean;
}

interface ExpectedOk {
  env?: Record<string, string>;
  /** Whose rules the fixture is read with; the current werf release when absent. */
  werfVersion?: WerfVersion;
  project: string;
  configVersion: number;
  images: ExpectedImage[];
  envRead?: string[];
  warnings?: number;
}

interface ExpectedProblem {
  code?: string;
  file: string;
  line: number;
  column?: number;
  message?: string;
}

interface ExpectedErrors {
  env?: Record<string, string>;
  werfVersion?: WerfVersion;
  problems: ExpectedProblem[];
}

const COMPARED_FIELDS = ['dockerfile', 'context', 'target', 'from', 'fromImage', 'dependsOn', 'final'] as const;

function fixtures(kind: 'ok' | 'errors' | 'real'): string[] {
  const root = join(CORPUS, kind);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort();
}

function readExpected<T>(dir: string): T {
  return JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as T;
}

/** Only the environment the fixture names: the real process environment must never leak in. */
function load(dir: string, env: Record<string, string> | undefined, werfVersion?: WerfVersion): Promise<ProjectView> {
  return loadProject(dir, { environment: { ...(env ?? {}) }, envOverrides: {}, now: () => new Date(Date.UTC(2025, 0, 15, 12, 0, 0)), ...(werfVersion ? { werfVersion } : {}) });
}

function where(p: Problem): string {
  const at = p.location ? `${p.location.file}:${p.location.line}:${p.location.column}` : '(no location)';
  return `${at} [${p.severity} ${p.code}] ${p.message}`;
}

function describeProblems(view: ProjectView): string {
  return view.problems.length ? view.problems.map(where).join('\n') : '(none)';
}

/** The fields of an image that the expectation lists, in the expectation's shape. */
function pick(image: ImageSummary, expected: ExpectedImage): ExpectedImage {
  const out: ExpectedImage = { name: image.name, kind: image.kind };
  const source = image as unknown as Record<string, unknown>;
  const target = out as unknown as Record<string, unknown>;
  for (const field of COMPARED_FIELDS) {
    if (field in expected) target[field] = source[field];
  }
  return out;
}

function matches(p: Problem, e: ExpectedProblem): boolean {
  if (p.severity !== 'error' || !p.location) return false;
  if (p.location.file !== e.file || p.location.line !== e.line) return false;
  if (e.column !== undefined && p.location.column !== e.column) return false;
  if (e.code !== undefined && p.code !== e.code) return false;
  if (e.message !== undefined && !p.message.includes(e.message)) return false;
  return true;
}

async function expectLoads(dir: string): Promise<void> {
  const expected = readExpected<ExpectedOk>(dir);
  const view = await load(dir, expected.env, expected.werfVersion);
  const errors = view.problems.filter((p) => p.severity === 'error');
  expect(errors.map(where), `problems:\n${describeProblems(view)}\nrendered:\n${view.rendered?.text ?? ''}`).toEqual([]);
  expect(view.project).toBe(expected.project);
  expect(view.configVersion).toBe(expected.configVersion);
  expect(
    view.images.map((image, i) => (expected.images[i] ? pick(image, expected.images[i]) : { name: image.name, kind: image.kind })),
    `rendered:\n${view.rendered?.text ?? ''}`,
  ).toEqual(expected.images);
  if (expected.envRead) expect(view.envRead).toEqual(expected.envRead);
  if (expected.warnings !== undefined) {
    const warnings = view.problems.filter((p) => p.severity === 'warning');
    expect(warnings.map(where), `problems:\n${describeProblems(view)}`).toHaveLength(expected.warnings);
  }
}

async function expectProblems(dir: string): Promise<void> {
  const expected = readExpected<ExpectedErrors>(dir);
  expect(expected.problems.length).toBeGreaterThan(0);
  const view = await load(dir, expected.env, expected.werfVersion);
  for (const problem of expected.problems) {
    const found = view.problems.some((p) => matches(p, problem));
    expect(found, `expected ${JSON.stringify(problem)}\ngot:\n${describeProblems(view)}\nrendered:\n${view.rendered?.text ?? ''}`).toBe(true);
  }
}

describe('project corpus: projects that load', () => {
  const names = fixtures('ok');
  it('has the projects', () => {
    expect(names.length).toBeGreaterThanOrEqual(32);
  });
  for (const name of names) it(name, () => expectLoads(join(CORPUS, 'ok', name)));
});

describe('project corpus: projects with errors', () => {
  const names = fixtures('errors');
  it('has the projects', () => {
    expect(names.length).toBeGreaterThanOrEqual(22);
  });
  for (const name of names) it(name, () => expectProblems(join(CORPUS, 'errors', name)));
});

describe('project corpus: real-world projects', () => {
  const names = fixtures('real');
  it('has at least 30, each naming its source', () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
    for (const name of names) expect(existsSync(join(CORPUS, 'real', name, 'SOURCE.md')), name).toBe(true);
  });
  for (const name of names) {
    const dir = join(CORPUS, 'real', name);
    it(name, () => ('problems' in readExpected<object>(dir) ? expectProblems(dir) : expectLoads(dir)));
  }
});
