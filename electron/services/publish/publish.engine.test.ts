import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDockerEngine, type DockerEngineHandle } from '../../../e2e/services/docker-engine';
import { startDistribution, type DistributionHandle } from '../../../e2e/services/distribution';
import { startTokenAuthRegistry, type TokenAuthRegistry } from '../../../e2e/services/token-server';
import { makeTempDir, removeDir, run } from '../../../e2e/services/util';
import type { ProjectView } from '../../../shared/api/types';
import type { InventoryTag } from '../../../shared/inventory/types';
import type { PublishProgress, PublishRequest } from '../../../shared/publish/types';
import { loadReadableProject } from '../../cli/commands/load';
import { connectEngine, engineInfo, type EngineConnection } from '../docker/engine';
import { RegistryAccess } from '../registry-access';
import { previewNames } from '../../../shared/naming/preview';
import { previewedImages } from '../../../shared/publish/plan';
import { publishImages } from './publish';
import { buildDockerfile, labelAndTag, pushReference, readMessages } from './engine-ops';
import { decodeBuildkitStatus } from './buildkit-status';
import { BuildkitProgress, type BuildkitStatus } from '../../../shared/publish/buildkit-progress';
import { dockerfileInstructions } from '../../../shared/publish/dockerfile-lines';
import { createTestCa, type TestCa } from '../../../e2e/services/tls';
import { pack as tarPack } from 'tar-stream';
import type Docker from 'dockerode';
import { runPublish } from '../../cli/commands/publish';
import { ECR_DEFAULT_KEYS, startEcrEmulator } from '../../../e2e/emulators/ecr';

/**
 * Needs the real Docker engine (Debian's docker.io, started here as root on its own socket) and
 * Debian's docker-registry. When dockerd cannot start, beforeAll throws and every test fails.
 */

let engine: DockerEngineHandle;
let conn: EngineConnection;
let plain: DistributionHandle;
let basic: DistributionHandle;
let token: TokenAuthRegistry;
let project: string;
let home: string;
let view: ProjectView;
let tlsDir: string;
let ca: TestCa;

const WERF_YAML = `project: shop
configVersion: 1
---
image: backend
dockerfile: Dockerfile
target: backend
args:
  GREETING: hello-from-werf
---
image: frontend
dockerfile: Dockerfile
target: frontend
---
image: worker
context: worker
dockerfile: Dockerfile
dependencies:
- image: backend
  imports:
  - type: ImageName
    targetBuildArg: BASE
---
image: tools
from: alpine:3.19
shell:
  install:
  - echo werf builds this one
`;

const DOCKERFILE = `# syntax is classic
FROM scratch AS backend
ARG GREETING=none
COPY app.txt /app.txt
LABEL greeting=$GREETING

FROM scratch AS frontend
COPY . /site/
`;

async function writeProject(dir: string): Promise<void> {
  await mkdir(join(dir, 'worker'), { recursive: true });
  await writeFile(join(dir, 'werf.yaml'), WERF_YAML);
  await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
  await writeFile(join(dir, '.dockerignore'), 'secret.txt\n');
  await writeFile(join(dir, 'app.txt'), 'app\n');
  await writeFile(join(dir, 'index.html'), '<h1>shop</h1>\n');
  await writeFile(join(dir, 'secret.txt'), 'must not be sent\n');
  await writeFile(join(dir, 'worker', 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY w.txt /w.txt\n');
  await writeFile(join(dir, 'worker', 'w.txt'), 'worker\n');
}

function accessFor(registryHost: string, user?: { username: string; password: string }): RegistryAccess {
  const environment: Record<string, string> = { HOME: home, DOCKER_CONFIG: join(home, '.docker') };
  if (user) environment.DOCKER_AUTH_CONFIG = JSON.stringify({ auths: { [registryHost]: { auth: Buffer.from(`${user.username}:${user.password}`).toString('base64') } } });
  return new RegistryAccess({ settingsDir: join(home, 'settings'), environment, homeDir: home });
}

async function publish(access: RegistryAccess, request: PublishRequest, events: PublishProgress[] = [], signal = new AbortController().signal) {
  return publishImages(request, { projectDir: project, images: view.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings'), signal, onProgress: (p) => events.push(p), pushBackoffMs: 10 });
}

async function inventory(access: RegistryAccess, imagesRepo: string, mode: 'multirepo' | 'monorepo' = 'multirepo'): Promise<InventoryTag[]> {
  const rows: InventoryTag[] = [];
  await access.inventory({ imagesRepo, implementation: 'auto', mode, images: ['backend', 'frontend', 'worker'], withConfig: true }, new AbortController().signal, (r) => rows.push(...r), () => undefined);
  return rows.filter((r) => !r.pending);
}

beforeAll(async () => {
  // The engine also listens on tcp 127.0.0.1 with TLS, for DOCKER_HOST=tcp:// with and without verification.
  tlsDir = await makeTempDir('publish-engine-tls');
  ca = await createTestCa(tlsDir);
  const serverCert = await ca.issue([], ['127.0.0.1']);
  [engine, plain, basic, token] = await Promise.all([
    startDockerEngine({ tlsTcp: { ...serverCert, caFile: ca.caCert } }),
    startDistribution(),
    startDistribution({ auth: { kind: 'htpasswd', users: [{ username: 'ci', password: 'ci-secret-pw' }] } }),
    startTokenAuthRegistry([
      { username: 'pusher', password: 'pusher-pw', grants: { '*': ['pull', 'push'] } },
      { username: 'reader', password: 'reader-pw', grants: { '*': ['pull'] } },
    ]),
  ]);
  conn = connectEngine({ DOCKER_HOST: engine.host }, '/nonexistent');
  project = await makeTempDir('publish-project');
  home = await makeTempDir('publish-home');
  await writeProject(project);
  view = await loadReadableProject(project);
}, 120_000);

afterAll(async () => {
  await Promise.all([engine?.stop(), plain?.stop(), basic?.stop(), token?.stop()]);
  if (project) await removeDir(project);
  if (home) await removeDir(home);
  if (tlsDir) await removeDir(tlsDir);
}, 60_000);

describe('the engine card', () => {
  it('reports the test engine found through DOCKER_HOST', async () => {
    const info = await engineInfo(conn);
    expect(info.source).toBe('DOCKER_HOST');
    expect(info.endpoint).toBe(engine.host);
    expect(info.storageDriver).toBe('vfs');
    expect(info.os).toBe('linux');
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.rootless).toBe(false);
    // Debian's docker.io 20.10 answers /_ping without Builder-Version; its API 1.41 on Linux offers BuildKit.
    expect(info.builder).toMatchObject({ kind: 'buildkit', reason: expect.stringMatching(/API 1\.4\d on linux/), platform: { supported: true } });
  });

  it('says what to do when no engine answers', async () => {
    const none = connectEngine({ DOCKER_HOST: `unix://${join(home, 'no-such.sock')}` }, home);
    await expect(engineInfo(none)).rejects.toMatchObject({ code: 'engine-unreachable', hint: expect.stringContaining('Start the Docker engine') });
  });
});

describe('publish to a registry with htpasswd', () => {
  it('builds in dependency order, skips Stapel, pushes the previewed names with werf labels, and the inventory reads them back', async () => {
    const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
    const imagesRepo = `${basic.host}/shop`;
    const events: PublishProgress[] = [];
    const request: PublishRequest = { imagesRepo, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }, { strategy: 'git-branch', raw: 'Feature/X' }] };
    const report = await publish(access, request, events);
    const previewed = previewNames({ ...request, images: previewedImages(view.images) }).images;

    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.failed).toBe(false);
    expect(report.images.map((i) => i.name)).toEqual(['backend', 'frontend', 'worker', 'tools']);
    const tools = report.images.find((i) => i.name === 'tools')!;
    expect(tools.built).toBe(false);
    expect(tools.skipped).toMatch(/werf build/);
    const refs = report.images.flatMap((i) => i.pushed.map((p) => p.reference));
    // Exactly the preview's names: the branch is slugged as werf ci-env does (feature-x-<hash>).
    expect(refs).toEqual(['backend', 'frontend', 'worker'].flatMap((n) => previewed.find((i) => i.name === n)!.tags.map((t) => t.reference)));
    expect(refs).toContain(`${imagesRepo}/backend:v1`);
    expect(refs.filter((r) => /:feature-x-[0-9a-f]{8}$/.test(r))).toHaveLength(3);
    expect(events.some((e) => e.kind === 'step' && e.image === 'backend' && /COPY app.txt/.test(e.instruction) && /Dockerfile:4/.test(e.instruction))).toBe(true);
    expect(events.some((e) => e.kind === 'layer')).toBe(true);

    const rows = await inventory(access, imagesRepo);
    for (const image of report.images) {
      for (const p of image.pushed) {
        const [repository, tag] = [p.reference.slice(basic.host.length + 1, p.reference.lastIndexOf(':')), p.reference.slice(p.reference.lastIndexOf(':') + 1)];
        const row = rows.find((r) => r.repository === repository && r.tag === tag);
        expect(row, p.reference).toBeDefined();
        expect(row!.digest).toBe(p.digest);
        expect(row!.image).toBe(image.name);
        expect(row!.labels).toMatchObject({ 'werf-image': 'true', 'werf-image-name': image.name, 'werf-tag-strategy': p.strategy, 'werf-image-tag': tag, 'werf-image-version': '1' });
      }
    }
    // The ARG reached the build, and each strategy got its own image (werf labels differ per tag).
    const backend = rows.filter((r) => r.repository === 'shop/backend');
    expect((await conn.docker.getImage(`${imagesRepo}/backend:v1`).inspect()).Config.Labels?.greeting).toBe('hello-from-werf');
    expect(new Set(backend.map((r) => r.digest)).size).toBe(2);

    // .dockerignore kept secret.txt out of the context; the frontend copied everything else.
    const frontendId = report.images.find((i) => i.name === 'frontend')!.imageId!;
    const container = await conn.docker.createContainer({ Image: frontendId, Cmd: ['/none'] });
    try {
      const archive = await container.getArchive({ path: '/site' });
      const names: string[] = [];
      const extract = tarExtract();
      extract.on('entry', (header, body, next) => {
        names.push(header.name);
        body.resume();
        body.on('end', next);
      });
      await pipeline(archive as NodeJS.ReadableStream, extract);
      expect(names).toEqual(expect.arrayContaining(['site/index.html', 'site/app.txt', 'site/Dockerfile', 'site/worker/w.txt']));
      expect(names).not.toContain('site/secret.txt');
    } finally {
      await container.remove();
    }

    // The worker was built FROM the backend's published name (the ImageName build arg).
    const worker = await conn.docker.getImage(`${imagesRepo}/worker:v1`).inspect();
    const backendV1 = await conn.docker.getImage(`${imagesRepo}/backend:v1`).inspect();
    expect(worker.RootFS.Layers?.slice(0, backendV1.RootFS.Layers!.length)).toEqual(backendV1.RootFS.Layers);

    const audit = (await readFile(join(home, 'settings', 'audit', 'publish.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.map((a) => a.reference)).toEqual(expect.arrayContaining(refs));
    expect(JSON.stringify(audit)).not.toContain('ci-secret-pw');
  }, 180_000);

  it('refuses names the preview marks invalid before building anything', async () => {
    const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
    const events: PublishProgress[] = [];
    const report = await publish(access, { imagesRepo: `${basic.host}/Shop`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v2' }] }, events);
    expect(report.failed).toBe(true);
    expect(report.problems.some((p) => p.code === 'repository-uppercase')).toBe(true);
    expect(report.images.every((i) => !i.built && i.pushed.length === 0)).toBe(true);
    expect(events.some((e) => e.kind === 'phase' && e.phase === 'building')).toBe(false);
  });

  it('a build error names the Dockerfile line and leaves no tag behind', async () => {
    const broken = await makeTempDir('publish-broken');
    try {
      await writeFile(join(broken, 'werf.yaml'), 'project: broken\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n');
      await writeFile(join(broken, 'Dockerfile'), 'FROM scratch\n\n# the file is missing\nCOPY missing.txt /m\n');
      const brokenView = await loadReadableProject(broken);
      const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
      const report = await publishImages(
        { imagesRepo: `${basic.host}/broken`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }] },
        { projectDir: broken, images: brokenView.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings'), signal: new AbortController().signal },
      );
      expect(report.failed).toBe(true);
      const app = report.images[0]!;
      expect(app.error?.code).toBe('build-failed');
      expect(app.error?.dockerfileLine).toEqual({ file: 'Dockerfile', line: 4 });
      expect(app.error?.message).toMatch(/^Dockerfile:4: .*missing\.txt/);
      await expect(conn.docker.getImage(`${basic.host}/broken/app:v1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
      const rows = await inventory(access, `${basic.host}/broken`).catch(() => []);
      expect(rows.filter((r) => r.tag === 'v1')).toEqual([]);
    } finally {
      await removeDir(broken);
    }
  });

  it('refuses a symbolic link out of the project in the context', async () => {
    const linked = await makeTempDir('publish-link');
    try {
      await writeFile(join(linked, 'werf.yaml'), 'project: linked\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n');
      await writeFile(join(linked, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
      await symlink('/etc', join(linked, 'etc-link'));
      const linkedView = await loadReadableProject(linked);
      const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
      const report = await publishImages(
        { imagesRepo: `${basic.host}/linked`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }] },
        { projectDir: linked, images: linkedView.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings'), signal: new AbortController().signal },
      );
      expect(report.images[0]!.error).toMatchObject({ code: 'context-link-outside-project', message: expect.stringContaining('etc-link') });
      expect(report.images[0]!.pushed).toEqual([]);
    } finally {
      await removeDir(linked);
    }
  });
});

describe('cancel', () => {
  it('stops the BuildKit build on the engine: the solve is cancelled, no image is made and nothing is tagged', async () => {
    // Not on /dev/shm: the context holds a large (sparse) file that vfs copies in full per COPY.
    const dir = await mkdtemp(join(tmpdir(), 'stowage-publish-cancel-'));
    try {
      await writeFile(join(dir, 'werf.yaml'), 'project: slow\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n');
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY big /big1\nCOPY big /big2\nLABEL stowage-cancel-test=finished\n');
      await truncate(join(dir, 'big'), 0).catch(() => undefined);
      await writeFile(join(dir, 'big'), '');
      await truncate(join(dir, 'big'), 48 * 1024 * 1024);
      // The control first: how long the same build takes left alone, so the wait below is long
      // enough for an engine that ignored the cancel to have produced the labelled image.
      const started = Date.now();
      const control = await buildDockerfile(conn.docker, { projectDir: dir, contextPath: '.', dockerfilePath: 'Dockerfile', buildArgs: {}, builder: 'buildkit' }, new AbortController().signal, { onStep: () => undefined, onLog: () => undefined });
      const fullBuildMs = Date.now() - started;
      expect((await conn.docker.getImage(control.imageId).inspect()).Config.Labels?.['stowage-cancel-test']).toBe('finished');
      // Removing it removes its untagged parents too: the cancelled build finds no cache and runs its steps.
      await conn.docker.getImage(control.imageId).remove();
      // BuildKit keeps its own cache of the steps: without this the cancelled build would finish from it at once.
      await conn.docker.pruneBuilder();

      const slowView = await loadReadableProject(dir);
      const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
      const controller = new AbortController();
      const events: PublishProgress[] = [];
      const report = await publishImages(
        { imagesRepo: `${basic.host}/slow`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }] },
        {
          projectDir: dir, images: slowView.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings'), signal: controller.signal,
          onProgress: (p) => {
            events.push(p);
            // BuildKit (this engine's builder) names the two COPY steps 1/2 and 2/2: cancel as the first starts.
            if (p.kind === 'step' && p.step === 1) controller.abort();
          },
        },
      );
      expect(report.cancelled).toBe(true);
      expect(report.images[0]!.error?.code).toBe('cancelled');
      expect(events.some((e) => e.kind === 'step' && e.step >= 2)).toBe(false);
      expect(events.some((e) => e.kind === 'phase' && e.phase === 'building' && /with BuildKit/.test(e.message ?? ''))).toBe(true);
      await new Promise((r) => setTimeout(r, Math.round(fullBuildMs * 1.5) + 1_000));
      const finished = await conn.docker.listImages({ all: true, filters: JSON.stringify({ label: ['stowage-cancel-test=finished'] }) });
      expect(finished).toEqual([]);
      await expect(conn.docker.getImage(`${basic.host}/slow/app:v1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('publish to a registry with token auth', () => {
  it('pushes with a user the token server grants push, and reads the digests back', async () => {
    const access = accessFor(token.registry.host, { username: 'pusher', password: 'pusher-pw' });
    const imagesRepo = `${token.registry.host}/team/shop`;
    const report = await publish(access, { imagesRepo, implementation: 'auto', mode: 'monorepo', tags: [{ strategy: 'git-commit', raw: 'a'.repeat(40) }], images: ['frontend'] });
    expect(report.failed).toBe(false);
    expect(report.images.map((i) => [i.name, i.pushed.map((p) => p.reference)])).toEqual([['frontend', [`${imagesRepo}:frontend-${'a'.repeat(40)}`]]]);
    const rows = await inventory(access, imagesRepo, 'monorepo');
    const row = rows.find((r) => r.tag === `frontend-${'a'.repeat(40)}`)!;
    expect(row.digest).toBe(report.images[0]!.pushed[0]!.digest);
    expect(row.labels).toMatchObject({ 'werf-tag-strategy': 'git-commit', 'werf-image-tag': 'a'.repeat(40), 'werf-image-name': 'frontend' });
  });

  it('a push the registry refuses is a clear error and leaves no tag, locally or in the registry', async () => {
    const access = accessFor(token.registry.host, { username: 'reader', password: 'reader-pw' });
    const imagesRepo = `${token.registry.host}/team/refused`;
    const report = await publish(access, { imagesRepo, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'r1' }], images: ['frontend'] });
    expect(report.failed).toBe(true);
    const frontend = report.images[0]!;
    expect(frontend.built).toBe(true);
    expect(frontend.error?.code).toBe('push-failed');
    expect(frontend.error?.message).toMatch(/denied|unauthorized|authentication required|insufficient/i);
    expect(frontend.error?.hint).toMatch(/push rights/);
    expect(frontend.pushed).toEqual([]);
    await expect(conn.docker.getImage(`${imagesRepo}/frontend:r1`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const pusher = accessFor(token.registry.host, { username: 'pusher', password: 'pusher-pw' });
    const rows = await inventory(pusher, imagesRepo).catch(() => []);
    expect(rows).toEqual([]);
  });
});

describe('ECR: repositories are created only with consent', () => {
  it('asks first, then CreateRepository per image and pushes', async () => {
    const [full] = ECR_DEFAULT_KEYS;
    const emu = await startEcrEmulator({ repositories: [] });
    try {
      const environment = { HOME: home, DOCKER_CONFIG: join(home, '.docker'), AWS_ACCESS_KEY_ID: full!.accessKeyId, AWS_SECRET_ACCESS_KEY: full!.secretAccessKey, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
      const access = new RegistryAccess({ settingsDir: join(home, 'settings-ecr'), environment, homeDir: home });
      await access.settings.save({ registry: emu.host, implementation: 'ecr', sdkEndpoint: emu.url });
      const request: PublishRequest = { imagesRepo: `${emu.host}/shop`, implementation: 'ecr', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'e1' }], images: ['frontend'] };
      const deps = { projectDir: project, images: view.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings-ecr'), signal: new AbortController().signal };
      await expect(publishImages(request, deps)).rejects.toMatchObject({ code: 'ecr-repositories-missing', message: expect.stringContaining('shop/frontend') });
      expect(emu.state.registry.repo('shop/frontend')).toBeUndefined();

      const report = await publishImages({ ...request, createRepositories: true }, deps);
      expect(report.failed).toBe(false);
      expect(emu.state.registry.repo('shop/frontend')).toBeDefined();
      expect(report.images[0]!.pushed.map((p) => p.reference)).toEqual([`${emu.host}/shop/frontend:e1`]);
      expect(report.images[0]!.pushed[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Manifest + config + the one layer holding index.html, app.txt, Dockerfile, …: more than a manifest alone.
    expect(report.images[0]!.pushed[0]!.size).toBeGreaterThan(1024);
    } finally {
      await emu.stop();
    }
  }, 60_000);
});

describe('stowage publish --json', () => {
  it('prints the documented shape and exits 0, or 1 when a push fails', async () => {
    const good = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
    const ok = await runPublish({ 'images-repo': `${basic.host}/cli`, 'tag-custom': ['c1'], image: ['backend', 'tools'], json: true }, [project], { access: good, engine: conn, settingsDir: join(home, 'settings') });
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout) as { images: { name: string; built: boolean; skipped?: string; pushed: { reference: string; digest: string }[] }[]; problems: unknown[] };
    expect(doc.problems).toEqual([]);
    expect(doc.images.map((i) => [i.name, i.built, i.pushed.map((p) => p.reference)])).toEqual([
      ['backend', true, [`${basic.host}/cli/backend:c1`]],
      ['tools', false, []],
    ]);
    expect(doc.images[1]!.skipped).toMatch(/Stapel image: werf builds it/);
    expect(Object.keys(doc.images[0]!.pushed[0]!)).toEqual(['reference', 'digest']);

    const wrong = accessFor(basic.host, { username: 'ci', password: 'not-the-password' });
    const refused = await runPublish({ 'images-repo': `${basic.host}/cli`, 'tag-custom': ['c2'], image: ['backend'], json: true }, [project], { access: wrong, engine: conn, settingsDir: join(home, 'settings') });
    expect(refused.code).toBe(1);
    expect(refused.stdout).not.toContain('not-the-password');
  }, 60_000);
});

describe('an engine that is not running', () => {
  it('fails the publish with the fix before anything else', async () => {
    const access = accessFor(plain.host);
    const none = connectEngine({ DOCKER_HOST: `unix://${join(home, 'gone.sock')}` }, home);
    await expect(
      publishImages({ imagesRepo: `${plain.host}/x`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }] }, { projectDir: project, images: view.images, resolver: access.resolver, settings: access.settings, engine: none, settingsDir: join(home, 'settings'), signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'engine-unreachable' });
  });
});

/** Every message of a BuildKit build, as the engine sent it (the same request publish makes). */
async function rawBuildkitBuild(files: Record<string, string>, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  const tar = tarPack();
  for (const [name, body] of Object.entries(files)) tar.entry({ name, size: Buffer.byteLength(body), mode: 0o644, mtime: new Date(0) }, body);
  tar.finalize();
  const stream = (await conn.docker.buildImage(tar as unknown as NodeJS.ReadableStream, { version: 2, ...extra } as unknown as Docker.ImageBuildOptions)) as NodeJS.ReadableStream;
  const messages: Record<string, unknown>[] = [];
  await readMessages(stream, (m) => messages.push(m as Record<string, unknown>), new AbortController().signal);
  return messages;
}

describe('BuildKit on the real engine', () => {
  it('the progress decoder reads what the engine sends: Dockerfile steps, their times, and the image id', async () => {
    const marker = `${Date.now()}-${Math.random()}`;
    const dockerfile = 'FROM scratch\nCOPY a.txt /a.txt\nCOPY b.txt \\\n  /b.txt\n';
    const messages = await rawBuildkitBuild({ Dockerfile: dockerfile, 'a.txt': marker, 'b.txt': `${marker}-b` });
    const traces = messages.filter((m) => m.id === 'moby.buildkit.trace');
    expect(traces.length).toBeGreaterThan(3);
    const statuses: BuildkitStatus[] = traces.map((m) => decodeBuildkitStatus(m.aux as string));
    const vertexes = statuses.flatMap((st) => st.vertexes);
    const names = [...new Set(vertexes.map((v) => v.name))];
    // BuildKit names a continued instruction as written, its line break dropped but not the blanks.
    expect(names).toEqual(expect.arrayContaining(['[1/2] COPY a.txt /a.txt', '[2/2] COPY b.txt   /b.txt']));
    // Each step ends up started and completed, in order, at a plausible time, without an error.
    const startedAt = Date.now() - 120_000;
    for (const name of ['[1/2] COPY a.txt /a.txt', '[2/2] COPY b.txt   /b.txt']) {
      const last = vertexes.filter((v) => v.name === name).at(-1)!;
      expect(last.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(last.started).toBeGreaterThan(startedAt);
      expect(last.completed).toBeGreaterThanOrEqual(last.started!);
      expect(last.error).toBeNull();
    }
    const imageId = messages.find((m) => m.id === 'moby.image.id') as { aux: { ID: string } } | undefined;
    expect(imageId?.aux.ID).toMatch(/^sha256:/);

    const progress = new BuildkitProgress(dockerfileInstructions(dockerfile));
    const events = statuses.flatMap((st) => progress.read(st));
    expect(events.filter((e) => e.kind === 'step').map((e) => e.kind === 'step' && [e.step, e.total, e.line])).toEqual([[1, 2, 2], [2, 2, 3]]);
    expect(events.some((e) => e.kind === 'log' && /^#\d+ DONE \d+\.\ds$/.test(e.line))).toBe(true);
  });

  it('a failing step is reported with its Dockerfile line from the vertex BuildKit marks failed', async () => {
    const messages = await rawBuildkitBuild({ Dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\n\nCOPY nothing-here /n\n', 'a.txt': 'a' });
    const progress = new BuildkitProgress(dockerfileInstructions('FROM scratch\nCOPY a.txt /a.txt\n\nCOPY nothing-here /n\n'));
    for (const m of messages) if (m.id === 'moby.buildkit.trace') progress.read(decodeBuildkitStatus(m.aux as string));
    expect(progress.failure()).toMatchObject({ name: '[2/2] COPY nothing-here /n', line: 4, error: expect.stringMatching(/nothing-here/) });
    expect(messages.some((m) => typeof m.error === 'string')).toBe(true);
  });

  it('the classic builder still builds when the engine offers no BuildKit (chosen here), with its own steps', async () => {
    const dir = await makeTempDir('publish-classic');
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\n');
      await writeFile(join(dir, 'a.txt'), `classic ${Date.now()}`);
      const steps: [number, number, string, number | null][] = [];
      const logs: string[] = [];
      const { imageId } = await buildDockerfile(conn.docker, { projectDir: dir, contextPath: '.', dockerfilePath: 'Dockerfile', buildArgs: {}, builder: 'classic' }, new AbortController().signal, {
        onStep: (step, total, instruction, line) => steps.push([step, total, instruction, line]),
        onLog: (l) => logs.push(l),
      });
      expect(steps).toEqual([[1, 2, 'FROM scratch', 1], [2, 2, 'COPY a.txt /a.txt', 2]]);
      expect(logs.some((l) => l.startsWith('#'))).toBe(false);
      expect(imageId).toMatch(/^sha256:/);
    } finally {
      await removeDir(dir);
    }
  });

  it('a base image from a registry: BuildKit without a session cannot resolve it, so Stowage pulls it first, with the credential of the registry it publishes to', async () => {
    const dir = await makeTempDir('publish-base');
    const auth = { username: 'ci', password: 'ci-secret-pw', serveraddress: basic.host };
    const base = `${basic.host}/base/app:v1`;
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY base.txt /base.txt\n');
      await writeFile(join(dir, 'base.txt'), `base ${Date.now()}`);
      const built = await buildDockerfile(conn.docker, { projectDir: dir, contextPath: '.', dockerfilePath: 'Dockerfile', buildArgs: {}, builder: 'buildkit' }, new AbortController().signal, { onStep: () => undefined, onLog: () => undefined });
      await labelAndTag(conn.docker, built.imageId, { role: 'base' }, base, new AbortController().signal);
      await pushReference(conn.docker, base, auth, new AbortController().signal, () => undefined);
      await conn.docker.getImage(base).remove();
      await conn.docker.getImage(built.imageId).remove().catch(() => undefined);

      await writeFile(join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nCOPY app.txt /app.txt\n');
      await writeFile(join(dir, 'app.txt'), 'app');
      const req = { projectDir: dir, contextPath: '.', dockerfilePath: 'Dockerfile', buildArgs: { BASE: base }, builder: 'buildkit' as const };
      const noop = { onStep: () => undefined, onLog: () => undefined };
      // What the engine does on its own: BuildKit resolves a registry image only through a client
      // session (for its credentials), and without one it gives up before asking the registry.
      const bare = await rawBuildkitBuild({ Dockerfile: 'ARG BASE\nFROM ${BASE}\n' }, { buildargs: JSON.stringify({ BASE: base }) });
      expect(String(bare.find((m) => typeof m.error === 'string')?.error)).toMatch(/no active sessions/);

      const logs: string[] = [];
      const { imageId } = await buildDockerfile(conn.docker, { ...req, pull: { registry: basic.host, authconfig: auth } }, new AbortController().signal, { ...noop, onLog: (l) => logs.push(l) });
      expect(logs).toContain(`pulling base image ${base} with the credential for ${basic.host}`);
      expect((await conn.docker.getImage(imageId).inspect()).Config.Labels?.role).toBe('base');
      // Another registry's image is pulled anonymously: the credential never goes elsewhere.
      await conn.docker.getImage(base).remove();
      await expect(buildDockerfile(conn.docker, { ...req, pull: { registry: plain.host, authconfig: auth } }, new AbortController().signal, noop)).rejects.toMatchObject({ code: 'base-image-pull-failed', message: expect.stringMatching(/no basic auth credentials|unauthorized|401/i) });
    } finally {
      await removeDir(dir);
    }
  });

  it('builds for the platform werf.yaml names (meta build.platform), and refuses what the engine cannot', async () => {
    const dir = await makeTempDir('publish-platform');
    try {
      // network and addHost go to BuildKit too (the engine refuses what it does not take).
      await writeFile(join(dir, 'werf.yaml'), 'project: plat\nconfigVersion: 1\nbuild:\n  platform:\n  - linux/arm64\n---\nimage: app\ndockerfile: Dockerfile\nnetwork: none\naddHost:\n- stowage.test:127.0.0.1\n');
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY p.txt /p.txt\n');
      await writeFile(join(dir, 'p.txt'), `platform ${Date.now()}`);
      const platView = await loadReadableProject(dir);
      expect(platView.images[0]!.build).toMatchObject({ platform: ['linux/arm64'], network: 'none', addHost: ['stowage.test:127.0.0.1'] });
      const access = accessFor(basic.host, { username: 'ci', password: 'ci-secret-pw' });
      const report = await publishImages(
        { imagesRepo: `${basic.host}/plat`, implementation: 'auto', mode: 'multirepo', tags: [{ strategy: 'custom', raw: 'v1' }] },
        { projectDir: dir, images: platView.images, resolver: access.resolver, settings: access.settings, engine: conn, settingsDir: join(home, 'settings'), signal: new AbortController().signal },
      );
      expect(report.images[0]!.error).toBeUndefined();
      expect((await conn.docker.getImage(`${basic.host}/plat/app:v1`).inspect()).Architecture).toBe('arm64');

      const noop = { onStep: () => undefined, onLog: () => undefined };
      const req = { projectDir: dir, contextPath: '.', dockerfilePath: 'Dockerfile', buildArgs: {}, builder: 'buildkit' as const };
      await expect(buildDockerfile(conn.docker, { ...req, network: 'my-bridge' }, new AbortController().signal, noop)).rejects.toMatchObject({ code: 'network-unsupported', hint: expect.stringMatching(/host or none/) });
      await expect(buildDockerfile(conn.docker, { ...req, platform: ['linux/amd64', 'linux/arm64'] }, new AbortController().signal, noop)).rejects.toMatchObject({ code: 'multi-platform', hint: expect.stringMatching(/buildx or Buildah/) });
      await expect(
        buildDockerfile(conn.docker, { ...req, platform: ['linux/arm64'], platformSupport: { supported: false, reason: 'The engine (API 1.37) cannot build for a chosen platform.' } }, new AbortController().signal, noop),
      ).rejects.toMatchObject({ code: 'platform-unsupported', message: expect.stringMatching(/linux\/arm64\. The engine \(API 1\.37\)/) });
    } finally {
      await removeDir(dir);
    }
  });
});

describe('an engine at tcp:// with TLS', () => {
  // dockerd given a CA asks clients for a certificate even with --tls: the folders hold one, as DOCKER_CERT_PATH does.
  async function certPath(name: string, withCa: boolean): Promise<string> {
    const dir = join(tlsDir, name);
    await mkdir(dir, { recursive: true });
    const ext = join(dir, 'client.ext');
    await writeFile(ext, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    await run('/usr/bin/openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'client.csr'), '-subj', '/CN=stowage-test-client']);
    await run('/usr/bin/openssl', ['x509', '-req', '-in', join(dir, 'client.csr'), '-CA', ca.caCert, '-CAkey', ca.caKey, '-set_serial', '0x2a', '-days', '2', '-extfile', ext, '-out', join(dir, 'cert.pem')]);
    if (withCa) await writeFile(join(dir, 'ca.pem'), ca.caPem);
    return dir;
  }

  it('verified against the CA in DOCKER_CERT_PATH with DOCKER_TLS_VERIFY', async () => {
    const verified = connectEngine({ DOCKER_HOST: engine.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await certPath('with-ca', true) }, '/nonexistent');
    const info = await engineInfo(verified);
    expect(info.endpoint).toBe(`${engine.tlsHost!} (TLS)`);
    expect(info.builder.kind).toBe('buildkit');
    expect(info.connectionNote).toBeUndefined();
  });

  it('refused when the CA is not there, with the fix', async () => {
    const untrusted = connectEngine({ DOCKER_HOST: engine.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: await certPath('no-ca', false) }, '/nonexistent');
    await expect(engineInfo(untrusted)).rejects.toMatchObject({ code: 'engine-tls-untrusted', hint: expect.stringMatching(/ca\.pem/) });
  });

  it('encrypted but unverified with DOCKER_TLS alone, as docker --tls, and the card says so', async () => {
    const unverified = connectEngine({ DOCKER_HOST: engine.tlsHost, DOCKER_TLS: '1', DOCKER_CERT_PATH: await certPath('unverified', false) }, '/nonexistent');
    const info = await engineInfo(unverified);
    expect(info.endpoint).toBe(`${engine.tlsHost!} (TLS, not verified)`);
    expect(info.connectionNote).toMatch(/without verifying/);
  });

  it('plain tcp to a TLS engine says to turn TLS on', async () => {
    const plainTcp = connectEngine({ DOCKER_HOST: engine.tlsHost }, '/nonexistent');
    await expect(engineInfo(plainTcp)).rejects.toMatchObject({ hint: expect.stringMatching(/DOCKER_TLS_VERIFY=1/) });
  });
});
