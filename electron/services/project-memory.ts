import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { appSettingsSchema, rememberedProjectSchema, type AppSettings, type RememberedProject } from '../../shared/api/remembered';
import { writeFileAtomically } from './atomic-file';

const storedSchema = z.object({ version: z.literal(1), path: z.string(), state: rememberedProjectSchema }).strict();

/** A remembered-state file is a few kilobytes; anything far bigger was not written by Stowage. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Small JSON documents in the settings folder, written atomically (a temp file renamed over the
 * old one, so a crash leaves the old or the new file, never half of one) and read tolerantly: a
 * missing, damaged or foreign file reads as nothing remembered, and the next write replaces it.
 * Writes to one file are queued so a read-modify-write never loses a concurrent update.
 */
class JsonDocuments {
  readonly #queues = new Map<string, Promise<unknown>>();

  async read<T>(file: string, schema: z.ZodType<T>): Promise<T | null> {
    try {
      const text = await readFile(file, 'utf8');
      if (text.length > MAX_FILE_BYTES) return null;
      const parsed = schema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Applies `change` to what is on disk (or to nothing) and writes the result. */
  update<T>(file: string, schema: z.ZodType<T>, change: (current: T | null) => T): Promise<T> {
    const previous = this.#queues.get(file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const value = change(await this.read(file, schema));
      await writeFileAtomically(file, JSON.stringify(value, null, 2));
      return value;
    });
    this.#queues.set(file, next);
    void next.finally(() => {
      if (this.#queues.get(file) === next) this.#queues.delete(file);
    }).catch(() => undefined);
    return next;
  }
}

/**
 * Per-project remembered state (`<settings>/projects/<sha256 of the path>.json`) and the app-wide
 * settings (`<settings>/app-settings.json`). The file name is a hash so any path, however long or
 * odd, maps to one safe name; the path itself is kept inside to tell a (vanishingly unlikely)
 * collision apart.
 */
export class ProjectMemory {
  readonly #dir: string;
  readonly #appFile: string;
  readonly #docs = new JsonDocuments();

  constructor(settingsDir: string) {
    this.#dir = join(settingsDir, 'projects');
    this.#appFile = join(settingsDir, 'app-settings.json');
  }

  fileFor(projectPath: string): string {
    const key = createHash('sha256').update(resolve(projectPath)).digest('hex').slice(0, 32);
    return join(this.#dir, `${key}.json`);
  }

  async get(projectPath: string): Promise<RememberedProject | null> {
    const stored = await this.#docs.read(this.fileFor(projectPath), storedSchema);
    return stored && stored.path === resolve(projectPath) ? stored.state : null;
  }

  /** Merges `patch` into what is remembered for the project; fields set to undefined are forgotten. */
  async remember(projectPath: string, patch: Partial<RememberedProject>): Promise<RememberedProject> {
    const path = resolve(projectPath);
    const stored = await this.#docs.update(this.fileFor(path), storedSchema, (current) => {
      const state: RememberedProject = { ...(current && current.path === path ? current.state : {}) };
      for (const [k, v] of Object.entries(patch) as [keyof RememberedProject, unknown][]) {
        if (v === undefined) delete state[k];
        else (state as Record<string, unknown>)[k] = v;
      }
      return { version: 1 as const, path, state: rememberedProjectSchema.parse(state) };
    });
    return stored.state;
  }

  async appSettings(): Promise<AppSettings> {
    return (await this.#docs.read(this.#appFile, appSettingsSchema)) ?? {};
  }

  saveAppSettings(patch: AppSettings): Promise<AppSettings> {
    return this.#docs.update(this.#appFile, appSettingsSchema, (current) => appSettingsSchema.parse({ ...(current ?? {}), ...patch }));
  }
}

export interface ProjectOpener<V extends { path: string }> {
  open(path: string, env: Record<string, string>, signal?: AbortSignal, werfVersion?: RememberedProject['werfVersion']): Promise<V>;
  setEnv(env: Record<string, string>, signal?: AbortSignal, werfVersion?: RememberedProject['werfVersion']): Promise<V>;
}

/**
 * Opens a project with what was remembered for it: its environment overrides and werf release,
 * unless the caller passes overrides of its own (the CLI, a test). The folder's resolved path can
 * differ from the one typed (a symbolic link); then the memory of the resolved path applies.
 */
export async function openRemembered<V extends { path: string }>(session: ProjectOpener<V>, memory: ProjectMemory, path: string, overrides: Record<string, string> | undefined, signal?: AbortSignal): Promise<V> {
  if (overrides !== undefined) return session.open(path, overrides, signal);
  const typed = await memory.get(path);
  // One load with what was remembered under the typed path; a second only when the folder it
  // resolved to (`~/x`, a relative path) has memories of its own.
  const view = await session.open(path, typed?.env ?? {}, signal, typed?.werfVersion);
  const applies = resolve(view.path) === resolve(path) ? typed : await memory.get(view.path);
  const reloadNeeded = applies !== null && applies !== typed && (applies.werfVersion !== undefined || Object.keys(applies.env ?? {}).length > 0);
  return reloadNeeded ? session.setEnv(applies.env ?? {}, signal, applies.werfVersion) : view;
}
