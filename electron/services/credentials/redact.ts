import { Secret } from './secret';

const REDACTED = '[redacted]';

// `key: value` / `"key":"value"` / `key=value` where the key says it holds a secret.
const LABELLED = /((?:"|')?\b(?:secret|password|passwd|pwd|token|identitytoken|registrytoken|access_?token|refresh_?token|auth|authorization|credentials?|api_?key)\b(?:"|')?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi;
// Authorization header values that made it into an error text.
const AUTH_SCHEME = /\b(basic|bearer|jwt|token)\s+[A-Za-z0-9+/_.~=-]{8,}/gi;
// Opaque runs: tokens, base64, JWTs, hex keys. Letters and digits mixed so prose and plain paths survive.
const OPAQUE = /[A-Za-z0-9+/_.~=-]{20,}/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u009b]|\u001b\[[0-9;?]*[A-Za-z]/g;

/** Names whose value is a secret (or carries one, like DOCKER_AUTH_CONFIG). */
const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|_KEY|AUTH_CONFIG|CREDENTIALS?)$/i;

/**
 * Removes secrets from text that came from outside (a helper's stderr, an SDK's error message)
 * before it becomes a `problem`. Known secrets are replaced exactly; the patterns catch the ones
 * nobody told us about. Over-redaction is accepted: a problem text loses detail, never a secret.
 */
export class SecretScrubber {
  readonly #known = new Set<string>();

  remember(value: Secret | string | undefined): void {
    const text = value instanceof Secret ? value.reveal() : value;
    // Very short values would blank out ordinary words; patterns still catch labelled ones.
    if (text !== undefined && text.length >= 4) this.#known.add(text);
  }

  /** Every secret-looking variable of an environment, so a helper echoing one is caught. */
  rememberEnvironment(env: Readonly<Record<string, string | undefined>>): void {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && SECRET_ENV_NAME.test(name)) this.remember(value);
    }
  }

  scrub(text: string, maxLength = 300): string {
    let out = text.replace(CONTROL, ' ');
    // Longest first, so a secret that contains another one is removed whole.
    for (const known of [...this.#known].sort((a, b) => b.length - a.length)) out = out.split(known).join(REDACTED);
    out = out.replace(LABELLED, (_m, label: string) => `${label}${REDACTED}`);
    out = out.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${REDACTED}`);
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

/** JSON.parse messages quote the input (possibly a secret): keep only where it broke. */
export function describeJsonError(error: unknown, text: string): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return 'it is not valid JSON';
  const position = Math.min(Number(match[1]), text.length);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `it is not valid JSON (line ${line}, column ${column})`;
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
