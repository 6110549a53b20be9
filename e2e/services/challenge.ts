export interface Challenge {
  /** Lower-cased scheme: `basic`, `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` value that may hold several challenges (Quay sends
 * `Basic …, Bearer …` in one header), unquoted values and lower-case schemes.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  let current: Challenge | null = null;
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const save = i;
    const token = readToken();
    if (!token) {
      i++;
      continue;
    }
    skipWs();
    if (s[i] === '=' && current) {
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < s.length && s[i] !== ',' && s[i] !== ' ') i++;
        value = s.slice(start, i);
      }
      current.params[token.toLowerCase()] = value;
    } else if (s[i] === '=' && !current) {
      i = save + token.length + 1;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

export function findChallenge(header: string | null | undefined, scheme: 'basic' | 'bearer'): Challenge | undefined {
  return parseChallenges(header).find((c) => c.scheme === scheme);
}
