/**
 * The registry implementations werf knows (v1.1 `--images-repo-implementation`, v1.2+
 * `--repo-container-registry`). The order is werf's detection order, which matters: the first
 * matching host pattern wins. `selectel` (v1.2 only, removed in v2) is left out on purpose.
 */
export const IMPLEMENTATIONS = ['ecr', 'acr', 'default', 'dockerhub', 'gcr', 'github', 'gitlab', 'harbor', 'quay'] as const;

export type Implementation = (typeof IMPLEMENTATIONS)[number];

export type ImplementationChoice = Implementation | 'auto';

const IMPLEMENTATION_SET: ReadonlySet<string> = new Set<string>(IMPLEMENTATIONS);

/** Values arrive from the CLI, env files and saved settings, so they are checked at runtime. */
export function isImplementation(value: string): value is Implementation {
  return IMPLEMENTATION_SET.has(value);
}

export function isImplementationChoice(value: string): value is ImplementationChoice {
  return value === 'auto' || IMPLEMENTATION_SET.has(value);
}
