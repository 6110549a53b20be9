/**
 * `WWW-Authenticate` for the test side (emulators, token servers, the e2e registry client), written
 * from RFC 7235 §2.1 / §4.1 and RFC 7230 §3.2.6 (quoted-string), independent of the app's parser so
 * the app's reading of a challenge is checked against something else than itself:
 *
 *   WWW-Authenticate = 1#challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *
 * Two things real registries send that the grammar does not allow are read leniently: unquoted
 * values with `/` and `:` (`realm=https://gcr.io/v2/token`), and an unquoted value whose commas
 * belong to it (`scope=repository:a:pull,push`): a bare word right after such a value, followed by
 * a comma or the end, continues the value instead of starting a parameter-less challenge.
 */
export interface Challenge {
  /** Lower-cased: schemes are case-insensitive (RFC 7235 §2.1). */
  scheme: string;
  /** Parameter names lower-cased (case-insensitive, §2.1); values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /[A-Za-z0-9\-._~+/]/;

class Reader {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  spaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
  /** Optional whitespace and list separators (`#rule` allows empty elements). */
  separators(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.i++;
  }
  token(): string {
    const from = this.i;
    while (!this.done && TCHAR.test(this.peek())) this.i++;
    return this.s.slice(from, this.i);
  }
  /** RFC 7230 quoted-string: `\` escapes the next character. Starts at the opening quote. */
  quoted(): string {
    this.i++;
    let out = '';
    while (!this.done) {
      const c = this.s[this.i++]!;
      if (c === '"') return out;
      if (c === '\\' && !this.done) out += this.s[this.i++];
      else out += c;
    }
    return out;
  }
  /** An unquoted value as registries write it: up to the next comma or whitespace. */
  bare(): string {
    const from = this.i;
    while (!this.done && !/[,\s]/.test(this.peek())) this.i++;
    return this.s.slice(from, this.i);
  }
  /** Looks ahead: is the text at `at` a `name=` (and not a token68's trailing `=`)? */
  paramAt(at: number): boolean {
    let j = at;
    while (j < this.s.length && TCHAR.test(this.s[j]!)) j++;
    if (j === at) return false;
    while (this.s[j] === ' ' || this.s[j] === '\t') j++;
    return this.s[j] === '=' && this.s[j + 1] !== '=';
  }
}

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const r = new Reader(header);
  const out: Challenge[] = [];
  let current: Challenge | null = null;
  let lastBare: string | null = null;
  while (true) {
    r.separators();
    if (r.done) break;
    const start = r.i;
    const word = r.token();
    if (word === '') {
      // Not a token character: skip it rather than loop (garbage between challenges).
      r.i++;
      continue;
    }
    r.spaces();
    if (current && r.peek() === '=' && r.s[r.i + 1] !== '=') {
      r.i++;
      r.spaces();
      const name = word.toLowerCase();
      const quoted = r.peek() === '"';
      const value = quoted ? r.quoted() : r.bare();
      // A repeated parameter (some servers repeat `scope`) keeps every value.
      current.params[name] = current.params[name] !== undefined ? `${current.params[name]} ${value}` : value;
      lastBare = quoted ? null : name;
      continue;
    }
    if (current && lastBare !== null && r.i === start + word.length && (r.done || r.peek() === ',') && header[start - 1] === ',') {
      current.params[lastBare] += `,${word}`;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
    lastBare = null;
    r.spaces();
    if (r.done || r.peek() === ',') continue;
    if (r.paramAt(r.i)) continue;
    // token68: the rest up to a comma, with trailing `=` padding.
    const from = r.i;
    while (!r.done && TOKEN68.test(r.peek())) r.i++;
    while (r.peek() === '=') r.i++;
    if (r.i > from) current.token68 = header.slice(from, r.i);
  }
  return out;
}

export function findChallenge(header: string | null | undefined, scheme: 'basic' | 'bearer'): Challenge | undefined {
  return parseChallenges(header).find((c) => c.scheme === scheme);
}

/** Writes one challenge with every value as a quoted-string (`"` and `\` escaped). */
export function formatChallenge(scheme: string, params: Record<string, string>): string {
  const quote = (v: string): string => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const list = Object.entries(params).map(([k, v]) => `${k}=${quote(v)}`);
  return list.length > 0 ? `${scheme} ${list.join(',')}` : scheme;
}
