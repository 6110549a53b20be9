import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { RegistrySettings } from '../../../shared/credentials/types';
import type { EcrDetails } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import { Secret } from '../credentials/secret';
import type { ResolvedCredential } from '../credentials/types';
import { awsErrorParts, ecrClient, ecrTarget, type EcrSdkTimeouts } from './ecr-client';
import { httpError, safeUrl } from './errors';
import type { RegistryHttp } from './http';
import type { AuthScheme, RegistryLogin } from './registry-auth';

/** The user name ACR expects next to one of its refresh tokens (Azure/acr docs/AAD-OAuth.md). */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
/** Artifact Registry / GCR take an OAuth access token as the password of this user. */
export const GOOGLE_TOKEN_USER = 'oauth2accesstoken';
const ACR_AAD_SCOPE = 'https://containerregistry.azure.net/.default';

export interface PreparedLogin {
  login: RegistryLogin;
  /** How the credential was turned into a registry login (never a secret). */
  detail: string;
  /** ISO time the login stops working, when known (ECR: 12 h). */
  expiresAt?: string;
}

export interface LoginFailure {
  message: string;
  hint: string;
  httpStatus?: number;
  registryError?: string;
}

export type LoginOutcome = { ok: true; value: PreparedLogin } | { ok: false; error: LoginFailure };

export interface PrepareLoginContext {
  implementation: Implementation;
  registry: string;
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
  http: RegistryHttp;
  /** The scheme the registry's /v2/ challenge announced (ACR needs its realm for the exchange). */
  scheme: AuthScheme | null;
  ecr?: EcrDetails;
  /** Shorter AWS SDK timeouts (tests); the defaults otherwise. */
  sdkTimeouts?: EcrSdkTimeouts | undefined;
  signal?: AbortSignal;
  onSecret(value: string): void;
}

/** The user name a bare token goes with when the source did not say, per registry. */
function defaultTokenUser(implementation: Implementation): string {
  switch (implementation) {
    case 'quay':
      return '$oauthtoken';
    case 'gcr':
      return GOOGLE_TOKEN_USER;
    case 'gitlab':
      return 'oauth2';
    default:
      return 'stowage';
  }
}

/**
 * Turns what a credential source found into what this registry accepts: Basic pairs and tokens
 * pass through; AWS credentials become an ECR password through GetAuthorizationToken; Azure
 * identities go through ACR's AAD exchange; Google access tokens become the `oauth2accesstoken` pair.
 */
export async function prepareLogin(ctx: PrepareLoginContext): Promise<LoginOutcome> {
  const c = ctx.credential;
  if (!c) return { ok: true, value: { login: { kind: 'anonymous' }, detail: 'no credential found: anonymous' } };
  const s = c.secret;
  switch (s.kind) {
    case 'basic':
      return { ok: true, value: { login: { kind: 'basic', username: s.username, password: s.password }, detail: 'a user name with a password or token' } };
    case 'identity-token':
      return { ok: true, value: { login: { kind: 'identity-token', username: s.username, token: s.token }, detail: 'an identity token (OAuth2 refresh-token grant at the token server)' } };
    case 'registry-token':
      return { ok: true, value: { login: { kind: 'registry-token', token: s.token }, detail: 'a registry token sent as is' } };
    case 'bearer-token': {
      // Quay takes OAuth tokens only as `$oauthtoken`, whoever the token acts for; robots keep their name.
      const quayOauth = ctx.implementation === 'quay' && !(s.username ?? '').includes('+');
      const username = quayOauth ? '$oauthtoken' : (s.username ?? defaultTokenUser(ctx.implementation));
      return { ok: true, value: { login: { kind: 'basic', username, password: s.token }, detail: `an API token used as the password of "${username}"` } };
    }
    case 'google-token':
      return {
        ok: true,
        value: { login: { kind: 'basic', username: GOOGLE_TOKEN_USER, password: s.token }, detail: `a Google OAuth access token as "${GOOGLE_TOKEN_USER}" (tokens last about an hour)` },
      };
    case 'aws':
      return ecrLogin(ctx, s.provider, s.profile);
    case 'azure':
      return acrLogin(ctx, s.credential);
  }
}

async function ecrLogin(ctx: PrepareLoginContext, provider: Parameters<typeof ecrClient>[1], profile: string | undefined): Promise<LoginOutcome> {
  const target = ecrTarget(ctx.ecr);
  const client = ecrClient(target, provider, ctx.settings, { timeouts: ctx.sdkTimeouts });
  const where = `${target.region}${ctx.settings?.sdkEndpoint ? ` via ${safeUrl(ctx.settings.sdkEndpoint)}` : ''}`;
  const chain = profile ? `AWS profile "${profile}"` : 'the AWS credential chain';
  try {
    const out = await client.send(new GetAuthorizationTokenCommand({}), ctx.signal ? { abortSignal: ctx.signal } : {});
    const data = out.authorizationData?.[0];
    const encoded = data?.authorizationToken;
    if (!encoded) {
      return { ok: false, error: { message: `ECR GetAuthorizationToken (${where}) returned no token`, hint: 'Check that the account has an ECR registry in this region.' } };
    }
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon > 0 ? decoded.slice(0, colon) : 'AWS';
    const password = colon > 0 ? decoded.slice(colon + 1) : decoded;
    ctx.onSecret(encoded);
    ctx.onSecret(password);
    const expiresAt = data?.expiresAt instanceof Date ? data.expiresAt.toISOString() : undefined;
    const regionNote = target.regionSource === 'host' ? '' : ` (region ${target.region} from ${target.regionSource === 'environment' ? 'AWS_REGION' : 'the default'}: the host is not an ECR host name)`;
    return {
      ok: true,
      value: {
        login: { kind: 'basic', username, password: new Secret(password) },
        detail: `${chain} → ECR GetAuthorizationToken in ${where}${regionNote} → Basic auth as "${username}"${expiresAt ? ` until ${expiresAt}` : ''}`,
        ...(expiresAt ? { expiresAt } : {}),
      },
    };
  } catch (error) {
    const e = awsErrorParts(error);
    const hint =
      e.hint ??
      (e.name === 'AccessDeniedException'
        ? 'The AWS identity lacks ecr:GetAuthorizationToken: attach a policy such as AmazonEC2ContainerRegistryReadOnly.'
        : `AWS answered ${e.name}: check the region and the credentials.`);
    const err: LoginFailure = { message: `${chain} → ECR GetAuthorizationToken in ${where} failed: ${e.name}: ${e.message}`, hint, registryError: e.name };
    if (e.status !== undefined) err.httpStatus = e.status;
    return { ok: false, error: err };
  } finally {
    client.destroy();
  }
}

async function acrLogin(ctx: PrepareLoginContext, credential: { getToken: (scope: string, options?: { abortSignal?: AbortSignal }) => Promise<{ token: string } | null> }): Promise<LoginOutcome> {
  const scheme = ctx.scheme;
  if (!scheme || scheme.kind !== 'bearer') {
    return { ok: false, error: { message: `${ctx.registry} did not announce a token server, so the Azure AD exchange cannot run`, hint: 'Check that the address is an Azure Container Registry login server (<name>.azurecr.io).' } };
  }
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
  const exchange = new URL('/oauth2/exchange', scheme.realm);
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
