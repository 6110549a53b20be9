/**
 * A problem found while reading a project or composing names. Problems are data: the UI shows them
 * next to the thing they are about and the CLI prints them; nothing throws across a boundary.
 */
export type Severity = 'error' | 'warning';

export interface SourceLocation {
  /** Path relative to the project folder, e.g. `werf.yaml` or `.werf/images.tmpl`. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Problem {
  severity: Severity;
  /** Stable machine-readable code, e.g. `yaml-syntax`, `unknown-fields`, `duplicate-image`. */
  code: string;
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** The werf.yaml image the problem is about; null for the nameless image; absent when global. */
  image?: string | null;
  location?: SourceLocation;
  /**
   * Templated configs: the line in the rendered text where the problem was found; `location` then
   * points at the template line that wrote it.
   */
  renderedLine?: number;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
