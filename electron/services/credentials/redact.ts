import { Secret } from './secret';

const REDACTED = '[redacted]';

// `key: value` / `"key":"value"` / `key=value` where the key says it holds a secret.
const LABELLED = /((?:"|')?\b(?:secret|password|passwd|pwd|token|identitytoken|registrytoken|access_?token|refresh_?token|auth|authorization|credentials?|api_?key)\b(?:"|')?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi;
// Authorization header values that made it into an error text.
const AUTH_SCHEME = /\b(basic|bearer|jwt|token)\s+[A-Za-z0-9+/_.~=-]{8,}/gi;
// Opaque runs: tokens, base64, JWTs, hex keys. Letters and digits mixed so prose and plain paths survive.
const OPAQUE = /[A-Za-z0-9+/_.~=-]{20,}/g;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f\u009b]/g;

/** Names whose value is a secret (or carries one, like DOCKER_AUTH_CONFIG). */
const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|_KEY|AUTH_CONFIG|CREDENTIALS?)$/i;

/**
 * Removes secrets from text that came from outside (a helper's stderr, an SDK's error message)
 * before it becomes a `problem`. Known secrets are replaced exactly; the patterns catch the ones
 * nobody told us about. Over-redaction is accepted: a problem text loses detail, never a secret.
 */
export class SecretScrubber {
  // Kept as Secrets like everywhere else, so inspecting the scrubber shows nothing.
  readonly #known: Secret[] = [];

  remember(value: Secret | string | undefined): void {
    const secret = typeof value === 'string' ? new Secret(value) : value;
    // Very short values would blank out ordinary words; patterns still catch labelled ones.
    if (secret === undefined || secret.reveal().length < 4) return;
    if (this.#known.some((k) => k.reveal() === secret.reveal())) return;
    this.#known.push(secret);
  }

  /** Every secret-looking variable of an environment, so a helper echoing one is caught. */
  rememberEnvironment(env: Readonly<Record<string, string | undefined>>): void {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && SECRET_ENV_NAME.test(name)) this.remember(value);
    }
  }

  scrub(text: string, maxLength = 300): string {
    let out = text.trim().replace(ANSI, '').replace(CONTROL, ' ');
    // Longest first, so a secret that contains another one is removed whole.
    const known = this.#known.map((k) => k.reveal()).sort((a, b) => b.length - a.length);
    for (const value of known) out = out.split(value).join(REDACTED);
    // Schemes before labels: "Authorization: Bearer x" must lose x, not just the word "Bearer".
    out = out.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    out = out.replace(LABELLED, (_m, label: string) => `${label}${REDACTED}`);
    out = out.replace(OPAQUE, (run) => (looksOpaque(run) ? REDACTED : run));
    out = out.replace(/\s*\n\s*/g, ' | ').replace(/\s{2,}/g, ' ').trim();
    return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
  }
}

/**
 * Mixed letters and digits, and then either mixed case (base64, JWTs, PATs), a long hex run, or no
 * path punctuation at all. Lower-case URLs and paths (`https://index.docker.io/v1/`) stay readable.
 */
function looksOpaque(run: string): boolean {
  if (!/[0-9]/.test(run) || !/[A-Za-z]/.test(run)) return false;
  if (/[a-z]/.test(run) && /[A-Z]/.test(run)) return true;
  if (/[0-9a-f]{32,}/i.test(run)) return true;
  return !/[./]/.test(run);
}

/**
 * JSON.parse messages quote the input (possibly a secret), and V8 does not always say where it
 * broke, so the position comes from our own scan and the message is never used.
 */
export function describeJsonError(_error: unknown, text: string): string {
  const position = jsonErrorOffset(text);
  if (position === null) return 'it is not valid JSON';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `it is not valid JSON (line ${line}, column ${column})`;
}

/** Offset of the first JSON syntax error (RFC 8259), or null when the text is valid. */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail();
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : null;
  } catch (offset) {
    return typeof offset === 'number' ? Math.min(offset, text.length) : 0;
  }
}

/**
 * When a token says when it stops working: a JWT's `exp`, or the `expiration` inside an ECR
 * registry password (base64 JSON, what ecr-login and `aws ecr get-login-password` hand out).
 * Only that number is read; the token itself never leaves the Secret.
 */
export function tokenExpiry(token: Secret): Date | undefined {
  return jwtExpiry(token) ?? ecrPasswordExpiry(token);
}

function ecrPasswordExpiry(token: Secret): Date | undefined {
  const text = token.reveal();
  if (text.length < 40 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const exp = (payload as Record<string, unknown>).expiration;
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When a token is a JWT, its `exp` claim says when it stops working. Only the claim is read; the
 * token itself never leaves the Secret.
 */
export function jwtExpiry(token: Secret): Date | undefined {
  const parts = token.reveal().split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof payload !== 'object' || payload === null) return undefined;
    const exp = (payload as Record<string, unknown>).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
