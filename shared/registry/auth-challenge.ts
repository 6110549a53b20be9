/**
 * `WWW-Authenticate` parsing (RFC 7235 §4.1) as registries really send it, plus the token-scope
 * grammar of the Docker registry token spec. Pure: used by the main process and safe in the renderer.
 */

export interface AuthChallenge {
  /** Lower-cased (`Bearer` and `bearer` both occur in the wild). */
  scheme: string;
  /** Parameter names lower-cased; values unquoted and unescaped. Repeated `scope` params are joined with a space. */
  params: Record<string, string>;
  /** The `token68` form (`Negotiate abc==`), when the challenge has no parameters. */
  token68?: string;
}

export interface BearerChallenge {
  realm: string;
  service?: string;
  /** Each space-separated entry of `scope`, in order, without duplicates. */
  scopes: string[];
  /** e.g. `insufficient_scope` or `invalid_token`. */
  error?: string;
  errorDescription?: string;
}

export interface BasicChallenge {
  realm?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * A bare word after a comma is ambiguous: a new challenge without parameters (`Negotiate`) or the
 * rest of an unquoted value that contained a comma (`scope=repository:a:pull,push`). Only names
 * that are registered auth schemes start a new challenge; anything else continues the value.
 */
const KNOWN_SCHEMES: ReadonlySet<string> = new Set([
  'basic',
  'bearer',
  'digest',
  'negotiate',
  'ntlm',
  'hoba',
  'mutual',
  'vapid',
  'scram-sha-1',
  'scram-sha-256',
  'aws4-hmac-sha256',
]);

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(offset = 0): string {
    return this.s.charAt(this.pos + offset);
  }

  skipSpaces(): void {
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t')) this.pos++;
  }

  skipSpacesAndCommas(): void {
    while (!this.done && (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',')) this.pos++;
  }

  readToken(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** Reads a quoted-string; tolerates a missing closing quote by taking the rest of the header. */
  readQuoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.s.length) {
        out += this.peek(1);
        this.pos += 2;
        continue;
      }
      this.pos++;
      if (c === '"') return out;
      out += c;
    }
    return out;
  }

  /** An unquoted value: everything up to the next comma or whitespace. */
  readBare(): string {
    const start = this.pos;
    while (!this.done && this.peek() !== ',' && this.peek() !== ' ' && this.peek() !== '\t') this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** After optional spaces, is the next thing `name =` (an auth-param)? Does not move. */
  looksLikeParam(): boolean {
    const saved = this.pos;
    this.skipSpaces();
    const name = this.readToken();
    this.skipSpaces();
    const isParam = name !== '' && this.peek() === '=' && this.peek(1) !== '=';
    this.pos = saved;
    return isParam;
  }

  /** A token68 value stands alone: letters, then optional `=` padding, then the end or a comma. */
  tryToken68(): string | null {
    const saved = this.pos;
    const start = this.pos;
    while (!this.done && TOKEN68_CHAR.test(this.peek())) this.pos++;
    if (this.pos === start) return null;
    while (!this.done && this.peek() === '=') this.pos++;
    const value = this.s.slice(start, this.pos);
    const after = this.pos;
    this.skipSpaces();
    if (this.done || this.peek() === ',') {
      this.pos = after;
      return value;
    }
    this.pos = saved;
    return null;
  }
}

function addParam(params: Record<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  // Some servers send one scope per parameter; the token request needs all of them.
  if (key === 'scope' && params.scope !== undefined && params.scope !== '') {
    params.scope = `${params.scope} ${value}`;
    return;
  }
  params[key] = value;
}

/**
 * Parses one or more `WWW-Authenticate` header values. Several challenges may share one value
 * (`Basic realm="x", Bearer realm="y",service="z"`) and several header lines may be given.
 * Never throws: unparseable fragments are skipped, so a quirky registry still yields what it can.
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined | null): AuthChallenge[] {
  if (header === undefined || header === null) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: AuthChallenge[] = [];
  for (const value of values) out.push(...parseOne(value));
  return out;
}

function parseOne(value: string): AuthChallenge[] {
  const c = new Cursor(value);
  const challenges: AuthChallenge[] = [];
  let current: AuthChallenge | null = null;
  /** The param whose unquoted value may continue after a comma. */
  let bareParam: string | null = null;

  while (true) {
    c.skipSpacesAndCommas();
    if (c.done) break;

    if (current !== null && c.looksLikeParam()) {
      c.skipSpaces();
      const name = c.readToken();
      c.skipSpaces();
      c.pos++; // '='
      c.skipSpaces();
      if (c.peek() === '"') {
        addParam(current.params, name, c.readQuoted());
        bareParam = null;
      } else {
        addParam(current.params, name, c.readBare());
        bareParam = name.toLowerCase();
      }
      continue;
    }

    const saved = c.pos;
    const word = c.readToken();
    if (word === '') {
      // Junk such as a stray quote: skip one character and resynchronise.
      c.pos = saved + 1;
      continue;
    }
    const lower = word.toLowerCase();
    c.skipSpaces();
    const startsChallenge = current === null || KNOWN_SCHEMES.has(lower) || c.looksLikeParam();
    if (!startsChallenge && bareParam !== null && current !== null) {
      current.params[bareParam] = `${current.params[bareParam] ?? ''},${word}`;
      continue;
    }
    current = { scheme: lower, params: {} };
    challenges.push(current);
    bareParam = null;
    if (!c.done && c.peek() !== ',' && !c.looksLikeParam()) {
      const t68 = c.tryToken68();
      if (t68 !== null) current.token68 = t68;
    }
  }
  return challenges;
}

export function findChallenge(challenges: readonly AuthChallenge[], scheme: 'basic' | 'bearer'): AuthChallenge | undefined {
  return challenges.find((ch) => ch.scheme === scheme);
}

function splitScopes(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const seen = new Set<string>();
  for (const s of scope.split(/\s+/)) if (s !== '') seen.add(s);
  return [...seen];
}

/** The Bearer challenge of a header, or null when there is none or it lacks a realm. */
export function bearerChallenge(challenges: readonly AuthChallenge[]): BearerChallenge | null {
  const ch = findChallenge(challenges, 'bearer');
  if (!ch || !ch.params.realm) return null;
  const out: BearerChallenge = { realm: ch.params.realm, scopes: splitScopes(ch.params.scope) };
  if (ch.params.service !== undefined) out.service = ch.params.service;
  if (ch.params.error !== undefined) out.error = ch.params.error;
  if (ch.params.error_description !== undefined) out.errorDescription = ch.params.error_description;
  return out;
}

export function basicChallenge(challenges: readonly AuthChallenge[]): BasicChallenge | null {
  const ch = findChallenge(challenges, 'basic');
  if (!ch) return null;
  return ch.params.realm !== undefined ? { realm: ch.params.realm } : {};
}

// ---------------------------------------------------------------------------------------------
// Token scopes: `repository:<name>:<action>[,<action>]`, `registry:catalog:*`,
// `repository(plugin):<name>:pull`. The name may itself contain `:` (a host with a port), so
// the type ends at the first colon and the actions start after the last one.

export interface ResourceScope {
  type: string;
  /** Resource class in `type(class)`, e.g. `plugin`; rarely used. */
  resourceClass?: string;
  name: string;
  actions: string[];
}

const TYPE_WITH_CLASS = /^([a-z0-9]+)\(([a-z0-9]+)\)$/i;

export function parseScope(scope: string): ResourceScope | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const rawType = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (name === '') return null;
  const withClass = TYPE_WITH_CLASS.exec(rawType);
  const out: ResourceScope = withClass ? { type: withClass[1], resourceClass: withClass[2], name, actions } : { type: rawType, name, actions };
  return out;
}

export function formatScope(scope: ResourceScope): string {
  const type = scope.resourceClass ? `${scope.type}(${scope.resourceClass})` : scope.type;
  return `${type}:${scope.name}:${scope.actions.join(',')}`;
}

export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

/**
 * Merges scopes on the same resource (`repository:a:pull` + `repository:a:push` →
 * `repository:a:pull,push`), keeping first-seen order, so a cache key is stable.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, ResourceScope>();
  const passthrough: string[] = [];
  for (const s of scopes) {
    const parsed = parseScope(s);
    if (!parsed) {
      if (!passthrough.includes(s)) passthrough.push(s);
      continue;
    }
    const key = `${parsed.type}(${parsed.resourceClass ?? ''}):${parsed.name}`;
    const existing = byResource.get(key);
    if (!existing) {
      byResource.set(key, { ...parsed, actions: [...new Set(parsed.actions)] });
      continue;
    }
    for (const a of parsed.actions) if (!existing.actions.includes(a)) existing.actions.push(a);
  }
  return [...[...byResource.values()].map(formatScope), ...passthrough];
}
