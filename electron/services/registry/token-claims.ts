import { z } from 'zod';
import { parseScope, type ResourceScope } from '../../../shared/registry/auth-challenge';

/** One entry of a registry JWT's `access` claim (distribution token spec). */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/** What a token lets us do, as far as it can be read without the server's key. */
export type GrantView =
  | { inspectable: true; access: AccessEntry[]; expiresAt?: number; subject?: string; issuer?: string }
  | { inspectable: false; reason: string };

const accessEntry = z.object({
  type: z.string(),
  name: z.string(),
  actions: z.array(z.string()).nullish(),
});

const claims = z.object({
  access: z.array(accessEntry).nullish(),
  exp: z.number().optional(),
  sub: z.string().optional(),
  iss: z.string().optional(),
});

function base64UrlDecode(part: string): string | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(part)) return null;
  try {
    return Buffer.from(part, 'base64url').toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Reads the `access` claim of a registry token. The signature is NOT verified: this only shows
 * the user what the token server granted; the registry is the one that enforces it.
 */
export function inspectToken(token: string): GrantView {
  const parts = token.split('.');
  if (parts.length !== 3) return { inspectable: false, reason: 'the token is opaque (not a JWT), so what it grants cannot be read' };
  const json = base64UrlDecode(parts[1]!);
  if (json === null) return { inspectable: false, reason: 'the token looks like a JWT but its payload is not base64url' };
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    return { inspectable: false, reason: 'the token looks like a JWT but its payload is not JSON' };
  }
  const parsed = claims.safeParse(payload);
  if (!parsed.success) return { inspectable: false, reason: 'the token is a JWT with an unexpected claim layout' };
  if (parsed.data.access === undefined) return { inspectable: false, reason: 'the token is a JWT without an "access" claim' };
  const access = (parsed.data.access ?? []).map((e) => ({ type: e.type, name: e.name, actions: e.actions ?? [] }));
  const out: GrantView = { inspectable: true, access };
  if (parsed.data.exp !== undefined) out.expiresAt = parsed.data.exp * 1000;
  if (parsed.data.sub !== undefined) out.subject = parsed.data.sub;
  if (parsed.data.iss !== undefined) out.issuer = parsed.data.iss;
  return out;
}

export interface ScopeComparison {
  inspectable: boolean;
  /** Per requested resource: what was asked, what came back. */
  resources: Array<{ scope: ResourceScope; granted: string[]; missing: string[] }>;
  /** True when every requested action was granted (false when not inspectable). */
  complete: boolean;
  reason?: string;
}

/**
 * Token servers answer with the intersection of what was asked and what the user may do, without
 * saying so (distribution token spec): a 200 does not mean delete is allowed. This compares.
 */
export function compareGrant(requested: readonly string[], grant: GrantView): ScopeComparison {
  const scopes = requested.map(parseScope).filter((s): s is ResourceScope => s !== null);
  if (!grant.inspectable) {
    return { inspectable: false, complete: false, reason: grant.reason, resources: scopes.map((scope) => ({ scope, granted: [], missing: [] })) };
  }
  const resources = scopes.map((scope) => {
    const entries = grant.access.filter((a) => a.type === scope.type && (a.name === scope.name || a.name === '*'));
    const actions = new Set(entries.flatMap((e) => e.actions));
    const all = actions.has('*');
    const granted = scope.actions.filter((a) => all || actions.has(a));
    const missing = scope.actions.filter((a) => !(all || actions.has(a)));
    return { scope, granted, missing };
  });
  return { inspectable: true, complete: resources.every((r) => r.missing.length === 0), resources };
}
