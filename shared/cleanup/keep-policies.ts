import { parseGoDuration } from '../werf-config/go-duration';
import type { KeepPolicyLimit } from '../werf-config/types';
import { goRegexpProblem } from './go-match';
import type { PlanKeepPolicy, PolicyError } from './types';

/**
 * werf's keepPolicies when werf.yaml writes none (werf.md §6.3; werf's ReferencesToScan): the 10
 * newest tags; branches changed within a week, at most 10, with 2 images each from the last week;
 * and the long-lived branches with 10 images each. v1.2+ lists `main` with them.
 */
export function defaultKeepPolicies(defaultsFor: 'v1.1' | 'v2' = 'v2'): PlanKeepPolicy[] {
  const week = '168h';
  const weekMs = 168 * 3_600_000;
  return [
    { references: { tag: { regex: '.*' }, limit: { last: 10 } } },
    {
      references: { branch: { regex: '.*' }, limit: { last: 10, in: week, inMs: weekMs, operator: 'And' } },
      imagesPerReference: { last: 2, in: week, inMs: weekMs, operator: 'And' },
    },
    {
      references: { branch: { regex: defaultsFor === 'v1.1' ? '^(master|staging|production)$' : '^(main|master|staging|production)$' } },
      imagesPerReference: { last: 10 },
    },
  ];
}

/** `inMs` of a limit, parsing `in` when the caller gave only the text. */
export function limitInMs(limit: KeepPolicyLimit | undefined): number | undefined {
  if (!limit || limit.in === undefined) return undefined;
  if (limit.inMs !== undefined) return limit.inMs;
  const ms = parseGoDuration(limit.in);
  return ms ?? undefined;
}

/**
 * The checks werf runs on keepPolicies, with werf's own error texts (werf.yaml's parser reports the
 * same with positions; this covers policies edited in the app or passed programmatically).
 */
export function validateKeepPolicies(policies: readonly PlanKeepPolicy[]): PolicyError | null {
  for (const [i, p] of policies.entries()) {
    const at = p.source ? { file: p.source.file, line: p.source.line } : {};
    const where = `keepPolicies[${i}]`;
    if (!p.references) return { code: 'keep-policy-references-missing', message: 'cleanup keep policy must have references section!', ...at };
    const { branch, tag } = p.references;
    if (branch === undefined && tag === undefined) {
      return { code: 'keep-policy-reference-required', message: 'tag `tag: string|REGEX` or branch `branch: string|REGEX` required for cleanup keep policy!', hint: where, ...at };
    }
    if (branch !== undefined && tag !== undefined) {
      return { code: 'keep-policy-reference-conflict', message: 'specify only tag `tag: string|REGEX` or branch `branch: string|REGEX` for cleanup keep policy!', hint: where, ...at };
    }
    const m = branch ?? tag!;
    if (typeof m !== 'string') {
      const problem = goRegexpProblem(m.regex);
      if (problem !== null) {
        return { code: 'keep-policy-bad-regex', message: `invalid value "/${m.regex}/" for \`${branch !== undefined ? 'branch' : 'tag'}: string|REGEX\`!`, hint: problem, ...at };
      }
    }
    for (const [name, limit] of [['references.limit', p.references.limit], ['imagesPerReference', p.imagesPerReference]] as const) {
      if (!limit) continue;
      if (limit.operator !== undefined && limit.operator !== 'And' && limit.operator !== 'Or') {
        return { code: 'keep-policy-bad-operator', message: `unsupported value "${String(limit.operator)}" for \`operator: Or|And\`!`, hint: `${where}.${name}`, ...at };
      }
      if (limit.last !== undefined && (!Number.isInteger(limit.last) || limit.last < -1)) {
        return { code: 'keep-policy-bad-last', message: `\`${where}.${name}.last\`: an integer of -1 or more expected, got ${limit.last}`, ...at };
      }
      if (limit.in !== undefined && limitInMs(limit) === undefined) {
        return { code: 'keep-policy-bad-duration', message: `\`${where}.${name}.in\`: invalid duration "${limit.in}"`, hint: 'Use a Go duration such as `168h`.', ...at };
      }
    }
  }
  return null;
}

/** A policy in words, for the reason a tag was kept. */
export function describeKeepPolicy(p: PlanKeepPolicy, index: number): string {
  const m = p.references.branch ?? p.references.tag!;
  const kind = p.references.branch !== undefined ? 'branches' : 'tags';
  const name = typeof m === 'string' ? `"${m}"` : `/${m.regex}/`;
  const lim = describeLimit(p.references.limit);
  const ipr = describeLimit(p.imagesPerReference);
  return `keep policy #${index + 1} (${kind} ${name}${lim ? `, ${lim}` : ''}${ipr ? `; images per reference: ${ipr}` : ''})`;
}

function describeLimit(l: KeepPolicyLimit | undefined): string {
  if (!l) return '';
  const parts: string[] = [];
  if (l.last !== undefined) parts.push(l.last === -1 ? 'any number' : `last ${l.last}`);
  if (l.in !== undefined) parts.push(`in ${l.in}`);
  return parts.join(` ${l.operator ?? 'And'} `);
}
