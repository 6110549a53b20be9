import type { PermissionProbeContext } from '../../registry/permissions/types';
import { withSuffix } from '../api-auth';

/**
 * REST base: the setting (instance URL or its /api/v4), gitlab.com for registry.gitlab.com, else
 * the GitLab host the registry's token realm names (`https://<gitlab>/jwt/auth`).
 */
export function gitlabApiBase(ctx: Pick<PermissionProbeContext, 'registry' | 'settings' | 'scheme'>): string | null {
  if (ctx.settings?.apiBaseUrl) return withSuffix(ctx.settings.apiBaseUrl, '/api/v4');
  if (ctx.registry === 'registry.gitlab.com') return 'https://gitlab.com/api/v4';
  if (ctx.scheme.kind === 'bearer') {
    const realm = ctx.scheme.realm;
    const i = realm.pathname.lastIndexOf('/jwt/auth');
    if (i >= 0) return `${realm.origin}${realm.pathname.slice(0, i)}/api/v4`;
  }
  return null;
}
