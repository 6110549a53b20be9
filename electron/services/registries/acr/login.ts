import { Secret } from '../../credentials/secret';
import { httpError, safeUrl } from '../../registry/errors';
import type { LoginFailure, LoginOutcome, PrepareLoginContext } from '../../registry/logins';
import { realmRefusal } from '../../registry/realm-rule';

/** The user name ACR expects next to one of its refresh tokens (Azure/acr docs/AAD-OAuth.md). */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
const ACR_AAD_SCOPE = 'https://containerregistry.azure.net/.default';

/**
 * Azure identity → AAD token for the ACR audience → `POST /oauth2/exchange` on the registry's own
 * origin → an ACR refresh token, used as an identity token with the all-zero user name.
 *
 * The AAD token opens every registry (and more) the identity may reach, so it only ever goes to
 * the registry the user named: the exchange URL is built from the registry's origin, never from
 * the challenge's realm (a hostile or hijacked registry names the realm), and the realm itself
 * must pass the same rule as every other secret-carrying exchange.
 */
export async function acrLogin(ctx: PrepareLoginContext, credential: { getToken: (scope: string, options?: { abortSignal?: AbortSignal }) => Promise<{ token: string } | null> }): Promise<LoginOutcome> {
  const scheme = ctx.scheme;
  if (!scheme || scheme.kind !== 'bearer') {
    return { ok: false, error: { message: `${ctx.registry} did not announce a token server, so the Azure AD exchange cannot run`, hint: 'Check that the address is an Azure Container Registry login server (<name>.azurecr.io).' } };
  }
  const refused = realmRefusal({ registry: ctx.registry, baseUrl: ctx.baseUrl, realm: scheme.realm, allowedHosts: ctx.driver.tokenRealmHosts(ctx.registry), realmPlainHttpAllowed: ctx.http.settingsFor(scheme.realm.host)?.plainHttp === true });
  if (refused) return { ok: false, error: { message: `${refused.message}; the Azure AD exchange did not run`, hint: refused.hint } };
  let aad: string;
  try {
    const t = await credential.getToken(ACR_AAD_SCOPE, ctx.signal ? { abortSignal: ctx.signal } : {});
    if (!t) throw new Error('the credential returned no token');
    aad = t.token;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return {
      ok: false,
      error: { message: `Azure AD sign-in failed: ${message}`, hint: 'Sign in with `az login`, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (or a managed identity) for DefaultAzureCredential.' },
    };
  }
  ctx.onSecret(aad);
  const exchange = new URL('/oauth2/exchange', ctx.baseUrl.origin);
  const form = new URLSearchParams({ grant_type: 'access_token', service: scheme.service ?? ctx.registry, access_token: aad });
  const out = await ctx.http.request({
    method: 'POST',
    url: exchange,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    retry: false,
    maxBytes: 256 * 1024,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (!out.ok) return { ok: false, error: { message: out.error.message, hint: out.error.hint } };
  const res = out.response;
  const body = res.json() as { refresh_token?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.refresh_token !== 'string') {
    const e = httpError({
      method: 'POST',
      url: exchange,
      status: res.status,
      body: res.body,
      contentType: res.headers.get('content-type'),
      what: `ACR AAD exchange POST ${safeUrl(exchange)}`,
      hint:
        res.status === 401 || res.status === 403
          ? `${ctx.registry} refused the Azure AD token: the identity needs a role on this registry (AcrPull to read, AcrPush to publish, AcrDelete to clean up), or the token is for another tenant.`
          : `The ACR token exchange failed: check that ${ctx.registry} is an ACR login server.`,
    });
    const failure: LoginFailure = { message: e.message, hint: e.hint, httpStatus: res.status };
    if (e.registryCode !== undefined) failure.registryError = e.registryCode;
    return { ok: false, error: failure };
  }
  ctx.onSecret(body.refresh_token);
  return {
    ok: true,
    value: {
      login: { kind: 'identity-token', username: ACR_REFRESH_TOKEN_USER, token: new Secret(body.refresh_token) },
      detail: `DefaultAzureCredential → Azure AD token → POST ${safeUrl(exchange)} → ACR refresh token`,
    },
  };
}
