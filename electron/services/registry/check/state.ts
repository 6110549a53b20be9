import type { CheckStep, CheckStepName, CredentialSummary, RegistrySettings } from '../../../../shared/credentials/types';
import type { DetectionDetails } from '../../../../shared/registry/detect';
import type { Implementation } from '../../../../shared/registry/implementations';
import type { ResolvedCredential } from '../../credentials/types';
import type { RegistryDriver } from '../../registries/types';
import type { EcrSdkTimeouts } from '../ecr-client';
import type { RegistryHttpError } from '../errors';
import type { RegistryHttp } from '../http';
import type { Redactor } from '../redactor';
import type { AuthScheme, IssuedToken, RegistryAuth } from '../registry-auth';

/** What a step reports; the pipeline adds its name, title and time. */
/** `title`: when what was found is not what the step is named for (a refused connection in the TLS step). */
export type Outcome = Pick<CheckStep, 'status' | 'detail' | 'hint' | 'httpStatus' | 'registryError' | 'undetermined'> & { title?: string };

/**
 * Everything the check knows, in one place: fixed facts about the address, and what the steps
 * learn on the way (a plain-HTTP fallback moves `baseUrl`, the ping finds the scheme, the
 * credentials step logs in, the token and listing steps tell the delete probe what they saw).
 */
export interface CheckState {
  readonly implementation: Implementation;
  readonly driver: RegistryDriver;
  readonly details: DetectionDetails | undefined;
  readonly registry: string;
  /** The repository as written, and the one to ask about (null for an account-only address). */
  readonly written: string | null;
  readonly repository: string | null;
  readonly apiHost: string;
  readonly hostname: string;
  readonly port: number | null;
  readonly settings: RegistrySettings | undefined;
  readonly credential: ResolvedCredential | null;
  readonly unusable: readonly CredentialSummary[];
  readonly http: RegistryHttp;
  readonly redactor: Redactor;
  readonly signal: AbortSignal | undefined;
  readonly resolveHost: ((host: string) => Promise<string[]>) | undefined;
  readonly sdkTimeouts: EcrSdkTimeouts | undefined;
  readonly connectTimeoutMs: number;
  baseUrl: URL;
  auth: RegistryAuth;
  scheme: AuthScheme | null;
  deleteToken: IssuedToken | null;
  repositoryExists: boolean | null;
}

/** One named step: what it does, and why the steps after it cannot run when it fails. */
export interface CheckStepDef {
  readonly name: CheckStepName;
  run(state: CheckState): Promise<Outcome>;
  /** The reason the later steps are skipped after this outcome; null lets the check go on. */
  stopAfter?(outcome: Outcome, state: CheckState): string | null;
}

export function fromError(error: RegistryHttpError, prefix?: string): Outcome {
  const out: Outcome = { status: 'fail', detail: prefix ? `${prefix}: ${error.message}` : error.message, hint: error.hint };
  if (error.status !== undefined) out.httpStatus = error.status;
  const words = [error.registryCode, error.registryMessage].filter((s): s is string => s !== undefined).join(': ');
  if (words) out.registryError = words;
  return out;
}

/** Skips the repository steps of an account-only or repository-less address, saying why. */
export function noRepository(state: CheckState, what: string): Outcome | null {
  if (state.repository !== null) return null;
  return { status: 'skip', detail: state.written === null ? 'The images repo names no repository.' : `${state.written} is an account: ${what}` };
}
