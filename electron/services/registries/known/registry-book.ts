import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LastRegistryTest } from '../../../../shared/api/registries';
import type { CheckReport } from '../../../../shared/credentials/types';
import { parseImagesRepo } from '../../../../shared/registry/detect';
import { isImplementation } from '../../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../../shared/registry/implementations';
import { normaliseRegistryHost } from '../../credentials/hosts';
import { writeFileAtomically } from '../../atomic-file';

export interface RegistryEntry {
  registry: string;
  implementation?: Implementation;
  addedAt: string;
}

export interface RecentRepo {
  registry: string;
  imagesRepo: string;
  usedAt: string;
}

/** What the Registries page keeps of its own in the settings folder (`registries.json`). Never a secret. */
export interface RegistryBookData {
  entries: RegistryEntry[];
  recent: RecentRepo[];
  tests: Record<string, LastRegistryTest>;
}

const MAX_RECENT = 50;
const MAX_RECENT_PER_REGISTRY = 5;

/**
 * Registries the user added here, images repos used lately, and the last test of each registry.
 * A damaged file costs the list, never the app; writes go through a temp file and a rename.
 */
export class RegistryBook {
  private readonly file: string;
  private cache: RegistryBookData | null = null;
  /** Writes one after another: two quick changes never lose one. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(settingsDir: string, private readonly now: () => Date = () => new Date()) {
    this.file = join(settingsDir, 'registries.json');
  }

  async read(): Promise<RegistryBookData> {
    if (this.cache) return this.cache;
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      parsed = null;
    }
    this.cache = sanitize(parsed);
    return this.cache;
  }

  add(registry: string, implementation?: Implementation): Promise<RegistryBookData> {
    const host = normaliseRegistryHost(registry);
    return this.change((d) => {
      const kept = d.entries.find((e) => e.registry === host);
      const entry: RegistryEntry = { registry: host, addedAt: kept?.addedAt ?? this.now().toISOString(), ...(implementation ? { implementation } : {}) };
      return { ...d, entries: [...d.entries.filter((e) => e.registry !== host), entry].sort((a, b) => a.registry.localeCompare(b.registry)) };
    });
  }

  /** Forgets the entry, the recent repos and the last test of a registry. */
  forget(registry: string): Promise<RegistryBookData> {
    const host = normaliseRegistryHost(registry);
    return this.change((d) => {
      const tests = { ...d.tests };
      delete tests[host];
      return { entries: d.entries.filter((e) => e.registry !== host), recent: d.recent.filter((r) => r.registry !== host), tests };
    });
  }

  /** An images repo was used (a check, a listing): it names a registry the page should show. */
  noteRepo(imagesRepo: string): Promise<RegistryBookData> {
    const parsed = parseImagesRepo(imagesRepo);
    if (parsed.registry === '' || parsed.problems.some((p) => p.severity === 'error')) return this.read();
    const registry = normaliseRegistryHost(parsed.registry);
    const repo = `${parsed.registry}${parsed.repository ? `/${parsed.repository}` : ''}`;
    return this.change((d) => {
      const rest = d.recent.filter((r) => r.imagesRepo !== repo);
      const next = [{ registry, imagesRepo: repo, usedAt: this.now().toISOString() }, ...rest];
      const perRegistry = new Map<string, number>();
      const recent = next.filter((r) => {
        const n = (perRegistry.get(r.registry) ?? 0) + 1;
        perRegistry.set(r.registry, n);
        return n <= MAX_RECENT_PER_REGISTRY;
      });
      return { ...d, recent: recent.slice(0, MAX_RECENT) };
    });
  }

  /** Keeps the last check of the registry it tested: its verdict, steps and when. */
  recordTest(report: CheckReport): Promise<RegistryBookData> {
    const host = normaliseRegistryHost(report.registry);
    const failed = report.steps.find((s) => s.status === 'fail');
    const last = report.steps[report.steps.length - 1];
    const shown = failed ?? last;
    const test: LastRegistryTest = {
      at: this.now().toISOString(),
      imagesRepo: report.imagesRepo,
      ok: failed === undefined,
      readOk: report.readOk,
      summary: shown ? `${shown.title}: ${shown.detail}`.slice(0, 500) : 'No step ran.',
      steps: report.steps.map((s) => ({ name: s.name, title: s.title, status: s.status })),
    };
    return this.change((d) => ({ ...d, tests: { ...d.tests, [host]: test } }));
  }

  private change(edit: (d: RegistryBookData) => RegistryBookData): Promise<RegistryBookData> {
    const run = this.chain.then(async () => {
      const next = edit(await this.read());
      await writeFileAtomically(this.file, JSON.stringify(next, null, 2));
      this.cache = next;
      return next;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

const str = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Only well-formed rows survive: the file is ours, but a hand edit must not break the page. */
function sanitize(v: unknown): RegistryBookData {
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const entries: RegistryEntry[] = [];
  for (const e of Array.isArray(o.entries) ? o.entries : []) {
    const r = e as Record<string, unknown>;
    if (!str(r?.registry) || !str(r.addedAt)) continue;
    entries.push({ registry: r.registry, addedAt: r.addedAt, ...(str(r.implementation) && isImplementation(r.implementation) ? { implementation: r.implementation } : {}) });
  }
  const recent: RecentRepo[] = [];
  for (const e of Array.isArray(o.recent) ? o.recent : []) {
    const r = e as Record<string, unknown>;
    if (str(r?.registry) && str(r.imagesRepo) && str(r.usedAt)) recent.push({ registry: r.registry, imagesRepo: r.imagesRepo, usedAt: r.usedAt });
  }
  const tests: Record<string, LastRegistryTest> = {};
  const t = typeof o.tests === 'object' && o.tests !== null ? (o.tests as Record<string, unknown>) : {};
  for (const [host, test] of Object.entries(t)) {
    const r = test as Record<string, unknown>;
    if (str(r?.at) && str(r.imagesRepo) && typeof r.ok === 'boolean' && typeof r.summary === 'string' && Array.isArray(r.steps)) tests[host] = r as unknown as LastRegistryTest;
  }
  return { entries, recent, tests };
}
