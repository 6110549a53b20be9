import type { CheckReport, CheckStep, CheckStepName, CredentialSummary, RegistrySettings } from '../../../shared/credentials/types';
import { isAccountAddress } from '../../../shared/registry/catalogue';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import type { ResolvedCredential } from '../credentials/types';
import { apiHostOf, firstBaseUrl, registryAuthAt, settingsFor } from '../inventory/connect';
import { registryDriver } from '../registries';
import { credentialsStep, tokenDeleteStep, tokenPullStep, tokenPushStep } from './check/access-steps';
import { pingStep, resolveStep, tlsStep } from './check/network-steps';
import { StepRecorder } from './check/recorder';
import { deletePermissionStep, listTagsStep } from './check/repository-steps';
import type { CheckState, CheckStepDef, Outcome } from './check/state';
import type { EcrSdkTimeouts } from './ecr-client';
import { RegistryHttp } from './http';
import { Redactor } from './redactor';

export interface CheckConnectionOptions {
  imagesRepo: string;
  implementation?: Implementation | 'auto';
  settings?: RegistrySettings;
  credential: ResolvedCredential | null;
  /**
   * Sources that exist for the registry but cannot give a credential (CredentialResolver
   * resolveWithProblems().unusable). With no credential, the credentials step reports them and
   * their fixes ("docker-credential-desktop is not installed") instead of "no credential found".
   */
  unusable?: readonly CredentialSummary[];
  signal?: AbortSignal;
  onStep?: (step: CheckStep) => void;
  /** Injectable DNS (tests, split-horizon setups); also used for every connection the check makes. */
  resolveHost?: (host: string) => Promise<string[]>;
  /** Shorter AWS SDK timeouts (tests); the defaults otherwise. */
  sdkTimeouts?: EcrSdkTimeouts;
  /** How long the TCP connection and the TLS handshake may take together (10 s unless set). */
  connectTimeoutMs?: number;
}

/**
 * The check, in order. Each step reads and extends the state; a step whose outcome stops the
 * check (`stopAfter`) skips every later one with its reason, and after the credentials a cancel
 * skips whatever has not started.
 */
const PIPELINE: readonly CheckStepDef[] = [resolveStep, tlsStep, pingStep, credentialsStep, tokenPullStep, tokenPushStep, tokenDeleteStep, listTagsStep, deletePermissionStep];

/** Steps from here on are not started once the check is cancelled (the earlier ones fail on the abort by themselves). */
const CANCEL_POINT: CheckStepName = 'token-pull';

function splitHost(host: string): { hostname: string; port: number | null } {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const rest = host.slice(end + 1);
    return { hostname: host.slice(0, end + 1), port: rest.startsWith(':') ? Number(rest.slice(1)) : null };
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? { hostname: host, port: null } : { hostname: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
}

function redactorFor(cred: ResolvedCredential | null): Redactor {
  const redactor = new Redactor();
  const s = cred?.secret;
  if (s?.kind === 'basic') redactor.add(s.password);
  else if (s?.kind === 'identity-token' || s?.kind === 'registry-token' || s?.kind === 'bearer-token' || s?.kind === 'google-token') redactor.add(s.token);
  return redactor;
}

/**
 * "Test connection" for an images repo: DNS → TLS → /v2/ → credentials → tokens for pull, push
 * and delete → list tags → may this credential delete (probed without deleting anything). Every
 * step reports status, time, HTTP status, the registry's own words and the fix. Never throws.
 */
export async function checkConnection(opts: CheckConnectionOptions): Promise<CheckReport> {
  const redactor = redactorFor(opts.credential);
  const recorder = new StepRecorder(redactor, opts.onStep);

  const parsed = parseImagesRepo(opts.imagesRepo);
  const detection = detectParsed(parsed);
  const implementation: Implementation = opts.implementation && opts.implementation !== 'auto' ? opts.implementation : detection.implementation;
  const driver = registryDriver(implementation);
  const registry = parsed.registry;
  const written = parsed.repository;
  const repository = written === null || isAccountAddress(driver.info, registry, written) ? null : written;
  const report = (readOk: boolean): CheckReport =>
    redactor.scrubDeep({ imagesRepo: opts.imagesRepo, implementation, registry, repository, credentialSource: opts.credential ? opts.credential.summary : null, steps: recorder.list, readOk });

  const fatal = parsed.problems.find((p) => p.severity === 'error' && (p.code === 'images-repo-empty' || p.code === 'images-repo-invalid-host'));
  if (registry === '' || fatal) {
    const o: Outcome = { status: 'fail', detail: `Not a usable images repo: ${fatal?.message ?? 'empty address'}` };
    if (fatal?.hint !== undefined) o.hint = fatal.hint;
    await recorder.run('resolve', async () => o);
    for (const step of PIPELINE.slice(1)) recorder.skip(step.name, 'Not run: the address is not usable.');
    return report(false);
  }

  // The same endpoint the inventory connects to: API host, settings per host, first URL.
  const apiHost = apiHostOf(driver, registry);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const http = new RegistryHttp({
    settings: settingsFor(registry, apiHost, opts.settings),
    ...(opts.resolveHost ? { resolveHost: opts.resolveHost } : {}),
    timeouts: { connectMs: connectTimeoutMs, headersMs: 20_000, bodyMs: 20_000, totalMs: 30_000 },
  });
  const baseUrl = firstBaseUrl(apiHost, opts.settings);
  const state: CheckState = {
    implementation,
    driver,
    details: detection.details,
    registry,
    written,
    repository,
    apiHost,
    ...splitHost(apiHost),
    settings: opts.settings,
    credential: opts.credential,
    unusable: opts.unusable ?? [],
    http,
    redactor,
    signal: opts.signal,
    resolveHost: opts.resolveHost,
    sdkTimeouts: opts.sdkTimeouts,
    connectTimeoutMs,
    baseUrl,
    auth: registryAuthAt(http, implementation, registry, baseUrl, (v) => redactor.add(v)),
    scheme: null,
    deleteToken: null,
    repositoryExists: null,
  };
  try {
    const outcomes = await runPipeline(state, recorder);
    const list = outcomes.get('list-tags');
    return report(list !== undefined && (list.status === 'pass' || (list.status === 'skip' && repository === null)));
  } finally {
    await http.close();
  }
}

async function runPipeline(state: CheckState, recorder: StepRecorder): Promise<Map<CheckStepName, Outcome>> {
  const outcomes = new Map<CheckStepName, Outcome>();
  const cancelFrom = PIPELINE.findIndex((s) => s.name === CANCEL_POINT);
  let stopped: string | null = null;
  for (const [i, step] of PIPELINE.entries()) {
    if (stopped === null && i >= cancelFrom && state.signal?.aborted === true) stopped = 'Not run: cancelled.';
    if (stopped !== null) {
      recorder.skip(step.name, stopped);
      continue;
    }
    const outcome = await recorder.run(step.name, () => step.run(state));
    outcomes.set(step.name, outcome);
    stopped = step.stopAfter?.(outcome, state) ?? null;
  }
  return outcomes;
}
