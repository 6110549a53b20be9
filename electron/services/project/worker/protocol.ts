import type { EngineLimits } from '../../../../shared/gotemplate';
import type { ProjectView } from '../../../../shared/api/types';
import type { WerfVersion } from '../../../../shared/werf-config/werf-version';
import type { LoadPhase } from '../load-project';

/** What the main process hands the project worker (structured-cloned as workerData). */
export interface ProjectJob {
  dir: string;
  envOverrides: Record<string, string>;
  /** The environment templates read; a plain copy, since the worker's own may differ. */
  environment: Record<string, string>;
  /** The render's "now", fixed when the job starts. */
  nowIso: string;
  /** Cooperative wall-clock budget the template engine checks; the main side's terminate is the backstop. */
  renderBudgetMs: number;
  /** Engine limits besides the time budget, when the caller sets them. */
  engineLimits?: Partial<EngineLimits>;
  /** Whose rules apply; the current werf release when absent. */
  werfVersion?: WerfVersion;
  /** False when the caller does not want the giterminism check (`stowage render`). */
  checkUncommitted?: false;
}

/** What the worker says while it works: which phase it is in, so a stopped job can say where. */
export type WorkerMessage =
  | { kind: 'phase'; phase: LoadPhase }
  | { kind: 'done'; view: ProjectView }
  | { kind: 'user-error'; error: { code: string; message: string; hint?: string } }
  | { kind: 'failed'; message: string };
