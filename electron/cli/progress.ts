/**
 * One self-overwriting progress line on stderr, only when stderr is a terminal: a pipe or a CI log
 * gets the result alone, never a stream of carriage returns. Dimmed unless NO_COLOR is set
 * (https://no-color.org: any non-empty value).
 */
export interface ProgressLine {
  update(text: string): void;
  /** Clears the line so the command's own output starts on a clean row. */
  done(): void;
}

interface Terminal {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const QUIET: ProgressLine = { update: () => undefined, done: () => undefined };

export function progressLine(stream: Terminal = process.stderr, env: Readonly<Record<string, string | undefined>> = process.env, now: () => number = Date.now): ProgressLine {
  if (!stream.isTTY) return QUIET;
  const color = !env.NO_COLOR;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const t = now();
      // A listing reports per batch; ten repaints a second are plenty for a person.
      if (shown && t - last < 100) return;
      last = t;
      shown = true;
      // The text carries registry-provided names: only printable characters reach the terminal.
      const line = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, Math.max(10, (stream.columns ?? 80) - 1));
      stream.write(`\r${color ? '\u001b[2m' : ''}${line}${color ? '\u001b[0m' : ''}\u001b[K`);
    },
    done() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}
