import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-stream';
import { UserError } from '../../../shared/api/result';
import type { BuilderChoice } from '../../../shared/publish/builder-choice';
import { BuildkitProgress, type BuildkitStatus } from '../../../shared/publish/buildkit-progress';
import { baseImagesOf, dockerfileInstructions, lineOfBuildkitError, lineOfParseError, lineOfStep, type DockerfileInstruction } from '../../../shared/publish/dockerfile-lines';
import { asEngineMessage, isTransientPushError, readBuildMessage, readPushMessage, type EngineMessage, type PushEvent } from '../../../shared/publish/engine-stream';
import { isFromPublishRegistry } from './base-image-registry';
import { decodeBuildkitStatus } from './buildkit-status';
import { makeBuildContext, type ContextRequest } from './context-tar';

/** A line the engine sends longer than this is cut: a RUN step can print anything. */
const MAX_LINE = 4000;

/** Reads the engine's newline-separated JSON messages; resolves when the stream ends. */
export function readMessages(stream: NodeJS.ReadableStream, onMessage: (m: EngineMessage) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onAbort = () => {
      (stream as Readable).destroy?.();
      reject(cancelledError());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const handle = (line: string) => {
      if (line.trim() === '') return;
      try {
        const m = asEngineMessage(JSON.parse(line));
        if (m) onMessage(m);
      } catch {
        onMessage({ stream: line.slice(0, MAX_LINE) });
      }
    };
    stream.setEncoding?.('utf8');
    stream.on('data', (chunk: string | Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        handle(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      // A message without a newline for megabytes is not a message.
      if (buffer.length > 1024 * 1024) buffer = buffer.slice(-MAX_LINE);
    });
    stream.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      handle(buffer);
      resolve();
    });
    stream.on('error', (error: Error) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? cancelledError() : error);
    });
  });
}

export function cancelledError(): UserError {
  return new UserError({ code: 'cancelled', message: 'Publish cancelled; the engine stopped the build or push in progress.' });
}

export interface BuildRequest extends ContextRequest {
  /** From the engine card (chooseBuilder); the classic builder when absent. */
  builder?: 'classic' | 'buildkit';
  target?: string;
  buildArgs: Record<string, string>;
  addHost?: readonly string[];
  network?: string;
  platform?: readonly string[];
  /** Whether the engine takes `platform` (engine card); assumed when absent. */
  platformSupport?: BuilderChoice['platform'];
  labels?: Record<string, string>;
  /** The registry publish logs in to: BuildKit's base images from it are pulled with this credential first. */
  pull?: { registry: string; authconfig?: Record<string, string> };
}

export interface BuildCallbacks {
  onStep(step: number, total: number, instruction: string, line: number | null): void;
  onLog(line: string): void;
}

/** What a builder's stream reader learnt. */
interface StreamOutcome {
  imageId: string | null;
  failure: string | null;
  /** The Dockerfile line of the failure, when the builder tells it. */
  line: number | null;
  /** The step the failure happened in, for the hint. */
  step: string | null;
}

/**
 * One Dockerfile build, from a context tar streamed out of the project, with BuildKit when the
 * engine offers it and the classic builder otherwise. Cancelling closes the request, and the engine
 * ends the build with it (BuildKit cancels the solve). A failure is a UserError with the engine's
 * message and, where it can be told, the Dockerfile line.
 */
export async function buildDockerfile(docker: Docker, req: BuildRequest, signal: AbortSignal, cb: BuildCallbacks): Promise<{ imageId: string }> {
  const builder = req.builder ?? 'classic';
  const platform = checkPlatform(req, builder);
  checkNetwork(req, builder);
  const context = makeBuildContext(req);
  const instructions = dockerfileInstructions(context.dockerfileText);
  const local = new AbortController();
  const abort = () => local.abort();
  signal.addEventListener('abort', abort, { once: true });
  // A refused link destroys the tar; the request must then end too, or the engine waits for the rest.
  context.refused.addEventListener('abort', abort, { once: true });
  context.stream.on('error', abort);
  let outcome: StreamOutcome = { imageId: null, failure: null, line: null, step: null };
  try {
    if (builder === 'buildkit') await pullBaseImages(docker, context.dockerfileText, req, platform, local.signal, cb);
    const stream = (await docker.buildImage(context.stream as unknown as NodeJS.ReadableStream, {
      dockerfile: context.dockerfileInTar,
      ...(req.target ? { target: req.target } : {}),
      buildargs: req.buildArgs,
      ...(req.labels ? { labels: req.labels } : {}),
      // Repeated `extrahosts=` parameters, one per `host:ip`, as the Docker CLI sends them.
      ...(req.addHost?.length ? { extrahosts: [...req.addHost] } : {}),
      ...(req.network ? { networkmode: req.network } : {}),
      ...(platform ? { platform } : {}),
      ...(builder === 'buildkit'
        ? // The number, not the string "2": dockerode opens its own gRPC session for "2", which a
          // build from an uploaded context does not need (base images are pulled above instead).
          { version: 2 }
        : { rm: true, forcerm: true, version: '1' }),
      abortSignal: local.signal,
    } as unknown as Docker.ImageBuildOptions)) as NodeJS.ReadableStream;
    outcome = builder === 'buildkit' ? await readBuildkitStream(stream, instructions, context.dockerfileInTar, local.signal, cb) : await readClassicStream(stream, instructions, local.signal, cb);
  } catch (error) {
    const refusal = context.refusal();
    if (refusal) throw refusal;
    if (signal.aborted) throw cancelledError();
    if (error instanceof UserError) throw error;
    outcome.failure = (error as { json?: { message?: string } })?.json?.message ?? (error instanceof Error ? error.message : String(error));
  } finally {
    signal.removeEventListener('abort', abort);
  }
  const refusal = context.refusal();
  if (refusal) throw refusal;
  if (outcome.failure !== null || outcome.imageId === null) {
    const message = outcome.failure ?? 'The engine ended the build without an image id';
    const line = outcome.line;
    throw new UserError({
      code: 'build-failed',
      message: `${req.dockerfilePath}${line !== null ? `:${line}` : ''}: ${outcome.step && !message.includes(outcome.step) ? `${outcome.step}: ` : ''}${message}`,
      hint: /no active sessions/.test(message)
        ? 'BuildKit could not take a base image from the engine, and without a client session it cannot fetch one itself: Stowage pulls the base images it can name first, so check that every FROM names an image (a build arg without a value leaves it empty), or docker pull it once.'
        : line !== null
          ? `Fix line ${line} of ${req.dockerfilePath}${outcome.step ? ` (${outcome.step})` : ''}, then publish again.`
          : `Read the build log above; docker build${builder === 'buildkit' ? ' with BuildKit' : ''} of the same context shows the same error.`,
      details: { dockerfile: req.dockerfilePath, builder, ...(line !== null ? { line } : {}) },
    });
  }
  return { imageId: outcome.imageId };
}

/** The one platform to build for, or a refusal the user can act on. */
function checkPlatform(req: BuildRequest, builder: 'classic' | 'buildkit'): string | undefined {
  const platforms = req.platform ?? [];
  if (platforms.length > 1) {
    throw new UserError({
      code: 'multi-platform',
      message: `The image is for ${platforms.join(', ')}; ${builder === 'buildkit' ? "BuildKit through the engine's API stores one platform per image" : 'the classic builder builds one platform at a time'}`,
      hint: 'werf builds multi-platform images with buildx or Buildah (werf build); keep one platform in werf.yaml for Stowage.',
    });
  }
  const platform = platforms[0];
  if (platform && req.platformSupport && !req.platformSupport.supported) {
    throw new UserError({ code: 'platform-unsupported', message: `The image asks for platform ${platform}. ${req.platformSupport.reason}`, hint: 'Upgrade the Docker engine, enable its experimental features, or remove platform from werf.yaml to build for the engine\'s own platform.' });
  }
  return platform;
}

/** BuildKit runs RUN steps in the host's network, none, or its default; a named network is the classic builder's. */
const BUILDKIT_NETWORKS = new Set(['default', 'host', 'none']);

function checkNetwork(req: BuildRequest, builder: 'classic' | 'buildkit'): void {
  if (builder !== 'buildkit' || !req.network || BUILDKIT_NETWORKS.has(req.network)) return;
  throw new UserError({
    code: 'network-unsupported',
    message: `The image asks for network "${req.network}"; BuildKit builds only with the default network, host or none`,
    hint: 'Use network: host or none in werf.yaml, or drop it; a named network needs the classic builder (set features.buildkit to false in the engine\'s daemon.json).',
  });
}

async function readClassicStream(stream: NodeJS.ReadableStream, instructions: readonly DockerfileInstruction[], signal: AbortSignal, cb: BuildCallbacks): Promise<StreamOutcome> {
  const out: StreamOutcome = { imageId: null, failure: null, line: null, step: null };
  let lastStep = 0;
  await readMessages(
    stream,
    (m) => {
      for (const ev of readBuildMessage(m)) {
        if (ev.kind === 'step') {
          lastStep = ev.step;
          out.step = `step ${ev.step}`;
          cb.onStep(ev.step, ev.total, ev.instruction, lineOfStep(instructions, ev.step));
        } else if (ev.kind === 'log') cb.onLog(ev.line.slice(0, MAX_LINE));
        else if (ev.kind === 'image') out.imageId = ev.id;
        else out.failure = ev.message.slice(0, MAX_LINE);
      }
    },
    signal,
  );
  if (out.failure !== null) out.line = lineOfParseError(out.failure) ?? (lastStep > 0 ? lineOfStep(instructions, lastStep) : null);
  return out;
}

/** BuildKit's stream: `moby.buildkit.trace` status messages, `moby.image.id`, and the final error. */
async function readBuildkitStream(stream: NodeJS.ReadableStream, instructions: readonly DockerfileInstruction[], dockerfileInTar: string, signal: AbortSignal, cb: BuildCallbacks): Promise<StreamOutcome> {
  const out: StreamOutcome = { imageId: null, failure: null, line: null, step: null };
  const progress = new BuildkitProgress(instructions);
  let undecodable = 0;
  await readMessages(
    stream,
    (m) => {
      if (m.id === BUILDKIT_TRACE && typeof m.aux === 'string') {
        let status: BuildkitStatus;
        try {
          status = decodeBuildkitStatus(m.aux);
        } catch {
          // Not a StatusResponse (a future engine's other trace): said once, never fatal.
          if (undecodable++ === 0) cb.onLog('(a BuildKit progress message Stowage cannot read was left out)');
          return;
        }
        for (const ev of progress.read(status)) {
          if (ev.kind === 'step') cb.onStep(ev.step, ev.total, `${ev.instruction}${ev.cached ? ' (cached)' : ''}`, ev.line);
          else cb.onLog(ev.line.slice(0, MAX_LINE));
        }
        return;
      }
      for (const ev of readBuildMessage(m)) {
        if (ev.kind === 'image') out.imageId = ev.id;
        else if (ev.kind === 'error') out.failure = ev.message.slice(0, MAX_LINE);
        else if (ev.kind === 'log') cb.onLog(ev.line.slice(0, MAX_LINE));
      }
    },
    signal,
  );
  if (out.failure !== null) {
    const failed = progress.failure();
    out.step = failed?.name ?? null;
    out.line = lineOfBuildkitError(out.failure, dockerfileInTar) ?? failed?.line ?? null;
  }
  return out;
}

const BUILDKIT_TRACE = 'moby.buildkit.trace';

/**
 * BuildKit through the Engine API resolves a registry image only through a client session, which
 * Stowage does not open: without one, Debian's engine 20.10 fails even a public base image with
 * "no active sessions" (found with the real engine; `FROM scratch` and images the engine already
 * holds need nothing). So the base images it lacks are pulled first, with publish's credential
 * where they come from the registry publish logs in to (X-Registry-Auth on the pull), anonymously
 * otherwise, and BuildKit then takes them from the engine's image store.
 */
async function pullBaseImages(docker: Docker, dockerfileText: string, req: BuildRequest, platform: string | undefined, signal: AbortSignal, cb: BuildCallbacks): Promise<void> {
  for (const ref of baseImagesOf(dockerfileText, req.buildArgs)) {
    const present = await docker
      .getImage(ref)
      .inspect({ abortSignal: signal } as object)
      .then(() => true)
      .catch((error: { statusCode?: number }) => {
        if (signal.aborted) throw cancelledError();
        if (error?.statusCode === 404) return false;
        throw error;
      });
    if (present) continue;
    const fromPublishRegistry = req.pull !== undefined && isFromPublishRegistry(ref, req.pull.registry);
    const withAuth = fromPublishRegistry && req.pull?.authconfig !== undefined;
    cb.onLog(`pulling base image ${ref}${withAuth ? ' with the credential for ' + req.pull!.registry : ''}`);
    let failure: string | null = null;
    try {
      const stream = (await docker.pull(ref, { ...(withAuth ? { authconfig: req.pull!.authconfig } : {}), ...(platform ? { platform } : {}), abortSignal: signal } as object)) as NodeJS.ReadableStream;
      await readMessages(
        stream,
        (m) => {
          const ev = readPushMessage(m);
          if (ev?.kind === 'error') failure = ev.message.slice(0, MAX_LINE);
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw cancelledError();
      failure = (error as { json?: { message?: string } })?.json?.message ?? (error instanceof Error ? error.message : String(error));
    }
    if (failure !== null) {
      throw new UserError({
        code: 'base-image-pull-failed',
        message: `Pulling the base image ${ref} failed: ${failure}`,
        hint: withAuth || !fromPublishRegistry ? `Check that ${ref} exists and that the engine can reach its registry; for a private registry other than the one you publish to, run docker pull ${ref} first (with docker login).` : pushHint(failure),
      });
    }
  }
}

/**
 * werf gives every published tag its own image with the tag's labels (werf.md §3.1). The image
 * built once is re-labelled per name by a one-line `FROM <id>` build: no layer changes, only the
 * config (labels), and the local tag is the final name.
 */
export async function labelAndTag(docker: Docker, imageId: string, labels: Record<string, string>, reference: string, signal: AbortSignal): Promise<string> {
  const tar = tarPack();
  const dockerfile = `FROM ${imageId}\n`;
  tar.entry({ name: 'Dockerfile', size: Buffer.byteLength(dockerfile), mode: 0o644, mtime: new Date(0) }, dockerfile);
  tar.finalize();
  let id: string | null = null;
  let failure: string | null = null;
  const stream = (await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: reference, labels, rm: true, version: '1', abortSignal: signal } as Docker.ImageBuildOptions)) as NodeJS.ReadableStream;
  await readMessages(
    stream,
    (m) => {
      for (const ev of readBuildMessage(m)) {
        if (ev.kind === 'image') id = ev.id;
        if (ev.kind === 'error') failure = ev.message;
      }
    },
    signal,
  );
  if (failure !== null || id === null) throw new UserError({ code: 'tag-failed', message: `Labelling ${reference} failed: ${failure ?? 'no image id'}`, hint: 'Check the engine log.' });
  return id;
}

export interface PushOutcome {
  digest: string;
  size: number;
  attempts: number;
}

/**
 * `docker push` of one name through the engine, with per-layer progress, retried on transient
 * failures (a 5xx, a reset connection) but never on a refusal. The credential travels in
 * `X-Registry-Auth` only.
 */
export async function pushReference(
  docker: Docker,
  reference: string,
  authconfig: Record<string, string> | undefined,
  signal: AbortSignal,
  onLayer: (ev: Extract<PushEvent, { kind: 'layer' }>) => void,
  options: { attempts?: number; backoffMs?: number } = {},
): Promise<PushOutcome> {
  const colon = reference.lastIndexOf(':');
  const name = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  const attempts = options.attempts ?? 3;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let digest: { digest: string; size: number } | null = null;
    let failure: string | null = null;
    try {
      const stream = (await docker.getImage(name).push({ tag, ...(authconfig ? { authconfig } : {}), abortSignal: signal } as object)) as NodeJS.ReadableStream;
      await readMessages(
        stream,
        (m) => {
          const ev = readPushMessage(m);
          if (!ev) return;
          if (ev.kind === 'layer') onLayer(ev);
          else if (ev.kind === 'digest') digest = { digest: ev.digest, size: ev.size };
          else if (ev.kind === 'error') failure = ev.message.slice(0, MAX_LINE);
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw cancelledError();
      if (error instanceof UserError) throw error;
      failure = (error as { json?: { message?: string } })?.json?.message ?? (error instanceof Error ? error.message : String(error));
    }
    if (failure === null && digest !== null) return { ...(digest as { digest: string; size: number }), attempts: attempt };
    last = failure ?? 'the engine ended the push without a digest';
    if (!isTransientPushError(last) || attempt === attempts) break;
    await sleep(options.backoffMs ?? 500 * 2 ** (attempt - 1), signal);
  }
  throw new UserError({ code: 'push-failed', message: `Pushing ${reference} failed: ${last}`, hint: pushHint(last) });
}

function pushHint(message: string): string {
  const m = message.toLowerCase();
  if (/unauthorized|authentication required|denied|forbidden|requested access/.test(m)) return 'The registry refused the credential or its permissions: check "Registry access" (Test connection) for push rights on this repository.';
  if (/name_unknown|repository .* not found|does not exist/.test(m)) return 'The repository does not exist and this registry does not create it on push; create it first (ECR: allow Stowage to create it).';
  if (/http response to https client|server gave http response/.test(m)) return 'The registry speaks plain HTTP: add it to the engine\'s insecure-registries (daemon.json) — Docker only allows 127.0.0.0/8 by default.';
  return 'Check that the registry is reachable from the Docker engine (it pushes, not Stowage) and try again.';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(cancelledError());
    }, { once: true });
  });
}

/** Removes local tags made for a publish that did not complete, so nothing half-published remains. */
export async function removeLocalTags(docker: Docker, references: readonly string[]): Promise<void> {
  for (const ref of references) {
    await docker
      .getImage(ref)
      .remove({ noprune: true })
      .catch(() => undefined);
  }
}

