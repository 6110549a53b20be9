import { resolve } from 'node:path';
import { measureBrowserHostStart } from './browser-host-bench';
import { runCleanupBench, type BenchResult } from './cleanup-bench';
import { runCleanupExecuteBench } from './cleanup-execute-bench';
import { runPreviewBench } from './preview-bench';
import { runPublishBench } from './publish-bench';
import { runWerfBench } from './werf-bench';

const repoRoot = resolve(process.argv[2] ?? '.');
// STOWAGE_BENCH=cleanup runs only the cleanup part: the planner, then a run on the local registry (`npm run bench:cleanup`).
const only = process.env.STOWAGE_BENCH;
// STOWAGE_BENCH=publish runs only the publish push comparison (it starts a Docker engine).
// STOWAGE_BENCH=werf runs only issue #16's: render + parse against the Go oracle, and the CLI's start-up.
const results: BenchResult[] =
  only === 'cleanup'
    ? [...(await runCleanupBench()), ...(await runCleanupExecuteBench())]
    : only === 'publish'
      ? await runPublishBench()
      : only === 'werf'
        ? runWerfBench(repoRoot)
        : [...(await runPreviewBench()), await measureBrowserHostStart(repoRoot), ...runWerfBench(repoRoot), ...(await runCleanupBench()), ...(await runCleanupExecuteBench()), ...(await runPublishBench())];
let failed = 0;
for (const r of results) {
  const ratio = r.ms / r.target;
  if (ratio > 1) failed++;
  console.log(`${r.ms.toFixed(2).padStart(9)} ms  target ${String(r.target).padStart(5)} ms  ratio ${ratio.toFixed(3)}  ${ratio <= 1 ? 'ok  ' : 'SLOW'}  ${r.name}`);
}
process.exitCode = failed ? 1 : 0;
