import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../problems';
import { validateRules } from './rules';
import type { PolicyError, RulesPolicy, StrategyLimit, WerfTagStrategyPolicy } from './types';

/**
 * Stowage's policy file (YAML), for `stowage cleanup --policy FILE` and the app's rules editor.
 *
 *   policy: rules                 # optional; `rules` (default) or `werf-tag-strategy`
 *   protect: [latest, stable]     # exact tag names never deleted
 *   keep: ['^release-']           # Go regexes: kept
 *   delete: ['^pr-', '^tmp-']     # Go regexes: only these may be deleted (absent: any tag)
 *   keepNewest: 10                # per image
 *   keepYoungerThan: 168h         # or { duration: 168h, by: pushed } (default by: created)
 *   keepSemver: 5                 # highest semantic versions per image
 *
 *   policy: werf-tag-strategy     # werf v1.1's --git-*-strategy-limit / -expiry-days
 *   gitTag: { limit: 10, expiryDays: 30 }
 *   gitCommit: { limit: 20 }
 *   gitBranch: { expiryDays: 90 } # not a werf flag; Stowage's extension
 *
 * Precedence of the rules: see rules.ts (protect > keep > keepYoungerThan > keepNewest >
 * keepSemver > delete > default). Every error names the line it is about.
 */

export type PolicyFileResult = { ok: true; policy: RulesPolicy | WerfTagStrategyPolicy } | { ok: false; error: PolicyError };

const RULE_KEYS = ['policy', 'protect', 'keep', 'delete', 'keepNewest', 'keepYoungerThan', 'keepSemver'];
const STRATEGY_KEYS = ['policy', 'gitBranch', 'gitTag', 'gitCommit'];
const LIMIT_KEYS = ['limit', 'expiryDays'];
const MAX_FILE_BYTES = 256 * 1024;

export function parsePolicyFile(text: string, file: string): PolicyFileResult {
  const lc = new LineCounter();
  const fail = (code: string, message: string, node?: YamlNode | null, hint?: string): PolicyFileResult => {
    const line = node?.range ? lc.linePos(node.range[0]).line : 1;
    return { ok: false, error: { code, message: `${file}:${line}: ${message}`, file, line, ...(hint ? { hint } : {}) } };
  };
  if (text.length > MAX_FILE_BYTES) return fail('policy-file-too-large', `the policy file is larger than ${MAX_FILE_BYTES} bytes`);
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    return { ok: false, error: { code: 'policy-file-yaml', message: `${file}:${line}: ${e.message.split('\n')[0]}`, file, line } };
  }
  const root = doc.contents;
  if (!isMap(root)) return fail('policy-file-shape', 'a mapping of policy settings expected (for example `keepNewest: 10`)', root as YamlNode | null);

  const loc = (node: YamlNode | null | undefined): SourceLocation => ({ file, line: node?.range ? lc.linePos(node.range[0]).line : 1, column: node?.range ? lc.linePos(node.range[0]).col : 1 });
  const entries = new Map<string, { key: YamlNode; value: YamlNode | null }>();
  for (const pair of root.items) {
    const key = pair.key as YamlNode | null;
    if (!isScalar(key) || typeof key.value !== 'string') return fail('policy-file-key', 'keys must be plain names', key);
    entries.set(key.value, { key, value: (pair.value as YamlNode | null) ?? null });
  }
  const policyEntry = entries.get('policy');
  const kind = policyEntry ? (isScalar(policyEntry.value) ? policyEntry.value.value : undefined) : 'rules';
  if (kind !== 'rules' && kind !== 'werf-tag-strategy') {
    return fail('policy-file-policy', `policy: "rules" or "werf-tag-strategy" expected, got ${JSON.stringify(kind ?? null)}`, policyEntry?.value ?? policyEntry?.key);
  }
  const allowed = kind === 'rules' ? RULE_KEYS : STRATEGY_KEYS;
  for (const [name, e] of entries) {
    if (!allowed.includes(name)) {
      return fail('policy-file-unknown-key', `unknown key "${name}" for policy ${kind}`, e.key, `Known keys: ${allowed.join(', ')}.`);
    }
  }

  const count = (name: string, node: YamlNode | null): number | PolicyFileResult => {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) return fail('policy-file-number', `${name}: a whole number expected`, node);
    if (node.value < 0) return fail('policy-file-negative', `${name}: must not be negative, got ${node.value}`, node);
    return node.value;
  };
  const strings = (name: string, node: YamlNode | null): string[] | PolicyFileResult => {
    if (isScalar(node) && typeof node.value === 'string') return [node.value];
    if (!isSeq(node)) return fail('policy-file-list', `${name}: a list of strings expected`, node);
    const out: string[] = [];
    for (const item of node.items as (YamlNode | null)[]) {
      if (!isScalar(item) || (typeof item.value !== 'string' && typeof item.value !== 'number')) return fail('policy-file-list', `${name}: every entry must be a string`, item ?? node);
      out.push(String(item.value));
    }
    return out;
  };
  const isFail = (v: unknown): v is PolicyFileResult => typeof v === 'object' && v !== null && 'ok' in v;

  if (kind === 'werf-tag-strategy') {
    const policy: WerfTagStrategyPolicy = { policy: 'werf-tag-strategy' };
    for (const name of ['gitBranch', 'gitTag', 'gitCommit'] as const) {
      const e = entries.get(name);
      if (!e) continue;
      if (!isMap(e.value)) return fail('policy-file-shape', `${name}: a mapping such as { limit: 10, expiryDays: 30 } expected`, e.value ?? e.key);
      const limit: StrategyLimit = {};
      for (const pair of e.value.items) {
        const k = pair.key as YamlNode | null;
        const key = isScalar(k) ? String(k.value) : '';
        if (!LIMIT_KEYS.includes(key)) return fail('policy-file-unknown-key', `unknown key "${key}" in ${name}`, k, `Known keys: ${LIMIT_KEYS.join(', ')}.`);
        const v = count(`${name}.${key}`, pair.value as YamlNode | null);
        if (isFail(v)) return v;
        limit[key as keyof StrategyLimit] = v;
      }
      policy[name] = limit;
    }
    return { ok: true, policy };
  }

  const policy: RulesPolicy = { policy: 'rules', sources: {} };
  for (const name of ['protect', 'keep', 'delete'] as const) {
    const e = entries.get(name);
    if (!e) continue;
    const v = strings(name, e.value);
    if (isFail(v)) return v;
    policy[name] = v;
    policy.sources![name] = loc(e.key);
    if (name !== 'protect') {
      // Point a bad pattern at its own line, not the key's.
      const items = isSeq(e.value) ? (e.value.items as (YamlNode | null)[]) : [e.value];
      for (const [j, p] of v.entries()) {
        const one = validateRules({ policy: 'rules', [name]: [p] });
        if (one) return fail(one.code, one.message, items[j] ?? e.value);
      }
    }
  }
  for (const name of ['keepNewest', 'keepSemver'] as const) {
    const e = entries.get(name);
    if (!e) continue;
    const v = count(name, e.value);
    if (isFail(v)) return v;
    policy[name] = v;
    policy.sources![name] = loc(e.key);
  }
  const young = entries.get('keepYoungerThan');
  if (young) {
    let duration: unknown;
    let by: unknown = 'created';
    let node: YamlNode | null = young.value;
    if (isScalar(young.value)) duration = young.value.value;
    else if (isMap(young.value)) {
      for (const pair of young.value.items) {
        const k = pair.key as YamlNode | null;
        const key = isScalar(k) ? String(k.value) : '';
        const value = pair.value as YamlNode | null;
        if (key === 'duration') {
          duration = isScalar(value) ? value.value : undefined;
          node = value;
        } else if (key === 'by') by = isScalar(value) ? value.value : undefined;
        else return fail('policy-file-unknown-key', `unknown key "${key}" in keepYoungerThan`, k, 'Known keys: duration, by.');
      }
    } else return fail('policy-file-shape', 'keepYoungerThan: a Go duration such as 168h, or { duration, by } expected', young.value ?? young.key);
    if (typeof duration !== 'string') return fail('policy-file-duration', 'keepYoungerThan: a Go duration such as 168h expected', node ?? young.key);
    if (duration.startsWith('-')) return fail('policy-file-negative', `keepYoungerThan: must not be negative, got ${duration}`, node ?? young.key);
    policy.keepYoungerThan = { duration, by: by as 'created' | 'pushed' };
    policy.sources!.keepYoungerThan = loc(young.key);
    const problem = validateRules({ policy: 'rules', keepYoungerThan: policy.keepYoungerThan });
    if (problem) return fail(problem.code, problem.message, node ?? young.key);
  }
  return { ok: true, policy };
}
