import dockerignore from '@balena/dockerignore';
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pack, type Headers } from 'tar-fs';
import { UserError } from '../../../shared/api/result';
import { isInside, resolveInsideProject } from '../project/inside-project';

/** A Dockerfile larger than this is not a Dockerfile anyone wrote by hand; reading it is refused. */
export const DOCKERFILE_MAX_BYTES = 1024 * 1024;

export interface ContextRequest {
  projectDir: string;
  /** Relative to the project folder. */
  contextPath: string;
  dockerfilePath: string;
  /** werf's contextAddFiles: sent whatever .dockerignore says (they must be inside the context). */
  contextAddFiles?: readonly string[];
}

export interface BuildContext {
  /** The tar, made while it is read: never held in memory. */
  stream: Readable;
  /** Where the Dockerfile is inside the tar (the `dockerfile` build parameter). */
  dockerfileInTar: string;
  dockerfileText: string;
  /** Set when the walk met something it must not send (a link out of the project); the stream is then destroyed. */
  refusal(): UserError | null;
  /** Aborted at that moment, so the request that carries the tar can end too. */
  refused: AbortSignal;
}

const posix = (p: string) => p.split(sep).join('/');

/**
 * The build context as the Docker CLI sends it: every file under the context folder that
 * `.dockerignore` does not exclude, owned by root, with the Dockerfile always included (under a
 * generated name when it lies outside the context or is ignored, as the CLI does). The project is
 * untrusted: the context, the Dockerfile and `.dockerignore` must really be inside it, and a
 * symbolic link in the context that leads out of the project stops the build.
 */
export function makeBuildContext(req: ContextRequest): BuildContext {
  const root = resolveInsideProject(req.projectDir, req.contextPath);
  if (!root.ok) throw insideError(root, `the build context ${req.contextPath}`);
  const df = resolveInsideProject(req.projectDir, req.dockerfilePath);
  if (!df.ok) throw insideError(df, `the Dockerfile ${req.dockerfilePath}`);
  const projectReal = realpathSync(req.projectDir);
  const contextReal = root.realPath;
  if (!lstatSync(contextReal).isDirectory()) throw new UserError({ code: 'context-not-folder', message: `The build context ${req.contextPath} is not a folder`, hint: 'Point `context` at a folder inside the project.' });

  const dfStat = lstatSync(df.realPath);
  if (!dfStat.isFile()) throw new UserError({ code: 'dockerfile-not-file', message: `${req.dockerfilePath} is not a file`, hint: 'Point `dockerfile` at the Dockerfile.' });
  if (dfStat.size > DOCKERFILE_MAX_BYTES) throw new UserError({ code: 'dockerfile-too-large', message: `${req.dockerfilePath} is ${dfStat.size} bytes; Stowage reads Dockerfiles up to 1 MiB`, hint: 'Check that `dockerfile` names the Dockerfile.' });
  const dockerfileText = readFileSync(df.realPath, 'utf8');

  const patterns = readDockerignore(req.projectDir, req.contextPath);
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  const hasExceptions = patterns.some((p) => p.trim().startsWith('!'));

  const forced = (req.contextAddFiles ?? []).map((f) => {
    const rel = posix(relative(req.contextPath === '.' ? '' : req.contextPath, f.replace(/^\.\//, '')));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new UserError({ code: 'context-add-file-outside', message: `contextAddFiles entry ${f} is not inside the build context ${req.contextPath}`, hint: 'List paths inside the context folder.' });
    const inside = resolveInsideProject(req.projectDir, f);
    if (!inside.ok) throw insideError(inside, `contextAddFiles entry ${f}`);
    return rel;
  });
  const isForced = (rel: string) => forced.some((f) => f === rel || f.startsWith(`${rel}/`) || rel.startsWith(`${f}/`));

  const dfRel = posix(relative(contextReal, df.realPath));
  const dfInside = isInside(contextReal, df.realPath) && !ig.ignores(dfRel);
  const dockerfileInTar = dfInside ? dfRel : `.dockerfile.${randomBytes(10).toString('hex')}`;

  let refusal: UserError | null = null;
  const refused = new AbortController();
  const stream = pack(contextReal, {
    strict: false,
    finalize: dfInside,
    ignore(abs: string) {
      if (refusal) return true;
      const rel = posix(relative(contextReal, abs));
      if (!isForced(rel) && ig.ignores(rel)) {
        // An excluded folder can still hold files an exception (`!path`) brings back.
        let dir = false;
        try {
          dir = lstatSync(abs).isDirectory();
        } catch {
          return true;
        }
        if (!dir || !hasExceptions) return true;
      }
      const link = linkLeavesProject(abs, projectReal);
      if (link) {
        refusal = new UserError({
          code: 'context-link-outside-project',
          message: `${posix(relative(projectReal, abs))} is a symbolic link that leads outside the project folder; Stowage does not send it to the engine`,
          hint: 'Replace the link with the files themselves, or list it in .dockerignore.',
        });
        // Ended without an error event: the caller learns why from refusal(), and nothing else
        // (the HTTP request the tar is piped into) sees an error it does not expect.
        queueMicrotask(() => {
          refused.abort();
          stream.destroy();
        });
        return true;
      }
      return false;
    },
    // The Docker CLI sends every file as root's, so COPY gives the same owner on every machine.
    map(header: Headers) {
      header.uid = 0;
      header.gid = 0;
      return header;
    },
    ...(dfInside
      ? {}
      : {
          finish(p: ReturnType<typeof pack>) {
            const packer = p as unknown as { entry(h: { name: string; size: number; mode: number; mtime: Date }, body: string): void; finalize(): void };
            packer.entry({ name: dockerfileInTar, size: Buffer.byteLength(dockerfileText), mode: 0o644, mtime: new Date(0) }, dockerfileText);
            packer.finalize();
          },
        }),
  });
  return { stream: stream as unknown as Readable, dockerfileInTar, dockerfileText, refusal: () => refusal, refused: refused.signal };
}

function readDockerignore(projectDir: string, contextPath: string): string[] {
  const file = contextPath === '.' ? '.dockerignore' : `${contextPath}/.dockerignore`;
  const inside = resolveInsideProject(projectDir, file);
  if (!inside.ok) {
    if (inside.reason === 'missing') return [];
    throw insideError(inside, file);
  }
  const text = readFileSync(inside.realPath, 'utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Whether `abs` is a symbolic link whose target (even a missing one) is outside the project. */
function linkLeavesProject(abs: string, projectReal: string): boolean {
  let isLink = false;
  try {
    isLink = lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
  if (!isLink) return false;
  try {
    return !isInside(projectReal, realpathSync(abs));
  } catch {
    // A dangling link: judge the path it names.
    try {
      const target = readlinkSync(abs);
      return !isInside(projectReal, resolve(dirname(abs), target));
    } catch {
      return true;
    }
  }
}

function insideError(result: { ok: false; reason: 'missing'; code: string } | { ok: false; reason: 'outside'; message: string; hint: string }, what: string): UserError {
  if (result.reason === 'outside') return new UserError({ code: 'outside-project', message: result.message, hint: result.hint });
  return new UserError({ code: 'build-input-missing', message: `${what} does not exist in the project (${result.code})`, hint: 'Check the path in werf.yaml; werf resolves it the same way.' });
}
