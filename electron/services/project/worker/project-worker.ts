// The project worker's entry (bundled to out/project-worker.mjs): reads, renders and parses one
// project off the main event loop, under the heap limit the main process gave this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../../../shared/api/result';
import { loadProject } from '../load-project';
import type { ProjectJob, WorkerMessage } from './protocol';

const port = parentPort;
const job = workerData as ProjectJob;
const post = (message: WorkerMessage) => port?.postMessage(message);

async function run(): Promise<void> {
  try {
    const view = await loadProject(job.dir, {
      envOverrides: job.envOverrides,
      environment: job.environment,
      now: () => new Date(job.nowIso),
      renderLimits: { maxRenderMs: job.renderBudgetMs },
      onPhase: (phase) => post({ kind: 'phase', phase }),
    });
    post({ kind: 'done', view });
  } catch (error) {
    if (error instanceof UserError) {
      const data = error.toData();
      post({ kind: 'user-error', error: { code: data.code, message: data.message, ...(data.hint ? { hint: data.hint } : {}) } });
    } else {
      post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

void run();
