/**
 * Where each instruction of a Dockerfile starts, so "Step 4/7" or a build error can point at a
 * Dockerfile line. The classic builder numbers steps over every instruction in file order (the
 * ARGs before the first FROM included, stages after `--target` never reached), which is exactly
 * this list's order.
 */
export interface DockerfileInstruction {
  /** 1-based line of the instruction's keyword. */
  line: number;
  keyword: string;
  /** The whole instruction on one line: continuations joined, runs of blanks as one space. */
  text: string;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

export function dockerfileInstructions(text: string): DockerfileInstruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!.trim());
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const out: DockerfileInstruction[] = [];
  let continuing = false;
  let current: DockerfileInstruction | null = null;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // Comments and blank lines never end a continued instruction; they are simply dropped.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const body = trimmed.endsWith(escape) ? trimmed.slice(0, -escape.length) : trimmed;
    if (!continuing) {
      const keyword = /^([A-Za-z]+)/.exec(trimmed)?.[1];
      current = keyword ? { line: i + 1, keyword: keyword.toUpperCase(), text: body } : null;
      if (current) out.push(current);
    } else if (current) current.text = `${current.text} ${body}`;
    continuing = trimmed.endsWith(escape);
  }
  for (const ins of out) ins.text = ins.text.replace(/\s+/g, ' ').trim();
  return out;
}

/** The line of step `step` (1-based), or null when the file has fewer instructions. */
export function lineOfStep(instructions: readonly DockerfileInstruction[], step: number): number | null {
  return instructions[step - 1]?.line ?? null;
}

const PARSE_ERROR_LINE = /parse error (?:on )?line (\d+)/i;

/** The line a Dockerfile parse error names ("dockerfile parse error line 3: unknown instruction: FOO"). */
export function lineOfParseError(message: string): number | null {
  const m = PARSE_ERROR_LINE.exec(message);
  return m ? Number(m[1]) : null;
}

/**
 * The line of the instruction a BuildKit vertex runs. BuildKit names a Dockerfile step
 * `[stage i/n] INSTRUCTION args` with the instruction as written (FROM names the resolved image),
 * so the text after the bracket is looked up among the instructions.
 */
export function lineOfVertexName(instructions: readonly DockerfileInstruction[], vertexName: string): number | null {
  const m = /^\[[^\]]*\d+\/\d+\]\s+(.*)$/s.exec(vertexName.trim());
  if (!m) return null;
  const text = m[1]!.replace(/\s+/g, ' ').trim();
  const keyword = /^([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  const same = instructions.filter((i) => i.text === text || i.text.replace(/^[A-Za-z]+/, (k) => k.toUpperCase()) === text);
  if (same.length > 0) return same[0]!.line;
  if (keyword === 'FROM') {
    // `FROM alpine:3.19` shows as `FROM docker.io/library/alpine:3.19`.
    const image = text.split(' ')[1] ?? '';
    const from = instructions.find((i) => i.keyword === 'FROM' && fromImageOf(i.text) !== null && (image === fromImageOf(i.text) || image.endsWith(`/${fromImageOf(i.text)}`)));
    return from?.line ?? null;
  }
  return null;
}

/** The image of a `FROM [--platform=…] image [AS name]` instruction. */
function fromImageOf(text: string): string | null {
  const words = text.split(' ').slice(1).filter((w) => !w.startsWith('--'));
  return words[0] ?? null;
}

/**
 * The line a BuildKit error points at: newer BuildKit writes `Dockerfile:12` (the Dockerfile's
 * name in the context, then the line) above an excerpt; older engines only the parse error line.
 */
export function lineOfBuildkitError(message: string, dockerfileName: string): number | null {
  const base = dockerfileName.split('/').pop() ?? dockerfileName;
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:^|[\\s/])${escaped}:(\\d+)(?![\\d.])`).exec(message);
  if (m) return Number(m[1]);
  return lineOfParseError(message);
}

/**
 * The images a build starts from, with the global ARGs (those before the first FROM) expanded from
 * the build args or their defaults: what BuildKit resolves. `scratch` and earlier stages are not
 * images; a FROM whose variables stay unresolved is left out (the build itself reports it).
 */
export function baseImagesOf(text: string, buildArgs: Readonly<Record<string, string>>): string[] {
  const instructions = dockerfileInstructions(text);
  const globals = new Map<string, string>();
  const stages = new Set<string>();
  const out: string[] = [];
  let seenFrom = false;
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && !seenFrom) {
      for (const decl of ins.text.split(' ').slice(1)) {
        const eq = decl.indexOf('=');
        const name = eq >= 0 ? decl.slice(0, eq) : decl;
        const fallback = eq >= 0 ? decl.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2') : undefined;
        const value = buildArgs[name] ?? fallback;
        if (value !== undefined) globals.set(name, value);
      }
      continue;
    }
    if (ins.keyword !== 'FROM') continue;
    seenFrom = true;
    const words = ins.text.split(' ').slice(1).filter((w) => !w.startsWith('--'));
    const raw = words[0];
    if (!raw) continue;
    let unresolved = false;
    const image = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => {
      const v = globals.get((a ?? b)!);
      if (v === undefined) unresolved = true;
      return v ?? '';
    });
    const isImage = !unresolved && image !== '' && image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase());
    if (words[1]?.toLowerCase() === 'as' && words[2]) stages.add(words[2].toLowerCase());
    if (isImage && !out.includes(image)) out.push(image);
  }
  return out;
}
