import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../../shared/api/result';
import type { ImageSummary } from '../../../shared/api/types';
import type { PreviewTag } from '../../../shared/naming/preview';
import { werfPublishLabels } from '../../../shared/publish/labels';
import { planPublish, type PlannedBuild } from '../../../shared/publish/plan';
import type { EngineInfo, PublishedImage, PublishProgress, PublishReport, PublishRequest, PushedName } from '../../../shared/publish/types';
import { implementationInfo } from '../../../shared/registry/implementation-registry';
import { detectParsed, parseImagesRepo } from '../../../shared/registry/detect';
import type { CredentialResolver } from '../credentials/types';
import { engineInfo, engineUnreachable, type EngineConnection } from '../docker/engine';
import { withTlsOverride, type RegistrySettingsStore } from '../registry-settings';
import { buildDockerfile, cancelledError, labelAndTag, pushReference, removeLocalTags } from './engine-ops';
import { RegistrySession, splitReference } from './registry-session';

export interface PublishDeps {
  projectDir: string;
  images: readonly ImageSummary[];
  resolver: CredentialResolver;
  settings: RegistrySettingsStore;
  engine: EngineConnection;
  /** The audit log goes to <settingsDir>/audit/publish.jsonl. */
  settingsDir: string;
  signal: AbortSignal;
  onProgress?: (p: PublishProgress) => void;
  now?: () => number;
  /** Push retry pacing (tests shorten it). */
  pushBackoffMs?: number;
}

const key = (name: string | null) => name ?? '';

/**
 * Builds the project's Dockerfile images with the local engine and pushes them under exactly the
 * names the preview shows. Order of business: plan (nothing built when a name is invalid), the
 * engine, the registry login, ECR repositories, then per image in dependency order: build, label
 * and tag per name, push, read the digest back from the registry, audit.
 */
export async function publishImages(request: PublishRequest, deps: PublishDeps): Promise<PublishReport> {
  const emit = deps.onProgress ?? (() => undefined);
  const now = deps.now ?? Date.now;
  const plan = planPublish(deps.images, request);
  const report: PublishReport = {
    engine: null,
    imagesRepo: plan.preview.imagesRepo,
    mode: plan.preview.mode,
    images: plan.order.map((p) => ({ name: p.name, built: false, pushed: [], ...(p.skipped ? { skipped: p.skipped } : {}) })),
    problems: plan.problems,
    failed: false,
    cancelled: false,
  };
  emit({ kind: 'plan', images: plan.order.map((p) => ({ name: p.name, references: p.tags.map((t) => t.reference), ...(p.skipped ? { skipped: p.skipped } : {}) })) });
  if (plan.blocked) {
    report.failed = true;
    return report;
  }
  const toBuild = plan.order.filter((p) => !p.skipped);
  if (toBuild.length === 0) return report;

  let engine: EngineInfo;
  try {
    engine = await engineInfo(deps.engine, deps.signal);
  } catch (error) {
    throw engineUnreachable(deps.engine.endpoint, error);
  }
  report.engine = engine;

  const parsed = parseImagesRepo(plan.preview.imagesRepo);
  const detection = detectParsed(parsed);
  const registry = parsed.registry;
  const implementation = plan.preview.implementation;
  const credential = await deps.resolver.resolve(registry, implementation, deps.signal);
  const saved = await deps.settings.get(registry);
  const settings = request.insecureRegistry ? withTlsOverride(registry, saved, { plainHttp: true }) : saved;
  const session = await RegistrySession.open({ registry, implementation, detection, credential, settings, signal: deps.signal });
  const audit = new PublishAudit(deps.settingsDir);
  try {
    // ECR: the one registry that does not create a repository on push (the catalogue says which).
    if (!implementationInfo(implementation).createsRepositoriesOnPush) {
      const repos = [...new Set(toBuild.flatMap((p) => p.tags.map((t) => splitReference(t.reference, registry).repository)))];
      const { created } = await session.ensureEcrRepositories(repos, request.createRepositories === true, deps.signal);
      for (const r of created) emit({ kind: 'phase', image: null, phase: 'queued', message: `Created the ECR repository ${r}` });
    }
    const authconfig = session.authConfig();
    const results = new Map<string, PublishedImage>(report.images.map((r) => [key(r.name), r]));
    for (const planned of plan.order) {
      const result = results.get(key(planned.name))!;
      if (planned.skipped) {
        emit({ kind: 'phase', image: planned.name, phase: 'skipped', message: planned.skipped });
        continue;
      }
      if (deps.signal.aborted) {
        result.skipped = 'cancelled before it started';
        emit({ kind: 'phase', image: planned.name, phase: 'cancelled' });
        continue;
      }
      const failedDep = planned.needs.find((n) => {
        const r = results.get(key(n));
        return r !== undefined && (r.error !== undefined || (r.skipped !== undefined && !r.built));
      });
      if (failedDep !== undefined) {
        result.skipped = `it needs "${failedDep}", which was not published`;
        emit({ kind: 'phase', image: planned.name, phase: 'skipped', message: result.skipped });
        continue;
      }
      await publishOne(planned, result, { deps, emit, now, session, authconfig, results, audit, engine, registry });
      if (result.error?.code === 'cancelled') report.cancelled = true;
    }
  } finally {
    await session.close();
  }
  report.failed = report.images.some((i) => i.error !== undefined) || report.cancelled;
  return report;
}

interface RunContext {
  deps: PublishDeps;
  emit: (p: PublishProgress) => void;
  now: () => number;
  session: RegistrySession;
  authconfig: Record<string, string> | undefined;
  results: Map<string, PublishedImage>;
  audit: PublishAudit;
  engine: EngineInfo;
  registry: string;
}

async function publishOne(planned: PlannedBuild, result: PublishedImage, ctx: RunContext): Promise<void> {
  const { deps, emit, now } = ctx;
  const image = planned.name;
  const build = planned.build!;
  const localTags: string[] = [];
  try {
    emit({ kind: 'phase', image, phase: 'building', message: `${build.dockerfilePath} in ${build.contextPath} with ${ctx.engine.builder.kind === 'buildkit' ? 'BuildKit' : ctx.engine.builder.reason}` });
    const started = now();
    const buildArgs = { ...(build.args ?? {}), ...dependencyArgs(planned, ctx.results) };
    const { imageId } = await buildDockerfile(
      deps.engine.docker,
      {
        projectDir: deps.projectDir,
        contextPath: build.contextPath,
        dockerfilePath: build.dockerfilePath,
        ...(build.contextAddFiles ? { contextAddFiles: build.contextAddFiles } : {}),
        ...(build.target ? { target: build.target } : {}),
        buildArgs,
        ...(build.addHost ? { addHost: build.addHost } : {}),
        ...(build.network ? { network: build.network } : {}),
        ...(build.platform ? { platform: build.platform } : {}),
        builder: ctx.engine.builder.kind,
        platformSupport: ctx.engine.builder.platform,
        pull: { registry: ctx.registry, ...(ctx.authconfig ? { authconfig: ctx.authconfig } : {}) },
      },
      deps.signal,
      {
        onStep: (step, total, instruction, line) => emit({ kind: 'step', image, step, total, instruction: line !== null ? `${instruction}  (${build.dockerfilePath}:${line})` : instruction }),
        onLog: (line) => emit({ kind: 'log', image, lines: [line] }),
      },
    );
    result.built = true;
    result.imageId = imageId;
    result.buildMs = now() - started;

    for (const tag of planned.tags) {
      emit({ kind: 'phase', image, phase: 'tagging', message: tag.reference });
      await labelAndTag(deps.engine.docker, imageId, werfPublishLabels(image, tag.strategy, tag.value), tag.reference, deps.signal);
      localTags.push(tag.reference);
      const pushed = await pushOne(image, tag, ctx);
      result.pushed.push(pushed);
      emit({ kind: 'pushed', image, name: pushed });
    }
    emit({ kind: 'phase', image, phase: 'done', message: planned.tags.length ? `${planned.tags.length} name${planned.tags.length === 1 ? '' : 's'} pushed` : 'built (not a final image: nothing to push)' });
  } catch (error) {
    const e = error instanceof UserError ? error : new UserError({ code: 'publish-error', message: error instanceof Error ? error.message : String(error) });
    const line = typeof e.details?.line === 'number' && typeof e.details?.dockerfile === 'string' ? { file: e.details.dockerfile, line: e.details.line } : undefined;
    result.error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(line ? { dockerfileLine: line } : {}) };
    // Names of this image that did not reach the registry lose their local tag too: nothing half-published stays behind.
    const unpushed = localTags.filter((r) => !result.pushed.some((p) => p.reference === r));
    await removeLocalTags(deps.engine.docker, unpushed);
    emit({ kind: 'phase', image, phase: e.code === 'cancelled' ? 'cancelled' : 'failed', message: e.message });
  }
}

async function pushOne(image: string | null, tag: PreviewTag, ctx: RunContext): Promise<PushedName> {
  const { deps, emit, now } = ctx;
  emit({ kind: 'phase', image, phase: 'pushing', message: tag.reference });
  const started = now();
  let lastEmit = 0;
  const pushed = await pushReference(
    deps.engine.docker,
    tag.reference,
    ctx.authconfig,
    deps.signal,
    (ev) => {
      // Byte progress arrives many times a second per layer; status changes always go out.
      const t = now();
      if (ev.current !== undefined && ev.status === 'Pushing' && t - lastEmit < 100) return;
      lastEmit = t;
      emit({ kind: 'layer', image, reference: tag.reference, layer: ev.layer, status: ev.status, ...(ev.current !== undefined ? { current: ev.current } : {}), ...(ev.total !== undefined ? { total: ev.total } : {}) });
    },
    deps.pushBackoffMs !== undefined ? { backoffMs: deps.pushBackoffMs } : {},
  );
  emit({ kind: 'phase', image, phase: 'verifying', message: tag.reference });
  const { repository, tag: t } = splitReference(tag.reference, ctx.registry);
  const remote = await ctx.session.digestOf(repository, t, deps.signal);
  if (remote.digest !== pushed.digest) {
    throw new UserError({
      code: 'digest-mismatch',
      message: `The engine pushed ${tag.reference} as ${pushed.digest}, but the registry answers ${remote.digest} for it`,
      hint: 'Another push to the same name happened at the same time, or a proxy rewrote the manifest. Publish again and compare.',
    });
  }
  const name: PushedName = { reference: tag.reference, strategy: tag.strategy, digest: remote.digest, size: remote.size, ms: now() - started };
  await ctx.audit.record({
    time: new Date().toISOString(),
    action: 'push',
    image,
    reference: tag.reference,
    strategy: tag.strategy,
    digest: remote.digest,
    size: remote.size,
    attempts: pushed.attempts,
    ms: name.ms,
    engine: ctx.engine.endpoint,
    credentialSource: ctx.session.input.credential?.summary.source ?? 'anonymous',
  });
  return name;
}

/** werf v2 `dependencies[].imports`: a built dependency's name, repo, tag, id or digest as a build arg. */
function dependencyArgs(planned: PlannedBuild, results: Map<string, PublishedImage>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dep of planned.build?.dependencies ?? []) {
    const r = results.get(dep.image);
    for (const imp of dep.imports) {
      const first = r?.pushed[0];
      if (imp.type === 'ImageID') {
        if (r?.imageId) out[imp.targetBuildArg] = r.imageId;
        continue;
      }
      if (!first) {
        throw new UserError({ code: 'dependency-not-published', message: `Build arg ${imp.targetBuildArg} wants the ${imp.type} of "${dep.image}", which has no published name`, hint: 'werf keeps non-final images in its stages storage; make the dependency final, or import its ImageID.' });
      }
      const colon = first.reference.lastIndexOf(':');
      if (imp.type === 'ImageName') out[imp.targetBuildArg] = first.reference;
      else if (imp.type === 'ImageRepo') out[imp.targetBuildArg] = first.reference.slice(0, colon);
      else if (imp.type === 'ImageTag') out[imp.targetBuildArg] = first.reference.slice(colon + 1);
      else if (imp.type === 'ImageDigest') out[imp.targetBuildArg] = first.digest;
    }
  }
  return out;
}

/** One JSON line per push in the settings folder: what was pushed where, never a secret. */
export class PublishAudit {
  readonly file: string;
  constructor(settingsDir: string) {
    this.file = join(settingsDir, 'audit', 'publish.jsonl');
  }
  async record(entry: Record<string, unknown>): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}

export { cancelledError };
