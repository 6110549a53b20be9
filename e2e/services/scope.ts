import { formatScope as formatResourceScope, parseScope as parseResourceScope } from '../../shared/registry/auth-challenge';

/** One entry of the Docker token `access` claim, also the parsed form of a `scope` string. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:team/app:pull,push` → entry; the name may itself contain `:` (a `host:port/…` style name). */
export function parseScope(scope: string): AccessEntry | null {
  const parsed = parseResourceScope(scope);
  if (!parsed) return null;
  // The access claim keeps a `type(class)` type as it was asked.
  return { type: parsed.resourceClass ? `${parsed.type}(${parsed.resourceClass})` : parsed.type, name: parsed.name, actions: parsed.actions };
}

/** Parses several `scope` values (each may hold space-separated scopes) and merges duplicates. */
export function parseScopes(values: Iterable<string>): AccessEntry[] {
  const merged = new Map<string, AccessEntry>();
  for (const v of values) {
    for (const s of v.split(' ')) {
      if (!s) continue;
      const e = parseScope(s);
      if (!e) continue;
      const key = `${e.type}:${e.name}`;
      const prev = merged.get(key);
      if (prev) {
        for (const a of e.actions) if (!prev.actions.includes(a)) prev.actions.push(a);
      } else merged.set(key, { ...e, actions: [...e.actions] });
    }
  }
  return [...merged.values()];
}

/** `type:name:actions`, the inverse of parseScope. */
export const formatScope: (e: AccessEntry) => string = formatResourceScope;

/** Glob over repository names: `*` matches anything (including `/`), `?` one character. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/** True when `granted` (a token's access claim) covers `action` on `type:name`; `*` covers all. */
export function accessAllows(granted: AccessEntry[], type: string, name: string, action: string): boolean {
  return granted.some((g) => g.type === type && g.name === name && (g.actions.includes(action) || g.actions.includes('*')));
}

/**
 * What a token server hands out: the intersection of what was asked and what is allowed, silently
 * dropping the rest (a 200 from the token server never means "delete is allowed").
 */
export function intersect(requested: AccessEntry[], allowedFor: (e: AccessEntry) => Set<string>): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const r of requested) {
    const allowed = allowedFor(r);
    const actions = r.actions.filter((a) => allowed.has('*') || allowed.has(a));
    if (actions.length > 0) out.push({ type: r.type, name: r.name, actions });
  }
  return out;
}
