/*
 * Token scopes as the test side reads and writes them, from the distribution token spec
 * (docs/spec/auth/scope.md), independent of the app's own parser:
 *
 *   scope         := resourcescope [ ' ' resourcescope ]*
 *   resourcescope := resourcetype ":" resourcename ":" action [ ',' action ]*
 *   resourcetype  := resourcetypevalue [ '(' resourcetypevalue ')' ]
 *   resourcename  := [ hostname '/' ] component [ '/' component ]*
 *
 * The name sits between the first and the last colon, so a `host:port/app` name keeps its colon.
 */

/** One entry of the Docker token `access` claim, also the parsed form of a `scope` string. */
export interface AccessEntry {
  /** As asked, class included: `repository`, `repository(plugin)`, `registry`. */
  type: string;
  name: string;
  actions: string[];
}

const TYPE = /^[a-z0-9]+(\([a-z0-9]+\))?$/;
/** Actions are lower-case words (ACR's `metadata_read`); `*` is what `registry:catalog:*` asks for. */
const ACTION = /^([a-z_]+|\*)$/;

/** `repository:team/app:pull,push` → entry; null when it is not a resource scope. */
export function parseScope(scope: string): AccessEntry | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',').filter((a) => a !== '');
  if (!TYPE.test(type) || name === '' || actions.length === 0 || !actions.every((a) => ACTION.test(a))) return null;
  return { type, name, actions: [...new Set(actions)] };
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
export function formatScope(e: AccessEntry): string {
  return `${e.type}:${e.name}:${e.actions.join(',')}`;
}

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
