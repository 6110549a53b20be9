import { lineOfVertexName, type DockerfileInstruction } from './dockerfile-lines';

/** The parts of BuildKit's `StatusResponse` Stowage reads (decoded in the main process). */
export interface BuildkitVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch. */
  started: number | null;
  completed: number | null;
  error: string | null;
}
export interface BuildkitVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  completed: number | null;
}
export interface BuildkitLog {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream: number;
  text: string;
}
export interface BuildkitWarning {
  vertex: string;
  text: string;
  /** 1-based Dockerfile line, where BuildKit gives one. */
  line: number | null;
}
export interface BuildkitStatus {
  vertexes: BuildkitVertex[];
  statuses: BuildkitVertexStatus[];
  logs: BuildkitLog[];
  warnings: BuildkitWarning[];
}

export type BuildkitEvent =
  | { kind: 'step'; step: number; total: number; instruction: string; line: number | null; cached: boolean }
  | { kind: 'log'; line: string };

/** Dockerfile steps are the vertexes BuildKit names `[stage i/n] …`; the rest is its own work. */
const STEP_NAME = /^\[[^\]]*\d+\/\d+\]\s/;
/** A RUN step can print anything and BuildKit sends it in pieces: a piece of a line waits at most this long. */
const MAX_PARTIAL = 4000;

interface VertexState {
  /** `#n` in the log, in the order BuildKit first named the vertex, as `docker build --progress=plain` numbers them. */
  number: number;
  name: string;
  step: boolean;
  startedShown: boolean;
  doneShown: boolean;
  errorShown: boolean;
  partial: string;
}

/**
 * Folds BuildKit's status messages into what the publish view already shows for the classic
 * builder: "step i/n" as Dockerfile steps start, with their line, and a plain-progress log
 * (`#3 [2/3] COPY a /a`, `#3 CACHED`, `#3 DONE 0.1s`, the step's own output, `#3 ERROR: …`).
 * Messages repeat a vertex as it changes; each change is reported once.
 */
export class BuildkitProgress {
  private readonly vertexes = new Map<string, VertexState>();
  private readonly stepOrder: string[] = [];
  private failed: { name: string; error: string; line: number | null } | null = null;

  constructor(private readonly instructions: readonly DockerfileInstruction[]) {}

  read(status: BuildkitStatus): BuildkitEvent[] {
    const out: BuildkitEvent[] = [];
    // Every step a message names counts towards the total before any of them is reported started.
    for (const v of status.vertexes) this.stateOf(v);
    for (const v of status.vertexes) {
      const s = this.stateOf(v);
      if (v.started !== null && !s.startedShown) {
        s.startedShown = true;
        out.push({ kind: 'log', line: `#${s.number} ${v.name}` });
        if (s.step) {
          out.push({ kind: 'step', step: this.stepOrder.indexOf(v.digest) + 1, total: this.stepOrder.length, instruction: stepInstruction(v.name), line: lineOfVertexName(this.instructions, v.name), cached: v.cached });
        }
      }
      if (v.error && !s.errorShown) {
        s.errorShown = true;
        out.push(...this.flush(s));
        out.push({ kind: 'log', line: `#${s.number} ERROR: ${v.error}` });
        // A cancelled solve marks its running vertexes "context canceled": not the cause.
        if (this.failed === null && !/context canceled/.test(v.error)) this.failed = { name: v.name, error: v.error, line: s.step ? lineOfVertexName(this.instructions, v.name) : null };
      } else if (v.completed !== null && !s.doneShown) {
        s.doneShown = true;
        out.push(...this.flush(s));
        const secs = v.started !== null ? Math.max(0, (v.completed - v.started) / 1000) : 0;
        out.push({ kind: 'log', line: v.cached ? `#${s.number} CACHED` : `#${s.number} DONE ${secs.toFixed(1)}s` });
      }
    }
    for (const st of status.statuses) {
      const s = this.vertexes.get(st.vertex);
      if (s && st.completed !== null && st.name) out.push({ kind: 'log', line: `#${s.number} ${st.name}${st.total > 0 ? ` ${st.current}/${st.total}` : st.current > 0 ? ` ${st.current}` : ''} done` });
    }
    for (const log of status.logs) {
      const s = this.vertexes.get(log.vertex);
      if (!s) continue;
      s.partial += log.text;
      const lines = s.partial.split(/\r?\n/);
      s.partial = lines.pop() ?? '';
      if (s.partial.length > MAX_PARTIAL) {
        lines.push(s.partial);
        s.partial = '';
      }
      for (const line of lines) out.push({ kind: 'log', line: `#${s.number} ${line}` });
    }
    for (const w of status.warnings) {
      const s = this.vertexes.get(w.vertex);
      out.push({ kind: 'log', line: `${s ? `#${s.number} ` : ''}WARNING: ${w.text.trim()}${w.line !== null ? ` (line ${w.line})` : ''}` });
    }
    return out;
  }

  /** The step that failed, with its Dockerfile line where one is known. */
  failure(): { name: string; error: string; line: number | null } | null {
    return this.failed;
  }

  /** How many Dockerfile steps BuildKit has named so far. */
  steps(): number {
    return this.stepOrder.length;
  }

  private stateOf(v: BuildkitVertex): VertexState {
    let s = this.vertexes.get(v.digest);
    if (!s) {
      const step = STEP_NAME.test(v.name);
      s = { number: this.vertexes.size + 1, name: v.name, step, startedShown: false, doneShown: false, errorShown: false, partial: '' };
      this.vertexes.set(v.digest, s);
      if (step) this.stepOrder.push(v.digest);
    }
    return s;
  }

  private flush(s: VertexState): BuildkitEvent[] {
    if (s.partial === '') return [];
    const line = s.partial;
    s.partial = '';
    return [{ kind: 'log', line: `#${s.number} ${line}` }];
  }
}

/** `[build 2/3] COPY  a /a` → `build: COPY a /a`, as the classic builder's steps read (`COPY a /a`). */
export function stepInstruction(vertexName: string): string {
  const m = /^\[(.*?)\s*\d+\/\d+\]\s+(.*)$/s.exec(vertexName.trim());
  if (!m) return vertexName.trim();
  const text = m[2]!.replace(/\s+/g, ' ');
  return m[1] ? `${m[1]}: ${text}` : text;
}
