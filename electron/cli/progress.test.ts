import { describe, expect, it } from 'vitest';
import { progressLine } from './progress';

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, columns: 40, write: (s: string) => written.push(s), written };
}

describe('the CLI progress line', () => {
  it('writes nothing when stderr is not a terminal (pipes, CI logs)', () => {
    const t = terminal(false);
    const p = progressLine(t, {});
    p.update('listing');
    p.done();
    expect(t.written).toEqual([]);
  });

  it('overwrites one dimmed line on a terminal, at most ten times a second, and clears it at the end', () => {
    const t = terminal(true);
    let clock = 0;
    const p = progressLine(t, {}, () => clock);
    p.update('1 tag');
    clock = 50;
    p.update('2 tags');
    clock = 150;
    p.update('3 tags');
    p.done();
    expect(t.written).toEqual(['\r\u001b[2m1 tag\u001b[0m\u001b[K', '\r\u001b[2m3 tags\u001b[0m\u001b[K', '\r\u001b[K']);
  });

  it('honours NO_COLOR, cuts to the terminal width and shows control characters from registries as ?', () => {
    const t = terminal(true);
    const p = progressLine(t, { NO_COLOR: '1' });
    p.update(`evil\u001b]0;title\u0007${'x'.repeat(60)}`);
    expect(t.written[0]).toBe(`\r${`evil?]0;title?${'x'.repeat(60)}`.slice(0, 39)}\u001b[K`);
  });
});
