import type { RegistrySettings } from '../../../shared/credentials/types';
import type { EcrDetails } from '../../../shared/registry/detect';
import type { ResolvedCredential, ResolvedSecret } from '../credentials/types';
import type { EcrSdkTimeouts } from './ecr-client';
import type { RegistryHttp } from './http';
import type { AuthScheme, RegistryLogin } from './registry-auth';

/** Artifact Registry / GCR take an OAuth access token as the password of this user. */
export const GOOGLE_TOKEN_USER = 'oauth2accesstoken';

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

/**
 * What a login needs from the registry's driver (a RegistryDriver is one): how bare tokens and its
 * own cloud identities become a login, and where a secret may go for a token.
 */
export interface LoginRules {
  readonly info: { readonly title: string };
  tokenUser(username: string | undefined): string;
  tokenRealmHosts(registry: string): readonly string[] | 'any';
  cloudLogin?(ctx: PrepareLoginContext, secret: Extract<ResolvedSecret, { kind: 'aws' | 'azure' }>): Promise<LoginOutcome> | null;
}

export interface PrepareLoginContext {
  /** The registry's driver: how its own credential kinds and bare tokens become a login. */
  driver: LoginRules;
  registry: string;
  /** Where the Registry API answers: an exchange that sends a secret stays on this origin. */
  baseUrl: URL;
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
      const username = ctx.driver.tokenUser(s.username);
      return { ok: true, value: { login: { kind: 'basic', username, password: s.token }, detail: `an API token used as the password of "${username}"` } };
    }
    case 'google-token':
      return {
        ok: true,
        value: { login: { kind: 'basic', username: GOOGLE_TOKEN_USER, password: s.token }, detail: `a Google OAuth access token as "${GOOGLE_TOKEN_USER}" (tokens last about an hour)` },
      };
    case 'aws':
    case 'azure':
      return cloudLogin(ctx, s);
  }
}

/** A cloud identity (AWS, Azure) only the registry of that cloud can turn into a login. */
function cloudLogin(ctx: PrepareLoginContext, secret: Extract<ResolvedSecret, { kind: 'aws' | 'azure' }>): Promise<LoginOutcome> {
  const login = ctx.driver.cloudLogin?.(ctx, secret);
  if (login) return login;
  const cloud = secret.kind === 'aws' ? 'an AWS identity' : 'an Azure identity';
  return Promise.resolve({
    ok: false,
    error: { message: `${ctx.registry} (${ctx.driver.info.title}) cannot use ${cloud} as its login`, hint: `Pick the implementation that matches ${ctx.registry}, or give it a user name and password.` },
  });
}

