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
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // Comments and blank lines never end a continued instruction; they are simply dropped.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!continuing) {
      const keyword = /^([A-Za-z]+)/.exec(trimmed)?.[1];
      if (keyword) out.push({ line: i + 1, keyword: keyword.toUpperCase() });
    }
    continuing = trimmed.endsWith(escape);
  }
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
