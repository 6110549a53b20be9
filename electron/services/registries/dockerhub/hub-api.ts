import { DOCKER_HUB_HOSTS, DOCKER_HUB_REGISTRY } from '../../../../shared/registry/detect';
import { Secret } from '../../credentials/secret';
import { safeUrl, type RegistryHttpError } from '../../registry/errors';
import type { HttpOutcome, RegistryResponse } from '../../registry/http';
import { apiUrl } from '../api-auth';

/** Docker Hub's web API: tags with digests and dates, tag deletes, logins. */
export const DOCKER_HUB_API = 'https://hub.docker.com';
/** Where Hub's Registry API (/v2/) answers, whatever alias the address uses. */
export const DOCKER_HUB_REGISTRY_API_HOST = 'registry-1.docker.io';

export function isHubHost(registry: string): boolean {
  return registry === DOCKER_HUB_REGISTRY || DOCKER_HUB_HOSTS.has(registry);
}

/**
 * The Hub API for this registry: the user's setting, else hub.docker.com for Hub's own hosts,
 * else none — the credential of some other registry is never handed to hub.docker.com.
 */
export function hubApiBase(registry: string, configured: string | undefined): string | null {
  return configured ?? (isHubHost(registry) ? DOCKER_HUB_API : null);
}

export type HubLogin =
  | { ok: true; jwt: Secret; how: string }
  | { ok: false; transport: RegistryHttpError; how: string }
  /** The last endpoint's answer when it was not a token (refused, or no login endpoint at all). */
  | { ok: false; response: RegistryResponse; how: string; sso: boolean };

/**
 * `POST /v2/auth/token {identifier, secret}`, or the older `/v2/users/login` where that one is
 * missing (mirrors and old API versions answer 404/405). `post` sends through the caller's
 * client (the listing's slot and accounting, or the check's own), never retried blindly.
 */
export async function hubApiLogin(post: (url: URL, body: string) => Promise<HttpOutcome>, api: string, username: string, secret: Secret): Promise<HubLogin> {
  const attempts = [
    { path: '/v2/auth/token', body: { identifier: username, secret: secret.reveal() } },
    { path: '/v2/users/login', body: { username, password: secret.reveal() } },
  ];
  let last: { response: RegistryResponse; how: string } | null = null;
  for (const a of attempts) {
    const url = apiUrl(api, a.path);
    const how = `POST ${safeUrl(url)}`;
    const out = await post(url, JSON.stringify(a.body));
    if (!out.ok) return { ok: false, transport: out.error, how };
    const res = out.response;
    last = { response: res, how };
    if (res.status === 404 || res.status === 405) continue;
    const body = res.json() as { access_token?: unknown; token?: unknown } | undefined;
    const jwt = typeof body?.access_token === 'string' && body.access_token !== '' ? body.access_token : typeof body?.token === 'string' && body.token !== '' ? body.token : undefined;
    if (res.status === 200 && jwt !== undefined) return { ok: true, jwt: new Secret(jwt), how };
    break;
  }
  const { response, how } = last!;
  return { ok: false, response, how, sso: /sso|single sign-on/i.test(response.text()) };
}

/** Docker Hub's Registry API host for an address; another registry's stays its own. */
export function dockerhubApiHost(registry: string): string {
  return isHubHost(registry) ? DOCKER_HUB_REGISTRY_API_HOST : registry;
}
