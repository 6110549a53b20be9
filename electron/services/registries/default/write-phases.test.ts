import { describe, expect, it } from 'vitest';
import { WritePhases, type WritePhase } from './write-phases';

describe('WritePhases', () => {
  it('runs a phase\'s calls together and never overlaps the two phases', async () => {
    const phases = new WritePhases();
    const running = new Map<WritePhase, number>([['put', 0], ['delete', 0]]);
    let maxTogether = 0;
    const order: string[] = [];
    const call = (phase: WritePhase, id: number) =>
      phases.run(phase, async () => {
        running.set(phase, running.get(phase)! + 1);
        const other = running.get(phase === 'put' ? 'delete' : 'put')!;
        expect(other).toBe(0);
        maxTogether = Math.max(maxTogether, running.get(phase)!);
        order.push(`${phase}${id}`);
        await new Promise((r) => setTimeout(r, 5));
        running.set(phase, running.get(phase)! - 1);
        return id;
      });
    const ids = await Promise.all([call('put', 1), call('put', 2), call('delete', 3), call('put', 4), call('delete', 5), call('put', 6)]);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(maxTogether).toBeGreaterThan(1);
    // The waiting deletes go before the puts that arrived after them.
    expect(order.slice(0, 2).sort()).toEqual(['put1', 'put2']);
    expect(order.slice(2, 4).sort()).toEqual(['delete3', 'delete5']);
  });

  it('a failing call leaves the phase', async () => {
    const phases = new WritePhases();
    await expect(phases.run('put', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(phases.run('delete', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
