import { CREDENTIAL_GUIDES, type CredentialGuide } from '../credentials/guides';
import { CATALOGUE, type ImplementationInfo } from './catalogue';
import { IMPLEMENTATIONS, type Implementation, type ImplementationChoice } from './implementations';

/**
 * The registry of implementations: the one place product code asks which implementations exist
 * and what each one is (catalogue entry, credential guide, the hosts that mean it). The nine
 * built-ins are registered from `CATALOGUE` and `CREDENTIAL_GUIDES`; another one (a plugin, the
 * test suite's fake tenth registry) is added with `registerImplementation` and its driver with
 * the main process's `registerDriver`, and then preview, detection, guides, the check and the
 * listing treat it like any other, without a product file naming it.
 */
export interface ImplementationEntry {
  readonly id: Implementation;
  readonly info: ImplementationInfo;
  readonly guide: CredentialGuide;
  /**
   * Hosts that mean this implementation, tried after werf's built-in rules matched none; the
   * first whose pattern matches the host (without port) wins. Built-ins detect in `detect.ts`.
   */
  readonly hosts?: readonly HostRule[];
}

export interface HostRule {
  readonly pattern: RegExp;
  /** Why the address means this implementation, for the preview's reason line. */
  readonly reason: string;
}

const registered = new Map<Implementation, ImplementationEntry>();

/**
 * Adds an implementation; returns the function that removes it again (tests). Refuses an id that
 * is taken, or one that could be confused with `auto`, so a plugin cannot shadow a built-in.
 */
export function registerImplementation(entry: ImplementationEntry): () => void {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(entry.id) || entry.id === 'auto') throw new Error(`"${entry.id}" is not a usable implementation id (lowercase letters, digits and "-")`);
  if (isImplementation(entry.id)) throw new Error(`implementation "${entry.id}" is already registered`);
  registered.set(entry.id, entry);
  return () => {
    registered.delete(entry.id);
  };
}

/** Every implementation: the built-ins in werf's detection order, then the registered ones. */
export function implementationIds(): readonly Implementation[] {
  return registered.size === 0 ? IMPLEMENTATIONS : [...IMPLEMENTATIONS, ...registered.keys()];
}

/** Values arrive from the CLI, env files, saved settings and the window, so they are checked at runtime. */
export function isImplementation(value: string): value is Implementation {
  return (IMPLEMENTATIONS as readonly string[]).includes(value) || registered.has(value);
}

export function isImplementationChoice(value: string): value is ImplementationChoice {
  return value === 'auto' || isImplementation(value);
}

function builtin(id: Implementation): id is keyof typeof CATALOGUE {
  return Object.hasOwn(CATALOGUE, id);
}

function entryOf(id: Implementation): ImplementationEntry {
  const entry = registered.get(id);
  if (entry) return entry;
  // An id that passed isImplementation is always found; anything else is a programming error
  // (unchecked input), so it fails loudly rather than falling back to another registry's rules.
  throw new Error(`unknown registry implementation "${id}"`);
}

/** The catalogue entry: capabilities, settings, deletion methods, title. */
export function implementationInfo(id: Implementation): ImplementationInfo {
  return builtin(id) ? CATALOGUE[id] : entryOf(id).info;
}

/** What the implementation needs for reading, pushing and deleting, and the credential form. */
export function credentialGuide(id: Implementation): CredentialGuide {
  return builtin(id) ? CREDENTIAL_GUIDES[id] : entryOf(id).guide;
}

/** The first registered implementation whose host rule matches `host` (no port), with its reason. */
export function detectRegistered(host: string): { implementation: Implementation; reason: string } | null {
  for (const entry of registered.values()) {
    const rule = entry.hosts?.find((r) => r.pattern.test(host));
    if (rule) return { implementation: entry.id, reason: rule.reason };
  }
  return null;
}

export interface DepthLimits {
  /** Fewest path components a pushable repository has on this registry. */
  min: number;
  /** Most path components; null = no documented limit. */
  max: number | null;
}

/**
 * Depth rules that depend on the host as well as the implementation (ghcr.io vs the old
 * docker.pkg.github.com, gcr.io vs Artifact Registry). Counts components below the host.
 */
export function repositoryDepthLimits(implementation: Implementation, registry: string): DepthLimits {
  const host = registry.replace(/:\d+$/, '');
  switch (implementation) {
    case 'dockerhub':
    case 'quay':
      return { min: 2, max: implementationInfo(implementation).maxRepositoryDepth };
    case 'github':
      return host === 'docker.pkg.github.com' ? { min: 3, max: 3 } : { min: 2, max: null };
    case 'gcr':
      return { min: host.endsWith('-docker.pkg.dev') ? 3 : 2, max: null };
    case 'gitlab':
    case 'harbor':
      return { min: 2, max: null };
    default:
      return { min: 1, max: implementationInfo(implementation).maxRepositoryDepth };
  }
}
