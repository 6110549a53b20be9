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
  const keep = (policy.keep ?? []).map((p) => [p, tagMatcher(tags, p)] as [string, (i: number) => boolean]);
  const del = (policy.delete ?? []).map((p) => [p, tagMatcher(tags, p)] as [string, (i: number) => boolean]);
  const youngMs = policy.keepYoungerThan ? parseGoDuration(policy.keepYoungerThan.duration) : null;
  const facts = tagFacts(tags, ctx.builtAt);

  const newest = new Set<number>();
  const highest = new Set<number>();
  for (const g of facts.groups) {
    if (policy.keepNewest !== undefined && policy.keepNewest > 0) {
      for (const i of g.newestFirst.slice(0, policy.keepNewest)) newest.add(i);
    }
    if (policy.keepSemver !== undefined && policy.keepSemver > 0) {
      for (const i of g.highestSemverFirst.slice(0, policy.keepSemver)) highest.add(i);
    }
  }

  // One verdict object per rule outcome, shared by the tags it decides: the reasons are the same
  // sentence for thousands of tags, and building each anew dominated a re-plan.
  const keepVerdicts = keep.map(([p]): Verdict => ({ action: 'keep', reason: { rule: 'rules-keep', text: `The tag matches the keep pattern /${p}/.` } }));
  const deleteVerdicts = del.map(([p]): Verdict => ({ action: 'delete', reason: { rule: 'rules-delete', text: `The tag matches the delete pattern /${p}/ and no keep rule applies.` } }));
  const young = policy.keepYoungerThan;
  const youngUnknown: Verdict | null = young ? { action: 'keep', reason: { rule: 'rules-keep-younger', text: `Its ${young.by} time is unknown, so it is treated as younger than ${young.duration}.` } } : null;
  const youngKnown: Verdict | null = young ? { action: 'keep', reason: { rule: 'rules-keep-younger', text: `${young.by === 'pushed' ? 'Pushed' : 'Created'} less than ${young.duration} ago.` } } : null;
  const newestVerdict: Verdict = { action: 'keep', reason: { rule: 'rules-keep-newest', text: `One of the ${policy.keepNewest} newest tags of its image.` } };
  const semverVerdict: Verdict = { action: 'keep', reason: { rule: 'rules-keep-semver', text: `One of the ${policy.keepSemver} highest semantic versions of its image.` } };
  const defaultVerdict: Verdict =
    del.length > 0
      ? { action: 'keep', reason: { rule: 'rules-default', text: 'No delete pattern matches, and only matching tags are deleted.' } }
      : { action: 'delete', reason: { rule: 'rules-default', text: 'No keep rule applies to it.' } };
  const ageOf = young?.by === 'pushed' ? facts.pushedMs : facts.createdMs;

  for (const g of facts.groups) {
    for (const i of g.members) {
      const t = tags[i]!;
      if (protect.size > 0 && protect.has(t.tag)) {
        verdicts[i] = { action: 'keep', reason: { rule: 'rules-protect', text: `"${t.tag}" is on the protect list.` } };
        continue;
      }
      const k = keep.findIndex(([, m]) => m(i));
      if (k >= 0) {
        verdicts[i] = keepVerdicts[k];
        continue;
      }
      if (youngMs !== null && youngMs !== undefined && young) {
        const at = ageOf[i]!;
        if (Number.isNaN(at)) {
          verdicts[i] = youngUnknown!;
          continue;
        }
        if (at > nowMs - youngMs) {
          verdicts[i] = youngKnown!;
          continue;
        }
      }
      if (newest.has(i)) {
        verdicts[i] = newestVerdict;
        continue;
      }
      if (highest.has(i)) {
        verdicts[i] = semverVerdict;
        continue;
      }
      const d = del.findIndex(([, m]) => m(i));
      verdicts[i] = d >= 0 ? deleteVerdicts[d] : defaultVerdict;
    }
  }
  return { verdicts, warnings: [] };
}

/**
 * Regex answers per tag list and pattern, remembered: matching 20,000 tags on the linear engine is
 * the bulk of a rules plan, and re-plans (the view recomputes on every edit) mostly repeat the same
 * patterns. Answers fill in lazily (a tag decided by an earlier rule is never matched). A bounded
 * number of patterns per tag list, oldest dropped first, so typing a pattern does not grow it.
 */
const MATCH_CACHE_PATTERNS = 32;
const NOT_TESTED = 0;
const MATCHED = 1;
const NOT_MATCHED = 2;
const matchCache = new WeakMap<readonly CleanupTag[], Map<string, Uint8Array>>();

function tagMatcher(tags: readonly CleanupTag[], pattern: string): (i: number) => boolean {
  let perPattern = matchCache.get(tags);
  if (!perPattern) matchCache.set(tags, (perPattern = new Map()));
  let answers = perPattern.get(pattern);
  if (answers) {
    // Most recently used last, so the first entry is the one to drop.
    perPattern.delete(pattern);
  } else {
    answers = new Uint8Array(tags.length);
    if (perPattern.size >= MATCH_CACHE_PATTERNS) perPattern.delete(perPattern.keys().next().value!);
  }
  perPattern.set(pattern, answers);
  const known = answers;
  let matches: Matcher | null = null;
  return (i) => {
    if (known[i] === NOT_TESTED) {
      matches ??= goRegexpMatcher(pattern);
      known[i] = matches(tags[i]!.tag) ? MATCHED : NOT_MATCHED;
    }
    return known[i] === MATCHED;
  };
}

interface ImageGroup {
  /** Ordinary tags of one image (or repository), in tag order. */
  members: number[];
  newestFirst: number[];
  highestSemverFirst: number[];
}

interface TagFacts {
  groups: ImageGroup[];
  createdMs: Float64Array;
  pushedMs: Float64Array;
}

/**
 * What the rules read from the inventory that no rule setting changes — groups per image, their
 * newest-first and highest-semver-first orders, parsed times — computed once per tag list: the
 * Cleanup view re-runs the rules on every edit, and sorting and date parsing were most of a re-plan.
 */
const factsCache = new WeakMap<readonly CleanupTag[], TagFacts>();

function tagFacts(tags: readonly CleanupTag[], builtAt: Float64Array): TagFacts {
  const hit = factsCache.get(tags);
  if (hit) return hit;
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < tags.length; i++) {
    if (!isOrdinaryTag(tags[i]!)) continue;
    const t = tags[i]!;
    const key = t.image !== undefined ? `image\0${t.image ?? ''}` : `repo\0${t.repository}`;
    const g = byKey.get(key);
    if (g) g.push(i);
    else byKey.set(key, [i]);
  }
  const groups: ImageGroup[] = [];
  for (const members of byKey.values()) {
    const newestFirst = [...members].sort((a, b) => cmpNewest(builtAt[a]!, builtAt[b]!, tags[a]!, tags[b]!));
    const versions: [number, SemverVersion][] = [];
    for (const i of members) {
      const v = semverOf(tags[i]!.tag);
      if (v) versions.push([i, v]);
    }
    versions.sort((a, b) => b[1].compare(a[1]) || (tags[a[0]]!.tag < tags[b[0]]!.tag ? -1 : 1));
    groups.push({ members, newestFirst, highestSemverFirst: versions.map(([i]) => i) });
  }
  const parse = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));
  const facts: TagFacts = { groups, createdMs: Float64Array.from(tags, (t) => parse(t.created)), pushedMs: Float64Array.from(tags, (t) => parse(t.pushed)) };
  factsCache.set(tags, facts);
  return facts;
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
