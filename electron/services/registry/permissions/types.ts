import type { RegistrySettings } from '../../../../shared/credentials/types';
import type { EcrSdkTimeouts } from '../ecr-client';
import type { EcrDetails } from '../../../../shared/registry/detect';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import type { RegistryHttp } from '../http';
import type { AuthScheme, IssuedToken, RegistryAuth, RegistryLogin } from '../registry-auth';

export type DeleteVerdict = 'allowed' | 'denied' | 'disabled' | 'unknown';

export interface PermissionProbeResult {
  verdict: DeleteVerdict;
  /** What was tried and what came back (HTTP status, the registry's words); never a secret. */
  detail: string;
  hint?: string;
  httpStatus?: number;
  registryError?: string;
}

export interface PermissionProbeContext {
  implementation: Implementation;
  /** host[:port] as written in the images repo. */
  registry: string;
  /** Repository path under the registry (`team/app`). */
  repository: string;
  /** Where the Registry API answers (`https://registry-1.docker.io` for Docker Hub). */
  baseUrl: URL;
  settings: RegistrySettings | undefined;
  credential: ResolvedCredential | null;
  /** The login the registry accepted in the credentials step. */
  login: RegistryLogin;
  http: RegistryHttp;
  auth: RegistryAuth;
  scheme: AuthScheme;
  ecr?: EcrDetails;
  /** Shorter AWS SDK timeouts (tests); the defaults otherwise. */
  sdkTimeouts?: EcrSdkTimeouts | undefined;
  /** The token the token-delete step obtained, when the registry uses tokens. */
  deleteToken: IssuedToken | null;
  /** From the list-tags step: false when the registry said NAME_UNKNOWN, null when unknown. */
  repositoryExists: boolean | null;
  signal?: AbortSignal;
  /** Register a secret obtained along the way (a Hub API JWT) so reports can be scrubbed. */
  redact(value: string): void;
}

/**
 * "May this credential delete tags here?", answered WITHOUT deleting anything: each probe targets
 * something that cannot exist (an all-zero digest, a random 128-bit tag name) or only reads
 * permissions. One module per implementation (its driver's `deleteProbe`), because every registry
 * answers this differently.
 */
export interface DeletePermissionProbe {
  /** The call it makes, for the step detail and the docs. */
  readonly method: string;
  probe(ctx: PermissionProbeContext): Promise<PermissionProbeResult>;
}
