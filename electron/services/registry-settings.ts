import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistrySettings } from '../../shared/credentials/types';
import { writeFileAtomically } from './atomic-file';

/** Per-registry connection settings (CA file, TLS opt-outs, API base URLs), kept as JSON in the settings folder. */
export class RegistrySettingsStore {
  private readonly file: string;
  private cache: RegistrySettings[] | null = null;

  constructor(settingsDir: string) {
    this.file = join(settingsDir, 'registry-settings.json');
  }

  async list(): Promise<RegistrySettings[]> {
    if (this.cache) return this.cache;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      this.cache = Array.isArray(parsed) ? parsed.filter(isSettings) : [];
    } catch {
      this.cache = [];
    }
    return this.cache;
  }

  async get(registry: string): Promise<RegistrySettings | undefined> {
    return (await this.list()).find((s) => s.registry === registry);
  }

  async save(settings: RegistrySettings): Promise<RegistrySettings[]> {
    return this.write([...(await this.list()).filter((s) => s.registry !== settings.registry), settings].sort((a, b) => a.registry.localeCompare(b.registry)));
  }

  /** Forgets a registry's settings (the Registries page's Remove). */
  async remove(registry: string): Promise<RegistrySettings[]> {
    const list = await this.list();
    return list.some((s) => s.registry === registry) ? this.write(list.filter((s) => s.registry !== registry)) : list;
  }

  private async write(next: RegistrySettings[]): Promise<RegistrySettings[]> {
    await writeFileAtomically(this.file, JSON.stringify(next, null, 2));
    this.cache = next;
    return next;
  }
}

function isSettings(value: unknown): value is RegistrySettings {
  return typeof value === 'object' && value !== null && typeof (value as { registry?: unknown }).registry === 'string';
}

/** TLS choices for one call (the CLI's werf flags) on top of a registry's saved settings. */
export type RegistryTlsOverride = Pick<RegistrySettings, 'plainHttp' | 'insecureSkipVerify'>;

/** The registry's settings with the command's override applied; undefined when there is neither. */
export function withTlsOverride(registry: string, settings: RegistrySettings | undefined, override: RegistryTlsOverride): RegistrySettings | undefined {
  if (override.plainHttp === undefined && override.insecureSkipVerify === undefined) return settings;
  return { ...(settings ?? { registry }), ...override };
}
