import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { detectParsed, parseImagesRepo } from '../../shared/registry/detect';
import { connectEngine } from '../../electron/services/docker/engine';
import { buildDockerfile, pushReference } from '../../electron/services/publish/engine-ops';
import { RegistrySession, splitReference } from '../../electron/services/publish/registry-session';
import { startDistribution } from '../services/distribution';
import { startDockerEngine } from '../services/docker-engine';
import type { BenchResult } from './cleanup-bench';

const run = promisify(execFile);
const IMAGES = 3;
const LAYER_BYTES = 24 * 1024 * 1024;
const ROUNDS = 3;
/** The target: Stowage's push within 1.1× of `docker push` of the same images. */
export const PUBLISH_RATIO_TARGET = 1.1;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Push of already-built images: Stowage's push path (login, the engine's push with X-Registry-Auth,
 * the digest read back from the registry) against `docker push` of the same images. Each
 * measurement gets an empty registry of the same configuration, so neither side profits from blobs
 * the other uploaded (the engine would mount them across repositories); the order alternates.
 */
export async function runPublishBench(): Promise<BenchResult[]> {
  const engine = await startDockerEngine();
  const dir = await mkdtemp(join(tmpdir(), 'stowage-publish-bench-'));
  try {
    const conn = connectEngine({ DOCKER_HOST: engine.host }, dir);
    const ids: string[] = [];
    for (let i = 0; i < IMAGES; i++) {
      // Random bytes: every layer is new to the registry, as a fresh build's would be.
      await writeFile(join(dir, `blob${i}`), randomBytes(LAYER_BYTES));
      await writeFile(join(dir, `Dockerfile${i}`), `FROM scratch\nCOPY blob${i} /blob\n`);
      const { imageId } = await buildDockerfile(conn.docker, { projectDir: dir, contextPath: '.', dockerfilePath: `Dockerfile${i}`, buildArgs: {} }, new AbortController().signal, { onStep: () => undefined, onLog: () => undefined });
      ids.push(imageId);
    }
    const times = { stowage: [] as number[], docker: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const order: ('stowage' | 'docker')[] = round % 2 === 0 ? ['docker', 'stowage'] : ['stowage', 'docker'];
      for (const side of order) {
        const registry = await startDistribution();
        try {
          const refs = ids.map((_, i) => `${registry.host}/bench/${side}${i}:r${round}`);
          for (let i = 0; i < IMAGES; i++) {
            const [repo, tag] = [refs[i]!.slice(0, refs[i]!.lastIndexOf(':')), refs[i]!.slice(refs[i]!.lastIndexOf(':') + 1)];
            await conn.docker.getImage(ids[i]!).tag({ repo, tag });
          }
          const started = performance.now();
          if (side === 'docker') {
            for (const ref of refs) await run('docker', ['-H', engine.host, 'push', '-q', ref], { env: { ...process.env, DOCKER_CONFIG: dir } });
          } else {
            const signal = new AbortController().signal;
            const parsed = parseImagesRepo(`${registry.host}/bench`);
            const session = await RegistrySession.open({ registry: parsed.registry, implementation: 'default', detection: detectParsed(parsed), credential: null, settings: undefined, signal });
            try {
              for (const ref of refs) {
                const pushed = await pushReference(conn.docker, ref, session.authConfig(), signal, () => undefined);
                const { repository, tag } = splitReference(ref, parsed.registry);
                const remote = await session.digestOf(repository, tag, signal);
                if (remote.digest !== pushed.digest) throw new Error(`digest mismatch for ${ref}`);
              }
            } finally {
              await session.close();
            }
          }
          times[side].push(performance.now() - started);
        } finally {
          await registry.stop();
        }
      }
    }
    const stowage = median(times.stowage);
    const docker = median(times.docker);
    console.log(`publish: push of ${IMAGES} built images (${LAYER_BYTES / 1024 / 1024} MiB layer each), median of ${ROUNDS}: Stowage ${stowage.toFixed(0)} ms, docker push ${docker.toFixed(0)} ms, ratio ${(stowage / docker).toFixed(3)} (target ≤ ${PUBLISH_RATIO_TARGET})`);
    return [{ name: `publish: push through Stowage vs ${PUBLISH_RATIO_TARGET}× docker push (${docker.toFixed(0)} ms)`, ms: stowage, target: Math.round(docker * PUBLISH_RATIO_TARGET) }];
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
