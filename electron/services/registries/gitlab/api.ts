import type { Secret } from '../../credentials/secret';
import type { ResolvedCredential } from '../../credentials/types';
import type { PermissionProbeContext } from '../../registry/permissions/types';
import { apiToken, bearer, withSuffix } from '../api-auth';

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

/** How a credential is shown to GitLab's REST API: a token as Bearer, or a CI job token as `JOB-TOKEN`. */
export interface GitlabApiAuth {
  authorization?: Secret;
  headers?: Record<string, string>;
  /** A CI job token: only its own project's container registry API answers it (no GraphQL). */
  jobToken: boolean;
}

export function isJobToken(credential: ResolvedCredential | null): boolean {
  return credential?.summary.source === 'gitlab-ci-env' && credential.summary.username === 'gitlab-ci-token';
}

/**
 * docs.gitlab.com/api/container_registry: from a CI job, `$CI_JOB_TOKEN` goes in the `JOB-TOKEN`
 * header and reaches the container registry API of the job's own project. Any other token (PAT,
 * project or group token, OAuth) goes as Bearer. Null without a secret the API can take.
 */
export function gitlabApiAuth(credential: ResolvedCredential | null): GitlabApiAuth | null {
  const token = apiToken(credential);
  if (token === null) return null;
  if (isJobToken(credential)) return { headers: { 'job-token': token.reveal() }, jobToken: true };
  return { authorization: bearer(token), jobToken: false };
}
