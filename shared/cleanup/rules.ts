import { SemverVersion } from '../gotemplate/semver';
import { parseGoDuration } from '../werf-config/go-duration';
import { goRegexpMatcher, goRegexpProblem, type Matcher } from './go-match';
import { isOrdinaryTag, type PolicyContext, type PolicyResult, type Verdict } from './policy-context';
import type { CleanupTag, PolicyError, RulesPolicy } from './types';

/**
 * The `rules` policy for images werf did not build (or by choice). Each tag is judged by the first
 * rule that speaks about it, in this order:
 *
 *   1. protect            exact tag names, always kept
 *   2. keep               Go regexes, kept
 *   3. keepYoungerThan    kept while younger than the duration (unknown age counts as young)
 *   4. keepNewest         the N newest per image kept
 *   5. keepSemver         the N highest semantic versions per image kept
 *   6. delete             Go regexes: a match is deleted
 *   7. default            deleted when `delete` is absent; kept when `delete` lists patterns
 *
 * "Per image" is the werf image when the inventory knows it, else the repository.
 */
export function runRules(policy: RulesPolicy, ctx: PolicyContext): PolicyResult {
  const { tags, nowMs } = ctx;
  const verdicts: (Verdict | undefined)[] = new Array(tags.length).fill(undefined);
  const protect = new Set(policy.protect ?? []);
  const keep = (policy.keep ?? []).map((p) => [p, goRegexpMatcher(p)] as [string, Matcher]);
  const del = (policy.delete ?? []).map((p) => [p, goRegexpMatcher(p)] as [string, Matcher]);
  const youngMs = policy.keepYoungerThan ? parseGoDuration(policy.keepYoungerThan.duration) : null;

  const groups = new Map<string, number[]>();
  for (let i = 0; i < tags.length; i++) {
    if (!isOrdinaryTag(tags[i]!)) continue;
    const t = tags[i]!;
    const key = t.image !== undefined ? `image\0${t.image ?? ''}` : `repo\0${t.repository}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }

  const newest = new Set<number>();
  const highest = new Set<number>();
  for (const members of groups.values()) {
    if (policy.keepNewest !== undefined && policy.keepNewest > 0) {
      const sorted = [...members].sort((a, b) => cmpNewest(ctx.builtAt[a]!, ctx.builtAt[b]!, tags[a]!, tags[b]!));
      for (const i of sorted.slice(0, policy.keepNewest)) newest.add(i);
    }
    if (policy.keepSemver !== undefined && policy.keepSemver > 0) {
      const versions: [number, SemverVersion][] = [];
      for (const i of members) {
        const v = semverOf(tags[i]!.tag);
        if (v) versions.push([i, v]);
      }
      versions.sort((a, b) => b[1].compare(a[1]) || (tags[a[0]]!.tag < tags[b[0]]!.tag ? -1 : 1));
      for (const [i] of versions.slice(0, policy.keepSemver)) highest.add(i);
    }
  }

  for (const members of groups.values()) {
    for (const i of members) {
      const t = tags[i]!;
      if (protect.has(t.tag)) {
        verdicts[i] = { action: 'keep', reason: { rule: 'rules-protect', text: `"${t.tag}" is on the protect list.` } };
        continue;
      }
      const k = keep.find(([, m]) => m(t.tag));
      if (k) {
        verdicts[i] = { action: 'keep', reason: { rule: 'rules-keep', text: `The tag matches the keep pattern /${k[0]}/.` } };
        continue;
      }
      if (youngMs !== null && youngMs !== undefined && policy.keepYoungerThan) {
        const by = policy.keepYoungerThan.by;
        const iso = by === 'pushed' ? t.pushed : t.created;
        const at = iso === undefined ? Number.NaN : Date.parse(iso);
        if (Number.isNaN(at)) {
          verdicts[i] = { action: 'keep', reason: { rule: 'rules-keep-younger', text: `Its ${by} time is unknown, so it is treated as younger than ${policy.keepYoungerThan.duration}.` } };
          continue;
        }
        if (at > nowMs - youngMs) {
          verdicts[i] = { action: 'keep', reason: { rule: 'rules-keep-younger', text: `${by === 'pushed' ? 'Pushed' : 'Created'} less than ${policy.keepYoungerThan.duration} ago.` } };
          continue;
        }
      }
      if (newest.has(i)) {
        verdicts[i] = { action: 'keep', reason: { rule: 'rules-keep-newest', text: `One of the ${policy.keepNewest} newest tags of its image.` } };
        continue;
      }
      if (highest.has(i)) {
        verdicts[i] = { action: 'keep', reason: { rule: 'rules-keep-semver', text: `One of the ${policy.keepSemver} highest semantic versions of its image.` } };
        continue;
      }
      const d = del.find(([, m]) => m(t.tag));
      if (d) {
        verdicts[i] = { action: 'delete', reason: { rule: 'rules-delete', text: `The tag matches the delete pattern /${d[0]}/ and no keep rule applies.` } };
        continue;
      }
      verdicts[i] =
        del.length > 0
          ? { action: 'keep', reason: { rule: 'rules-default', text: 'No delete pattern matches, and only matching tags are deleted.' } }
          : { action: 'delete', reason: { rule: 'rules-default', text: 'No keep rule applies to it.' } };
    }
  }
  return { verdicts, warnings: [] };
}

/** Newest first by created, else pushed; undated tags count as newest (the safe side); ties by name. */
function cmpNewest(ta: number, tb: number, a: CleanupTag, b: CleanupTag): number {
  const na = Number.isNaN(ta);
  const nb = Number.isNaN(tb);
  if (na !== nb) return na ? -1 : 1;
  if (!na && ta !== tb) return tb - ta;
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

const SEMVER_TAG = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

function semverOf(tag: string): SemverVersion | null {
  if (!SEMVER_TAG.test(tag)) return null;
  try {
    return SemverVersion.parse(tag);
  } catch {
    return null;
  }
}

/** What would make the rules unusable, before any tag is judged. */
export function validateRules(policy: RulesPolicy): PolicyError | null {
  const at = (key: keyof NonNullable<RulesPolicy['sources']>): { file?: string; line?: number } => {
    const s = policy.sources?.[key];
    return s ? { file: s.file, line: s.line } : {};
  };
  for (const key of ['keep', 'delete'] as const) {
    for (const p of policy[key] ?? []) {
      const problem = goRegexpProblem(p);
      if (problem !== null) return { code: 'rules-bad-regex', message: `${key}: /${p}/ is not a valid Go regular expression: ${problem}`, ...at(key) };
    }
  }
  for (const key of ['keepNewest', 'keepSemver'] as const) {
    const v = policy[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) return { code: 'rules-bad-number', message: `${key}: a count of 0 or more expected, got ${v}`, ...at(key) };
  }
  if (policy.keepYoungerThan) {
    const ms = parseGoDuration(policy.keepYoungerThan.duration);
    if (ms === null || ms < 0) return { code: 'rules-bad-duration', message: `keepYoungerThan.duration: "${policy.keepYoungerThan.duration}" is not a Go duration such as 168h`, ...at('keepYoungerThan') };
    if (policy.keepYoungerThan.by !== 'created' && policy.keepYoungerThan.by !== 'pushed') {
      return { code: 'rules-bad-by', message: `keepYoungerThan.by: "created" or "pushed" expected, got "${String(policy.keepYoungerThan.by)}"`, ...at('keepYoungerThan') };
    }
  }
  return null;
}
