import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import { compareGrant } from '../token-claims';
import { result, said, transportFailure, ZERO_DIGEST } from './common';
import type { PermissionProbeContext, PermissionProbeResult } from './types';

export interface RegistryDeleteOptions {
  /** Token scope the DELETE needs on this registry (distribution: delete; Quay: pull,push). */
  actions: string[];
  /** What to do when denied, in this registry's terms. */
  deniedHint: string;
  /** What a 404 proves here (some registries 404 before checking permission). */
  allowedNote?: string;
  /** How to switch deletes on when the registry answers 405/UNSUPPORTED; a generic sentence otherwise. */
  disabledHint?: string;
}

/** Where a redirect pointed, without its query (a signed URL's secrets) or user info. */
function safeLocation(location: string, base: URL): string {
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'an invalid address';
  }
}

/**
 * `DELETE /v2/<repo>/manifests/sha256:000…`: the digest cannot exist, so nothing is deleted. The
 * registry checks the permission first: 404 means the call was allowed, 401/403 that it was not,
 * 405/UNSUPPORTED that the registry has deletes switched off.
 */
export async function registryDeleteProbe(ctx: PermissionProbeContext, opts: RegistryDeleteOptions): Promise<PermissionProbeResult> {
  const path = `/v2/${ctx.repository}/manifests/${ZERO_DIGEST}`;
  const call = `DELETE /v2/${ctx.repository}/manifests/sha256:000…0`;
  const scopes = [repositoryScope(ctx.repository, opts.actions)];
  const r = await ctx.auth.request({
    method: 'DELETE',
    path,
    scopes,
    headers: { accept: 'application/json' },
    maxBytes: 64 * 1024,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!r.outcome.ok) return transportFailure(call, r.outcome.error);
  const res = r.outcome.response;
  const s = said(res);
  let grantNote = '';
  if (r.token) {
    const cmp = compareGrant(r.token.scopes, r.token.grant);
    if (cmp.inspectable) {
      const granted = cmp.resources.flatMap((x) => x.granted);
      grantNote = `; the token granted ${granted.length > 0 ? granted.join(',') : 'nothing'} of ${r.token.scopes.join(' ')}`;
    }
  }
  const again = r.rechallenged ? ' (after a second token for the scope the registry asked for)' : '';
  if (res.status === 404) {
    return result('allowed', `${call} → ${s.text}${again}: the registry accepted the delete and found nothing to remove, so deleting is allowed${opts.allowedNote ? `; ${opts.allowedNote}` : ''}`, res);
  }
  if (res.status === 202 || res.status === 200) {
    return result('allowed', `${call} → ${s.text}: the registry accepted the delete`, res);
  }
  if (res.status >= 300 && res.status < 400) {
    // http.ts never sends a mutating request on to a Location: the redirect is reported instead.
    const to = res.headers.get('location');
    return result('unknown', `${call} → ${s.text}: the registry redirected the delete${to ? ` to ${safeLocation(to, res.url)}` : ''}; a delete is never sent on to another address, so the permission could not be told`, res, 'Check the registry\'s external URL setting (a proxy in front of it may redirect), or try a real cleanup in dry-run mode.');
  }
  if (res.status === 405 || s.code === 'UNSUPPORTED') {
    return result(
      'disabled',
      `${call} → ${s.text}: deleting is switched off on this registry`,
      res,
      opts.disabledHint ?? 'This registry does not delete through the Registry API.',
    );
  }
  if (res.status === 401 || res.status === 403 || s.code === 'DENIED' || s.code === 'UNAUTHORIZED') {
    return result('denied', `${call} → ${s.text}${again}${grantNote}: this credential may not delete in ${ctx.repository}`, res, opts.deniedHint);
  }
  return result('unknown', `${call} → ${s.text}${grantNote}: an answer that says nothing about the permission`, res, 'Try a real cleanup in dry-run mode, or check the registry logs.');
}
