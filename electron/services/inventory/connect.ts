import { UserError } from '../../../shared/api/result';
import type { RegistrySettings } from '../../../shared/credentials/types';
import type { DetectionDetails } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import type { RegistryHttpError } from '../registry/errors';
import type { RegistryHttp } from '../registry/http';
import { registryDriver } from '../registries';
import { prepareLogin } from '../registry/logins';
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
export function apiHostOf(driver: InventoryDriver, registry: string): string {
  return (driver.apiHost?.(registry) ?? registry).toLowerCase();
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
  const driver = registryDriver(input.implementation);
  const connectAt = (baseUrl: URL) => new RegistryAuth({ http: input.http, registry: input.registry, baseUrl, login: { kind: 'anonymous' }, tokenRealmHosts: driver.tokenRealmHosts(input.registry) });
  let baseUrl = new URL(`${input.settings?.plainHttp ? 'http' : 'https'}://${input.apiHost}`);
  let auth = connectAt(baseUrl);
  let ping = await auth.ping(input.signal);
  const notes: string[] = [];
  if (!ping.ok && baseUrl.protocol === 'https:' && isLoopbackHost(input.apiHost) && (ping.error.kind === 'tls' || ping.error.kind === 'connect') && !input.signal.aborted) {
    const plainUrl = new URL(`http://${input.apiHost}`);
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
  const prepared = await prepareLogin({
    driver,
    registry: input.registry,
    baseUrl,
    credential: input.credential,
    settings: input.settings,
    http: input.http,
    scheme: ping.value.scheme,
    ...(input.details?.ecr ? { ecr: input.details.ecr } : {}),
    signal: input.signal,
    // Errors built from RegistryHttp never quote request headers, so there is nothing to redact here.
    onSecret: () => undefined,
  });
  if (input.signal.aborted) throw cancelled(input.activity);
  if (!prepared.ok) throw new UserError({ code: 'login-failed', message: prepared.error.message, hint: prepared.error.hint });
  auth.setLogin(prepared.value.login);
  return { auth, baseUrl, notes };
}
