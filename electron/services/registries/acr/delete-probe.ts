import { repositoryScope } from '../../../../shared/registry/auth-challenge';
import { compareGrant } from '../../registry/token-claims';
import type { DeletePermissionProbe, PermissionProbeResult } from '../../registry/permissions/types';

const ROLES =
  'Deleting needs AcrDelete, Contributor or Owner on the registry (RBAC mode; AcrPull/AcrPush cannot delete); in "RBAC Registry + ABAC Repository Permissions" mode the AcrXxx roles are ignored and "Container Registry Repository Contributor" is needed; repository-scoped tokens need the content/delete action.';

/**
 * ACR puts the caller's real rights in the token: ask for `delete` and read the `access` claim the
 * token server signed (ACR tokens are JWTs). Nothing is called on the repository itself.
 */
export const acrProbe: DeletePermissionProbe = {
  method: 'token for repository:<repo>:delete, then read the granted "access" claim',
  async probe(ctx): Promise<PermissionProbeResult> {
    const scope = repositoryScope(ctx.repository, ['delete']);
    let token = ctx.deleteToken;
    if (!token || !token.scopes.some((s) => s === scope || s.endsWith(':delete') || s.includes(',delete'))) {
      const t = await ctx.auth.token([scope], ctx.signal);
      if (!t.ok) return { verdict: 'unknown', detail: `token request for ${scope}: ${t.error.message}`, hint: t.error.hint, ...(t.error.status !== undefined ? { httpStatus: t.error.status } : {}) };
      token = t.value;
    }
    const cmp = compareGrant([scope], token.grant);
    if (!cmp.inspectable) {
      return { verdict: 'unknown', detail: `The token for ${scope} was issued, but ${cmp.reason ?? 'it cannot be read'}`, hint: ROLES };
    }
    const r = cmp.resources[0];
    if (r && r.missing.length === 0) {
      return { verdict: 'allowed', detail: `ACR granted delete on ${ctx.repository} (the token's access claim lists it)` };
    }
    const got = token.grant.inspectable ? token.grant.access.filter((a) => a.name === ctx.repository).flatMap((a) => a.actions) : [];
    return {
      verdict: 'denied',
      detail: `Asked ACR for delete on ${ctx.repository}; the token grants ${got.length > 0 ? got.join(',') : 'nothing'} there`,
      hint: ROLES,
    };
  },
};
