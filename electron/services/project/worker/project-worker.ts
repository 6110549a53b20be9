// The project worker's entry (bundled to out/project-worker.mjs): reads, renders and parses one
// project off the main event loop, under the heap limit the main process gave this thread.
import { parentPort } from 'node:worker_threads';
import { UserError } from '../../../../shared/api/result';
import { loadProject } from '../load-project';
import type { ProjectJob, WorkerMessage } from './protocol';

// Nothing the worker prints may reach the CLI's stdout (a JSON document) or the host's log; what
// a load has to say travels in its messages.
for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[name] = () => {};

const port = parentPort;
const post = (message: WorkerMessage) => port?.postMessage(message);

async function run(job: ProjectJob): Promise<void> {
  try {
    const view = await loadProject(job.dir, {
      envOverrides: job.envOverrides,
      environment: job.environment,
      now: () => new Date(job.nowIso),
      renderLimits: { ...job.engineLimits, maxRenderMs: job.renderBudgetMs },
      ...(job.werfVersion ? { werfVersion: job.werfVersion } : {}),
      ...(job.checkUncommitted === false ? { checkUncommitted: false } : {}),
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

// Jobs come by message, one at a time: the main side sends the next only after this one answered,
// and a worker that was stopped mid-job is terminated, never reused.
port?.on('message', (message: { kind: 'job'; job: ProjectJob }) => {
  if (message.kind === 'job') void run(message.job);
});
