/**
 * The registry implementations werf knows (v1.1 `--images-repo-implementation`, v1.2+
 * `--repo-container-registry`). The order is werf's detection order, which matters: the first
 * matching host pattern wins. `selectel` (v1.2 only, removed in v2) is left out on purpose.
 * These are the built-ins: the records that must cover each of them (`CATALOGUE`,
 * `CREDENTIAL_GUIDES`, `REGISTRY_DRIVERS`) are typed by `BuiltinImplementation`, so the compiler
 * names what a new built-in must provide.
 */
export const IMPLEMENTATIONS = ['ecr', 'acr', 'default', 'dockerhub', 'gcr', 'github', 'gitlab', 'harbor', 'quay'] as const;

export type BuiltinImplementation = (typeof IMPLEMENTATIONS)[number];

/**
 * An implementation id: a built-in, or one added at runtime through the registry of
 * implementations (`implementation-registry.ts`). Product code looks an id up through that
 * registry's functions, never by indexing a built-in record, so an added one works everywhere.
 */
export type Implementation = BuiltinImplementation | (string & {});

export type ImplementationChoice = Implementation | 'auto';

const BUILTIN_SET: ReadonlySet<string> = new Set<string>(IMPLEMENTATIONS);

export function isBuiltinImplementation(value: string): value is BuiltinImplementation {
  return BUILTIN_SET.has(value);
}
