import type { CatalogRepository, CatalogRequest, CatalogResult, RegistriesView, TagCount } from '../../../../shared/api/registries';
import { UserError } from '../../../../shared/api/result';
import type { CheckReport } from '../../../../shared/credentials/types';
import { detectImplementation } from '../../../../shared/registry/detect';
import type { Implementation, ImplementationChoice } from '../../../../shared/registry/implementations';
import { normaliseRegistryHost } from '../../credentials/hosts';
import type { RegistryAccess } from '../../registry-access';
import { countTags, listCatalog, type CatalogTarget } from '../catalog/service';
import { RegistryBook } from './registry-book';
import { registriesView } from './registries-view';

/**
 * The Registries page behind the contract: every registry Stowage knows of, what it keeps of its own
 * for each (an entry, settings, a saved credential, the last test, recent images repos), and the
 * catalog of one. The user's docker config is read through the resolver, never written.
 */
export class KnownRegistries {
  readonly book: RegistryBook;

  constructor(private readonly access: Pick<RegistryAccess, 'resolver' | 'settings' | 'saved'>, settingsDir: string, private readonly now: () => Date = () => new Date()) {
    this.book = new RegistryBook(settingsDir, now);
  }

  async list(signal?: AbortSignal): Promise<RegistriesView> {
    const [book, settings] = await Promise.all([this.book.read(), this.access.settings.list()]);
    // The book's hosts are asked about too, so a registry added here shows its login state.
    const asked = [...book.entries.map((e) => e.registry), ...book.recent.map((r) => r.registry), ...settings.map((s) => s.registry)];
    const summaries = await this.access.resolver.list(signal, { registries: [...new Set(asked)] });
    return registriesView({ summaries, settings, book, now: this.now().getTime() });
  }

  async add(registry: string, implementation: Implementation | undefined, signal?: AbortSignal): Promise<RegistriesView> {
    if (normaliseRegistryHost(registry) === '') throw new UserError({ code: 'bad-registry', message: `"${registry}" is not a registry host.`, hint: 'Type a host, like registry.example.com or 127.0.0.1:5000.' });
    await this.book.add(registry, implementation);
    return this.list(signal);
  }

  /** Forgets what Stowage keeps for the registry; its docker config entries stay (and so does its row, then). */
  async remove(registry: string, signal?: AbortSignal): Promise<RegistriesView> {
    const host = normaliseRegistryHost(registry);
    await this.book.forget(host);
    for (const name of new Set([registry, host])) {
      await this.access.settings.remove(name);
      await this.access.saved.remove(name);
    }
    return this.list(signal);
  }

  /** Called after every Test connection, wherever it ran: the page shows each registry's last one. */
  async recordTest(report: CheckReport): Promise<void> {
    await this.book.recordTest(report);
    await this.book.noteRepo(report.imagesRepo);
  }

  async noteRepo(imagesRepo: string): Promise<void> {
    await this.book.noteRepo(imagesRepo);
  }

  async catalog(request: CatalogRequest, signal: AbortSignal, onRepositories: (repositories: CatalogRepository[], listed: number) => void): Promise<CatalogResult> {
    const target = await this.target(request.registry, request.implementation, signal);
    const recentRepos = (await this.book.read()).recent.filter((r) => r.registry === normaliseRegistryHost(request.registry)).map((r) => r.imagesRepo);
    return listCatalog(target, { signal, onRepositories, recentRepos, ...(request.namespace !== undefined ? { namespace: request.namespace } : {}) });
  }

  async tagCounts(registry: string, implementation: ImplementationChoice, repositories: readonly string[], signal: AbortSignal, onCounts: (counts: TagCount[]) => void): Promise<TagCount[]> {
    return countTags(await this.target(registry, implementation, signal), repositories, { signal, onCounts });
  }

  private async target(registry: string, choice: ImplementationChoice, signal: AbortSignal): Promise<CatalogTarget> {
    const host = normaliseRegistryHost(registry);
    const settings = (await this.access.settings.get(registry)) ?? (await this.access.settings.get(host));
    const implementation = choice === 'auto' ? (settings?.implementation ?? detectImplementation(host).implementation) : choice;
    const { credential } = await this.access.resolver.resolveWithProblems(host, implementation, signal);
    return { registry: host, implementation, credential, settings };
  }
}
