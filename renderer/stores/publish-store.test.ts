import { describe, expect, it } from 'vitest';
import { applyProgress, LOG_LINES_KEPT } from './publish-store';

describe('the publish store follows the run', () => {
  it('starts from the plan, then phases, steps, capped logs, layers and pushed names per image', () => {
    let runs = applyProgress({}, { kind: 'plan', images: [{ name: 'api', references: ['r/api:v1'] }, { name: 'tools', references: [], skipped: 'a Stapel image' }, { name: null, references: ['r:v1'] }] });
    expect(Object.keys(runs)).toEqual(['api', 'tools', '~']);
    expect(runs.tools!.phase).toBe('skipped');
    runs = applyProgress(runs, { kind: 'phase', image: 'api', phase: 'building' });
    runs = applyProgress(runs, { kind: 'step', image: 'api', step: 2, total: 3, instruction: 'COPY a /a' });
    for (let i = 0; i < LOG_LINES_KEPT + 20; i++) runs = applyProgress(runs, { kind: 'log', image: 'api', lines: [`line ${i}`] });
    expect(runs.api!.log).toHaveLength(LOG_LINES_KEPT);
    expect(runs.api!.log.at(-1)).toBe(`line ${LOG_LINES_KEPT + 19}`);
    runs = applyProgress(runs, { kind: 'layer', image: 'api', reference: 'r/api:v1', layer: 'abc', status: 'Pushing', current: 1, total: 2 });
    expect(runs.api!.layers.abc).toEqual({ status: 'Pushing', current: 1, total: 2 });
    runs = applyProgress(runs, { kind: 'pushed', image: 'api', name: { reference: 'r/api:v1', strategy: 'custom', digest: 'sha256:x', size: 1, ms: 2 } });
    expect(runs.api!.pushed.map((p) => p.reference)).toEqual(['r/api:v1']);
    expect(runs.api!.layers).toEqual({});
    runs = applyProgress(runs, { kind: 'phase', image: null, phase: 'failed', message: 'boom' });
    expect(runs['~']).toMatchObject({ phase: 'failed', message: 'boom' });
  });
});
