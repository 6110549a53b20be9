import { UserError } from '../../../shared/api/result';
import type { RegistrySettings } from '../../../shared/credentials/types';
import type { DetectionDetails } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import type { RegistryHttpError } from '../registry/errors';
import type { RegistryHttp } from '../registry/http';
import { registryDriver } from '../registries';
import { prepareLogin, type LoginOutcome, type PrepareLoginContext } from '../registry/logins';
import { isLoopbackHost, loopbackFallbackNote } from '../registry/loopback';
import { RegistryAuth } from '../registry/registry-auth';
import type { InventoryDriver } from './types';

export function cancelled(what = 'Listing'): UserError {
  return new UserError({ code: 'cancelled', message: `${what} cancelled.` });
}

export function fatal(error: RegistryHttpError, what: string): UserError {
  const code = error.kind === 'aborted' ? 'cancelled' : error.kind === 'http' ? 'registry-error' : 'registry-unreachable';
  return new UserError({ code, message: `${what}: ${error.message}`, hint: error.hint, ...(error.status !== undefined ? { details: { status: error.status } } : {}) });
}

/** Where a driver's Registry API answers for `registry` (Docker Hub's is not the host users write). */
export function apiHostOf(driver: Pick<InventoryDriver, 'apiHost'>, registry: string): string {
  return (driver.apiHost?.(registry) ?? registry).toLowerCase();
}

/** The first URL tried: https, unless the user turned on plain HTTP for this registry. */
export function firstBaseUrl(apiHost: string, settings: RegistrySettings | undefined): URL {
  return new URL(`${settings?.plainHttp ? 'http' : 'https'}://${apiHost}`);
}

/** The plain-HTTP URL a loopback registry falls back to when it does not speak https. */
export function plainHttpUrl(apiHost: string): URL {
  return new URL(`http://${apiHost}`);
}

/** An anonymous RegistryAuth at `baseUrl`, sending secrets only to the realms the driver allows. */
export function registryAuthAt(http: RegistryHttp, implementation: Implementation, registry: string, baseUrl: URL, onSecret?: (value: string) => void): RegistryAuth {
  const driver = registryDriver(implementation);
  return new RegistryAuth({ http, registry, baseUrl, login: { kind: 'anonymous' }, tokenRealmHosts: driver.tokenRealmHosts(registry), ...(onSecret ? { onSecret } : {}) });
}

/** A login's inputs; the detection details stand for the registry-specific facts (ECR's account and region). */
export type LogInInput = Omit<PrepareLoginContext, 'driver'> & { implementation: Implementation; details?: DetectionDetails | undefined };

/** Turns the credential into the login the registry wants, the way its driver says (shared by the check and every listing). */
export function logIn(input: LogInInput): Promise<LoginOutcome> {
  const { implementation, details, ...rest } = input;
  return prepareLogin({ ...rest, driver: registryDriver(implementation), ...(details?.ecr ? { ecr: details.ecr } : {}) });
}

/** The per-registry settings (plain HTTP, CA, …) apply to the registry and to its API host alike. */
export function settingsFor(registry: string, apiHost: string, settings: RegistrySettings | undefined): (host: string) => RegistrySettings | undefined {
  return (host) => (settings && (host === registry || host === apiHost) ? settings : undefined);
}

export interface ConnectInput {
  registry: string;
  /** Where the Registry API answers (Docker Hub's is not the host users write). */
  apiHost: string;
  implementation: Implementation;
  credential: ResolvedCredential | null;
  settings: RegistrySettings | undefined;
  details?: DetectionDetails | undefined;
  http: RegistryHttp;
  signal: AbortSignal;
  /** What a cancel interrupts, for its message ("Listing cancelled."). */
  activity?: string;
}

/**
 * Pings the Registry API for its auth scheme and logs in the way the implementation wants (token
 * exchange, ECR's GetAuthorizationToken, …). Throws UserError when the registry cannot be reached
 * or the login is refused.
 */
export async function connectRegistry(input: ConnectInput): Promise<{ auth: RegistryAuth; baseUrl: URL; notes: string[] }> {
  const connectAt = (baseUrl: URL) => registryAuthAt(input.http, input.implementation, input.registry, baseUrl);
  let baseUrl = firstBaseUrl(input.apiHost, input.settings);
  let auth = connectAt(baseUrl);
  let ping = await auth.ping(input.signal);
  const notes: string[] = [];
  if (!ping.ok && baseUrl.protocol === 'https:' && isLoopbackHost(input.apiHost) && (ping.error.kind === 'tls' || ping.error.kind === 'connect') && !input.signal.aborted) {
    const plainUrl = plainHttpUrl(input.apiHost);
    const plain = connectAt(plainUrl);
    const second = await plain.ping(input.signal);
    if (second.ok) {
      notes.push(loopbackFallbackNote(input.apiHost));
      baseUrl = plainUrl;
      auth = plain;
      ping = second;
    }
  }
  if (input.signal.aborted) throw cancelled(input.activity);
  if (!ping.ok) throw fatal(ping.error, `${input.registry} did not answer as a registry`);
  const prepared = await logIn({
    implementation: input.implementation,
    registry: input.registry,
    baseUrl,
    credential: input.credential,
    settings: input.settings,
    http: input.http,
    scheme: ping.value.scheme,
    details: input.details,
    signal: input.signal,
    // Errors built from RegistryHttp never quote request headers, so there is nothing to redact here.
    onSecret: () => undefined,
  });
  if (input.signal.aborted) throw cancelled(input.activity);
  if (!prepared.ok) throw new UserError({ code: 'login-failed', message: prepared.error.message, hint: prepared.error.hint });
  auth.setLogin(prepared.value.login);
  return { auth, baseUrl, notes };
}
