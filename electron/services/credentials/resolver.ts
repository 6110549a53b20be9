import type { CredentialSummary } from '../../../shared/credentials/types';
import { DOCKER_HUB_REGISTRY } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import { UserError } from '../../../shared/api/result';
import { awsCandidate, createAwsChain, createAzureSource, googleCandidates, type AwsChain, type AzureCredentialFactory, type AzureSource } from './cloud-sources';
import { createRunHelper, helperList, type HelperListResult, type RunHelper } from './credential-helper';
import { configCandidates, helperNameFor, hostsOf, readDockerAuthConfigEnv, readDockerConfigFile, type DockerConfigSource } from './docker-config';
import { envCandidates, envRegistries } from './env-sources';
import { compareHosts, implementationOfHost, normaliseRegistryHost } from './hosts';
import { SecretScrubber } from './redact';
import type { SavedCredentialStore } from './saved-store';
import { unusableCandidate } from './summary';
import { registryDriver } from '../registries';
import type { CredentialCandidate, CredentialListOptions, CredentialResolution, CredentialResolver, Environment, ResolvedCredential } from './types';

/**
 * Resolution order for a registry host (the first usable credential wins; list() shows them all):
 *
 *   1. saved in Stowage: the user typed it into this app for this registry, the most explicit choice
 *   2. DOCKER_AUTH_CONFIG: docker/cli (v28+) puts it ahead of config.json, and CI sets it per job
 *   3. werf and CI variables: WERF_IMAGES_REPO_* / WERF_REPO_* (Docker Hub, GitHub), then
 *      GITHUB_TOKEN (+GITHUB_ACTOR), then GitLab's CI_REGISTRY_USER/PASSWORD and CI_JOB_TOKEN
 *   4. config.json ($DOCKER_CONFIG or ~/.docker): credHelpers[host] → credsStore → auths (exact
 *      key, then legacy keys such as https://host/v1/); what `docker login` left behind
 *   5. cloud chains, by implementation: ECR → AWS default chain; ACR → DefaultAzureCredential;
 *      Google → GOOGLE_OAUTH_ACCESS_TOKEN, then docker-credential-gcloud
 *
 * Ambient sources (2–5) are only read. Later sources are not even looked at once one is usable,
 * so a saved Docker Hub token never makes Stowage start a keychain helper or the AWS chain.
 */

export interface CredentialResolverDeps {
  env: Environment;
  homeDir: string;
  savedStore: SavedCredentialStore | null;
  /** Credential helper runner; tests pass one with a PATH of small scripts. */
  runHelper?: RunHelper;
  /** AWS chain; defaults to the SDK's node chain built from `env` and `homeDir`. */
  aws?: AwsChain;
  /** Builds the Azure credential, only when an ACR host is looked at. Default: DefaultAzureCredential. */
  azure?: AzureCredentialFactory;
  now?: () => Date;
  helperTimeoutMs?: number;
  awsTimeoutMs?: number;
  azureTimeoutMs?: number;
}

interface CallContext {
  mode: 'resolve' | 'list';
  signal?: AbortSignal;
  envConfig(): DockerConfigSource | null;
  fileConfig(): Promise<DockerConfigSource | null>;
  storeList(helper: string): Promise<HelperListResult>;
  savedSummaries(): Promise<CredentialSummary[]>;
}

function once<T>(make: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value;
  };
}

export function createCredentialResolver(deps: CredentialResolverDeps): CredentialResolver {
  const now = deps.now ?? (() => new Date());
  const scrubber = new SecretScrubber();
  scrubber.rememberEnvironment(deps.env);
  const runHelper =
    deps.runHelper ?? createRunHelper({ env: deps.env, ...(deps.helperTimeoutMs !== undefined ? { timeoutMs: deps.helperTimeoutMs } : {}) });
  const awsChain = once<AwsChain>(
    () => deps.aws ?? createAwsChain({ env: deps.env, homeDir: deps.homeDir, scrubber, ...(deps.awsTimeoutMs !== undefined ? { timeoutMs: deps.awsTimeoutMs } : {}) }),
  );
  // Lazy on purpose: DefaultAzureCredential is neither imported nor constructed until an ACR host shows up.
  const azureSource = once<AzureSource>(() =>
    createAzureSource({ scrubber, ...(deps.azure ? { factory: deps.azure } : {}), ...(deps.azureTimeoutMs !== undefined ? { timeoutMs: deps.azureTimeoutMs } : {}) }),
  );
  const configOptions = { env: deps.env, homeDir: deps.homeDir, scrubber, now };

  const context = (mode: CallContext['mode'], signal?: AbortSignal): CallContext => {
    const lists = new Map<string, Promise<HelperListResult>>();
    return {
      mode,
      ...(signal ? { signal } : {}),
      envConfig: once(() => readDockerAuthConfigEnv(configOptions)),
      fileConfig: once(() => readDockerConfigFile(configOptions)),
      storeList(helper) {
        let p = lists.get(helper);
        if (!p) {
          p = helperList(runHelper, helper, { ...(signal ? { signal } : {}), scrubber, configuredIn: 'credsStore', ...(deps.helperTimeoutMs !== undefined ? { timeoutMs: deps.helperTimeoutMs } : {}) });
          lists.set(helper, p);
        }
        return p;
      },
      savedSummaries: once(async () => {
        if (!deps.savedStore) return [];
        try {
          return await deps.savedStore.summaries();
        } catch {
          return [];
        }
      }),
    };
  };

  const checkAbort = (signal?: AbortSignal): void => {
    if (signal?.aborted) throw signal.reason;
  };

  async function* savedCandidates(host: string, ctx: CallContext): AsyncGenerator<CredentialCandidate> {
    const store = deps.savedStore;
    if (!store) return;
    if (ctx.mode === 'list') {
      for (const summary of await ctx.savedSummaries()) if (summary.registry === host) yield { summary, secret: null };
      return;
    }
    try {
      const saved = await store.get(host);
      if (saved) yield saved;
    } catch (error) {
      yield unusableCandidate(
        { registry: host, source: 'saved', sourceDetail: 'in the Stowage settings folder', kind: 'basic' },
        error instanceof UserError ? error.message : 'the saved credentials could not be read',
        error instanceof UserError && error.hint ? error.hint : 'Check the Stowage settings folder.',
      );
    }
  }

  async function* candidates(host: string, implementation: Implementation, ctx: CallContext): AsyncGenerator<CredentialCandidate> {
    const lookup = {
      runHelper,
      mode: ctx.mode,
      scrubber,
      now,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(deps.helperTimeoutMs !== undefined ? { helperTimeoutMs: deps.helperTimeoutMs } : {}),
      storeList: ctx.storeList,
    };

    // 1. saved in Stowage
    yield* savedCandidates(host, ctx);
    checkAbort(ctx.signal);

    // 2. DOCKER_AUTH_CONFIG
    const envConfig = ctx.envConfig();
    if (envConfig) yield* configCandidates(envConfig, host, lookup);
    checkAbort(ctx.signal);

    // 3. werf / CI variables
    for (const c of envCandidates(deps.env, { now, scrubber })) if (c.summary.registry === host) yield c;

    // 4. config.json
    const fileConfig = await ctx.fileConfig();
    if (fileConfig) yield* configCandidates(fileConfig, host, lookup);
    checkAbort(ctx.signal);

    // 5. the chain of the cloud whose identity logs in to this registry (its driver says which)
    const cloud = registryDriver(implementation).cloudIdentity;
    if (cloud === 'aws') {
      yield await awsCandidate(awsChain(), host, now(), ctx.signal);
    } else if (cloud === 'azure') {
      yield await azureSource().candidate(host, now(), ctx.signal);
    } else if (cloud === 'google') {
      const gcloudAlreadyAsked = [envConfig, fileConfig].some((c) => c !== null && !c.problem && helperNameFor(c, host) === 'gcloud');
      yield* googleCandidates(host, {
        env: deps.env,
        runHelper,
        now: now(),
        scrubber,
        gcloudAlreadyAsked,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(deps.helperTimeoutMs !== undefined ? { helperTimeoutMs: deps.helperTimeoutMs } : {}),
      });
    }
  }

  /** Every host any source names, plus the ones the caller asks about. */
  const knownHosts = async (ctx: CallContext, options: CredentialListOptions): Promise<string[]> => {
    const hosts = new Set<string>();
    for (const r of options.registries ?? []) {
      const h = normaliseRegistryHost(r);
      if (h !== '') hosts.add(h);
    }
    for (const s of await ctx.savedSummaries()) hosts.add(s.registry);
    for (const h of envRegistries(deps.env)) hosts.add(h);
    let unattached = false;
    for (const config of [ctx.envConfig(), await ctx.fileConfig()]) {
      if (!config) continue;
      if (config.problem) {
        unattached = true;
        continue;
      }
      for (const h of hostsOf(config)) hosts.add(h);
      if (config.credsStore !== null) {
        const listed = await ctx.storeList(config.credsStore);
        if (listed.status === 'ok') for (const url of listed.entries.keys()) hosts.add(normaliseRegistryHost(url));
        else unattached = true;
      }
    }
    hosts.delete('');
    // A broken config or store is a problem for every registry; with none known, show it where
    // `docker login` would have put a login: Docker Hub.
    if (hosts.size === 0 && unattached) hosts.add(DOCKER_HUB_REGISTRY);
    return [...hosts].sort(compareHosts);
  };

  /** The first usable candidate with a secret, and the unusable ones met on the way there. */
  const resolution = async (registry: string, implementation: Implementation, signal?: AbortSignal): Promise<CredentialResolution> => {
    const unusable: CredentialSummary[] = [];
    const host = normaliseRegistryHost(registry);
    if (host === '') return { credential: null, unusable };
    checkAbort(signal);
    const ctx = context('resolve', signal);
    for await (const c of candidates(host, implementation, ctx)) {
      if (c.summary.usable && c.secret) {
        const credential: ResolvedCredential = { summary: c.summary, secret: c.secret };
        return { credential, unusable };
      }
      if (!c.summary.usable) unusable.push(c.summary);
    }
    return { credential: null, unusable };
  };

  return {
    async resolve(registry, implementation, signal) {
      return (await resolution(registry, implementation, signal)).credential;
    },

    resolveWithProblems: resolution,

    async list(signal, options = {}) {
      checkAbort(signal);
      const ctx = context('list', signal);
      const hosts = await knownHosts(ctx, options);
      const perHost = await Promise.all(
        hosts.map(async (host) => {
          const found: CredentialSummary[] = [];
          for await (const c of candidates(host, implementationOfHost(host), ctx)) found.push(c.summary);
          return found;
        }),
      );
      return perHost.flat();
    },
  };
}
