import { homedir } from 'node:os';
import type { CheckReport, CheckStep, CredentialsState, RegistrySettings, SaveCredentialInput } from '../../shared/credentials/types';
import { UserError } from '../../shared/api/result';
import { detectParsed, parseImagesRepo } from '../../shared/registry/detect';
import type { ImplementationChoice } from '../../shared/registry/implementations';
import { createCredentialResolver } from './credentials/resolver';
import { createSavedStore, memoryOnlyCipher, userOnlyFileStore, type SavedCredentialStore, type SecretCipher } from './credentials/saved-store';
import type { CredentialResolver } from './credentials/types';
import { checkConnection } from './registry/check-connection';
import { listInventory } from './inventory';
import { fetchManifestDocument } from './inventory/manifest-document';
import { fetchImageConfig } from './inventory/image-config';
import type { ImageConfigDocument, ImageConfigRequest } from '../../shared/inventory/image-config';
import type { InventoryProgress, InventoryRequest, InventoryStats, InventoryTag, ManifestDocument, ManifestRequest } from '../../shared/inventory/types';
import { join } from 'node:path';
import { RegistrySettingsStore, withTlsOverride, type RegistryTlsOverride } from './registry-settings';

export interface RegistryAccessDeps {
  settingsDir: string;
  /** Image configs are immutable: cached here by digest. Defaults to <settingsDir>/cache/configs. */
  cacheDir?: string;
  /** Electron: safeStorage. Browser host: none, so secrets stay in memory unless the user opts in. */
  cipher?: SecretCipher;
  environment?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}

/**
 * Credentials and "Test connection" behind the contract: finds what the user has, stores what they
 * enter, and runs the check with the credential the resolver picks. Secrets never leave this object
 * except towards a registry.
 */
export class RegistryAccess {
  readonly saved: SavedCredentialStore;
  readonly resolver: CredentialResolver;
  readonly settings: RegistrySettingsStore;
  private readonly cacheDir: string;

  constructor(deps: RegistryAccessDeps) {
    this.cacheDir = deps.cacheDir ?? join(deps.settingsDir, 'cache', 'configs');
    const browserHost = deps.cipher === undefined;
    this.saved = createSavedStore({
      settingsDir: deps.settingsDir,
      cipher: deps.cipher ?? memoryOnlyCipher(),
      ...(browserHost ? { optIn: userOnlyFileStore() } : {}),
    });
    this.resolver = createCredentialResolver({ env: deps.environment ?? process.env, homeDir: deps.homeDir ?? homedir(), savedStore: this.saved });
    this.settings = new RegistrySettingsStore(deps.settingsDir);
  }

  async state(registries: string[], signal?: AbortSignal): Promise<CredentialsState> {
    const summaries = await this.resolver.list(signal, { registries });
    return { summaries, storage: this.saved.storage(), settings: await this.settings.list() };
  }

  async save(input: SaveCredentialInput, signal?: AbortSignal): Promise<CredentialsState> {
    await this.saved.save(input);
    return this.state([input.registry], signal);
  }

  async remove(registry: string, signal?: AbortSignal): Promise<CredentialsState> {
    await this.saved.remove(registry);
    return this.state([registry], signal);
  }

  async saveSettings(settings: RegistrySettings, signal?: AbortSignal): Promise<CredentialsState> {
    await this.settings.save(settings);
    return this.state([settings.registry], signal);
  }

  /** Lists every tag of the images repo; rows stream to `onRows` while listing continues. */
  async inventory(
    request: InventoryRequest,
    signal: AbortSignal,
    onRows: (rows: InventoryTag[]) => void,
    onProgress: (progress: InventoryProgress) => void,
    options: { concurrency?: number; maxTags?: number; tls?: RegistryTlsOverride } = {},
  ): Promise<InventoryStats> {
    const { registry, implementation, credential, settings: saved } = await this.access(request.imagesRepo, request.implementation, signal);
    // The CLI's werf flags apply to this call only; the saved settings stay as they are.
    const settings = options.tls ? withTlsOverride(registry, saved, options.tls) : saved;
    return listInventory({ ...request, implementation }, { credential, settings, cacheDir: this.cacheDir, signal, onRows, onProgress, ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}), ...(options.maxTags !== undefined ? { maxTags: options.maxTags } : {}) });
  }

  /** One manifest by digest, with the same credential and settings the inventory used. */
  async manifest(request: ManifestRequest, signal: AbortSignal): Promise<ManifestDocument> {
    const { implementation, credential, settings } = await this.access(request.imagesRepo, request.implementation, signal);
    return fetchManifestDocument({ ...request, implementation }, { credential, settings, signal });
  }

  /** The image's config, layers and history by digest, with the same credential and settings. */
  async imageConfig(request: ImageConfigRequest, signal: AbortSignal): Promise<ImageConfigDocument> {
    const { implementation, credential, settings } = await this.access(request.imagesRepo, request.implementation, signal);
    return fetchImageConfig({ ...request, implementation }, { credential, settings, signal });
  }

  /** What every registry call starts from: the implementation, the credential the resolver picks, the registry's settings. */
  private async access(imagesRepo: string, choice: ImplementationChoice, signal: AbortSignal) {
    const { registry, implementation } = this.target(imagesRepo, choice);
    const { credential, unusable } = await this.resolver.resolveWithProblems(registry, implementation, signal);
    const settings = await this.settings.get(registry);
    return { registry, implementation, credential, unusable, settings };
  }

  private target(imagesRepo: string, choice: ImplementationChoice) {
    const parsed = parseImagesRepo(imagesRepo);
    const blocking = parsed.problems.find((p) => p.severity === 'error');
    if (blocking || parsed.registry === '') {
      throw new UserError({ code: 'bad-images-repo', message: blocking?.message ?? `"${imagesRepo}" is not an images repo address.`, hint: blocking?.hint ?? 'Type an address like registry.example.com/team/app.' });
    }
    return { registry: parsed.registry, implementation: choice === 'auto' ? detectParsed(parsed).implementation : choice };
  }

  async check(imagesRepo: string, choice: ImplementationChoice, signal: AbortSignal, onStep: (step: CheckStep) => void): Promise<CheckReport> {
    const { implementation, credential, unusable, settings } = await this.access(imagesRepo, choice, signal);
    return checkConnection({ imagesRepo, implementation, credential, unusable, signal, onStep, ...(settings ? { settings } : {}) });
  }
}
