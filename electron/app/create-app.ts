import { homedir } from 'node:os';
import { join } from 'node:path';
import { methods, type Contract } from '../../shared/api/contract';
import { UserError } from '../../shared/api/result';
import type { AppInfo, ProjectView } from '../../shared/api/types';
import { RpcHost, type Handlers, type HostLogger } from '../rpc/host';
import { CleanupRuns } from '../services/cleanup/execute/service';
import { gatherCleanupInputs } from '../services/cleanup/plan-service';
import { accountName } from '../services/account-name';
import { listDirectory } from '../services/directory-browser';
import { ProjectSession } from '../services/project/project-session';
import { openRemembered, ProjectMemory } from '../services/project-memory';
import { RecentProjects } from '../services/recent-projects';
import type { SecretCipher } from '../services/credentials/saved-store';
import { RegistryAccess } from '../services/registry-access';
import { KnownRegistries } from '../services/registries/known/known-registries';

export interface AppEnvironment {
  host: AppInfo['host'];
  version: string;
  settingsDir: string;
  initialProject: string | null;
  /** The native folder dialog; absent in the browser host. */
  pickFolder?: () => Promise<string | null>;
  logger?: HostLogger;
  environment?: Record<string, string | undefined>;
  /** Encrypts saved credentials (Electron safeStorage); absent in the browser host. */
  cipher?: SecretCipher;
}

export interface App {
  rpc: RpcHost<Contract>;
  dispose(): void;
}

/** Where settings live: $STOWAGE_HOME, else the XDG config folder. */
export function defaultSettingsDir(env: Record<string, string | undefined> = process.env): string {
  if (env.STOWAGE_HOME) return env.STOWAGE_HOME;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'stowage');
}

/** Wires the services behind the contract. Both hosts (Electron and browser) call this. */
export function createApp(env: AppEnvironment): App {
  const recent = new RecentProjects(env.settingsDir);
  const memory = new ProjectMemory(env.settingsDir);
  const access = new RegistryAccess({
    settingsDir: env.settingsDir,
    ...(env.cipher ? { cipher: env.cipher } : {}),
    ...(env.environment ? { environment: env.environment } : {}),
  });
  const runs = new CleanupRuns({ settingsDir: env.settingsDir, access });
  const known = new KnownRegistries(access, env.settingsDir);
  // The host is created after the session, so change events go through a late-bound emitter.
  let emit: (view: ProjectView) => void = () => {};
  const session = new ProjectSession({
    onChange: (view) => emit(view),
    ...(env.environment ? { environment: env.environment } : {}),
  });

  const handlers: Handlers<Contract> = {
    'app.info': () => ({
      version: env.version,
      host: env.host,
      platform: process.platform,
      initialProject: env.initialProject,
      homeDir: homedir(),
      userName: accountName(),
      canPickFolderNatively: env.pickFolder !== undefined,
    }),
    'project.open': async ({ path, env: overrides }, ctx) => {
      const view = await openRemembered(session, memory, path, overrides, ctx.signal);
      await recent.add(view.path, view.project).catch(() => undefined);
      return view;
    },
    'project.setEnv': async ({ env: overrides, werfVersion }, ctx) => {
      const view = await session.setEnv(overrides, ctx.signal, werfVersion);
      await memory.remember(view.path, { env: overrides, werfVersion: view.werfVersion }).catch(() => undefined);
      return view;
    },
    'project.remembered': ({ path }) => memory.get(path),
    'project.remember': async ({ path, preview }) => {
      await memory.remember(path, { preview });
      return null;
    },
    'app.settings': () => memory.appSettings(),
    'app.saveSettings': (settings) => memory.saveAppSettings(settings),
    'project.reload': (_args, ctx) => session.reload(ctx.signal),
    'project.close': () => {
      session.close();
      return null;
    },
    'project.recent': () => recent.list(),
    'project.forget': ({ path }) => recent.forget(path),
    'dialog.pickFolder': async () => {
      if (!env.pickFolder) {
        throw new UserError({ code: 'unsupported', message: 'The native folder dialog exists only in the desktop app.', hint: 'Type the path or use Browse.' });
      }
      return { path: await env.pickFolder() };
    },
    'credentials.state': ({ registries }, ctx) => access.state(registries ?? [], ctx.signal),
    'credentials.save': (input, ctx) => access.save(input, ctx.signal),
    'credentials.remove': ({ registry }, ctx) => access.remove(registry, ctx.signal),
    'registry.saveSettings': (settings, ctx) => access.saveSettings(settings, ctx.signal),
    'registry.check': async ({ imagesRepo, implementation }, ctx) => {
      const report = await access.check(imagesRepo, implementation, ctx.signal, (step) => ctx.emit('check.step', { step }));
      // The Registries page shows each registry's last test; a note that cannot be written costs only that.
      await known.recordTest(report).catch(() => undefined);
      return report;
    },
    // Rows arrive already batched by the inventory engine (a page of listed tags, or finished rows
    // every 100 ms / 500 rows); that is the one batching layer, so they go out as they come.
    'inventory.list': (request, ctx) => {
      // A repository listed here is one the Registries page should know of.
      void known.noteRepo(request.imagesRepo).catch(() => undefined);
      return access.inventory(
        request,
        ctx.signal,
        (rows) => ctx.emit('inventory.rows', { rows }),
        (progress) => ctx.emit('inventory.progress', { progress }),
      );
    },
    'inventory.manifest': (request, ctx) => access.manifest(request, ctx.signal),
    'inventory.imageConfig': (request, ctx) => access.imageConfig(request, ctx.signal),
    'cleanup.inputs': async (request, ctx) =>
      runs.remember(
        await gatherCleanupInputs(request, {
          projectDir: session.view?.path ?? null,
          access,
          signal: ctx.signal,
          onProgress: (progress) => ctx.emit('cleanup.progress', { progress }),
          ...(env.environment ? { kube: { env: env.environment } } : {}),
        }),
      ),
    // Deletes only the plan the view showed: planned again from the kept inputs, refused when the id differs.
    'cleanup.execute': (request, ctx) => runs.execute(request, ctx.signal, (progress) => ctx.emit('cleanup.runProgress', { progress })),
    'cleanup.restore': ({ runId, tags }, ctx) => runs.restore(runId, tags, ctx.signal, (item, done, total) => ctx.emit('cleanup.restoreProgress', { item, done, total })),
    'cleanup.history': () => runs.history(),
    'cleanup.run': ({ runId }) => runs.report(runId),
    'registries.list': (_args, ctx) => known.list(ctx.signal),
    'registries.add': ({ registry, implementation }, ctx) => known.add(registry, implementation, ctx.signal),
    'registries.remove': ({ registry }, ctx) => known.remove(registry, ctx.signal),
    'catalog.list': (request, ctx) => known.catalog(request, ctx.signal, (repositories, listed) => ctx.emit('catalog.repositories', { repositories, listed })),
    'catalog.tagCounts': ({ registry, implementation, repositories }, ctx) => known.tagCounts(registry, implementation, repositories, ctx.signal, (counts) => ctx.emit('catalog.tagCounts', { counts })),
    'fs.listDirectory': ({ path }) => listDirectory(path ?? homedir()),
    'publish.engine': async (_args, ctx) => (await import('../services/docker/engine')).engineInfo(await engineConnection(env), ctx.signal),
    'publish.run': async (request, ctx) => {
      const view = session.view;
      if (!view) throw new UserError({ code: 'no-project', message: 'No project is open.', hint: 'Open a project folder first.' });
      // The images on screen are the last good version's while the file on disk is broken: never build those.
      if (view.stale) throw new UserError({ code: 'project-stale', message: `${view.configFile ?? 'werf.yaml'} has ${view.stale.reason === 'yaml' ? 'a YAML syntax error' : 'a template error'}; the images shown are from the last version that rendered.`, hint: 'Fix the error (see Problems in the config), then publish.' });
      const { publishImages } = await import('../services/publish/publish');
      return publishImages(request, {
        projectDir: view.path,
        images: view.images,
        resolver: access.resolver,
        settings: access.settings,
        engine: await engineConnection(env),
        settingsDir: env.settingsDir,
        signal: ctx.signal,
        onProgress: (progress) => ctx.emit('publish.progress', { progress }),
      });
    },
  };

  const rpc = new RpcHost(methods, handlers, env.logger);
  emit = (view) => rpc.emit('project.changed', view);
  return { rpc, dispose: () => session.close() };
}

/** The engine as the Docker CLI would find it from this app's environment, looked up per call (contexts change). */
async function engineConnection(env: AppEnvironment) {
  const { connectEngine } = await import('../services/docker/engine');
  return connectEngine(env.environment ?? process.env);
}
