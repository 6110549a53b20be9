/**
 * Executes parsed templates with Go's text/template semantics: pipelines feeding the final
 * argument, variable scoping per control structure, missing map keys as "<no value>", nil
 * interface rules in field chains, and Go's argument typing for function calls. Limits on
 * nesting depth, output size and loop iterations turn runaway templates into TemplateErrors.
 */
import {
  argString,
  commandString,
  isEmptyTree,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type IdentifierNode,
  type ListNode,
  type Node,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './ast';
import { ErrorCodes, FuncError, TemplateError, type TemplateLocation } from './errors';
import { formatValue } from './format';
import { paramTypeName, type CallContext, type FuncDef, type FuncTable, type ParamType } from './funcs';
import { GoTime } from './gotime';
import { parseSource } from './parser';
import { errorAt, SourceFile } from './source';
import {
  GoFloat,
  hasStringKey,
  isFloat,
  isInt,
  isMap,
  isNil,
  isStringMap,
  isStruct,
  mapGet,
  mapKeyOf,
  numberOf,
  sortedKeys,
  toPlainJS,
  truth,
  typeName,
} from './values';

export interface EngineLimits {
  /** Nesting of template/include/tpl calls. */
  maxDepth: number;
  /** Output written, nested include output included; counted in UTF-16 code units. */
  maxOutputBytes: number;
  /** Range iterations plus elements produced by until/untilStep/seq. */
  maxIterations: number;
  /**
   * Total work of one render, so that no template can run for minutes: every action, control
   * structure, function or method call and range iteration costs one step, a template call
   * (`template`, `include`, `tpl`) costs TEMPLATE_CALL_STEPS (it allocates a scope and an output).
   */
  maxSteps: number;
  /**
   * Cooperative wall-clock budget of one render in milliseconds, measured with the engine's
   * `clock` and checked every CLOCK_CHECK_STEPS steps; Infinity (the default) for none. A worker
   * that renders passes it so a slow render ends with a limit error naming the template line
   * last executed, before its hard terminate has to.
   */
  maxRenderMs: number;
  /**
   * Bytes of project files read through `.Files` (Get, Glob, Exists) in one render, all calls
   * together; hosts are asked to refuse a file that would not fit before reading it.
   */
  maxReadBytes: number;
}

export const DEFAULT_LIMITS: EngineLimits = {
  maxDepth: 100,
  maxOutputBytes: 10 * 1024 * 1024,
  maxIterations: 1_000_000,
  maxSteps: 1_000_000,
  maxRenderMs: Number.POSITIVE_INFINITY,
  maxReadBytes: 64 * 1024 * 1024,
};

/** Steps a template call costs: its scope and output cost several actions' worth of work. */
export const TEMPLATE_CALL_STEPS = 10;
/** The clock is read once per this many steps: reading it per action would cost more than the check is worth. */
export const CLOCK_CHECK_STEPS = 1024;

export interface EngineOptions {
  funcs: FuncTable;
  limits: EngineLimits;
  now: () => Date;
  env: (name: string) => string | undefined;
  /** Monotonic milliseconds for maxRenderMs; Date.now when absent. */
  clock?: () => number;
}

/** Marks "no value from a previous pipeline stage". */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

/** Walk results that propagate {{break}} / {{continue}} to the enclosing range. */
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = 0 | 1 | 2;

/** What an error message quotes as the failing command; rendered only when an error happens. */
type Action = CommandNode | ArgNode | string;

interface Var {
  name: string;
  value: unknown;
}

/** Where a run of output came from: template text advances line by line with its source; a printed value does not. */
interface Segment {
  at: number;
  src: SourceFile;
  pos: number;
  text: boolean;
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

/**
 * Segments in flat typed arrays: a templated config of a few hundred thousand lines would
 * otherwise keep as many small objects alive during the render.
 */
class Segments {
  // Allocated on first use and grown by doubling: an include's output often holds no segment at
  // all, and fan-out templates create hundreds of thousands of outputs.
  private at = EMPTY_F64;
  private pos = EMPTY_I32;
  /** Index into `sources`, negated minus one for printed values. */
  private src = EMPTY_I32;
  private readonly sources: SourceFile[] = [];
  length = 0;

  push(at: number, src: SourceFile, pos: number, text: boolean): void {
    if (this.length === this.at.length) this.grow();
    // A handful of sources per output at most, so a scan beats a map.
    let id = this.sources.indexOf(src);
    if (id < 0) {
      id = this.sources.length;
      this.sources.push(src);
    }
    const i = this.length++;
    this.at[i] = at;
    this.pos[i] = pos;
    this.src[i] = text ? id : -id - 1;
  }

  /** Appends another output's segments, shifted to where its text lands in this one. */
  pushAll(other: Segments, shift: number): void {
    for (let i = 0; i < other.length; i++) {
      const s = other.get(i);
      this.push(s.at + shift, s.src, s.pos, s.text);
    }
  }

  atOf(i: number): number {
    return this.at[i]!;
  }

  get(i: number): Segment {
    const code = this.src[i]!;
    const text = code >= 0;
    return { at: this.at[i]!, pos: this.pos[i]!, src: this.sources[text ? code : -code - 1]!, text };
  }

  private grow(): void {
    const n = Math.max(8, this.at.length * 2);
    const at = new Float64Array(n);
    at.set(this.at);
    const pos = new Int32Array(n);
    pos.set(this.pos);
    const src = new Int32Array(n);
    src.set(this.src);
    this.at = at;
    this.pos = pos;
    this.src = src;
  }
}

export interface LineOrigin {
  file: string;
  line: number;
  /** True when template text wrote the line (its columns match); false for a printed value. */
  text: boolean;
}

/** The template position that wrote a (1-based) line of the output; undefined past the end. */
export type LineOrigins = (line: number) => LineOrigin | undefined;

class Output {
  private parts: string[] = [];
  private length = 0;
  private atLineStart = true;
  readonly segments = new Segments();
  constructor(private readonly engine: Engine) {}
  write(s: string, src: SourceFile, pos: number, text: boolean): void {
    if (s.length === 0) return;
    this.engine.chargeOutput(s);
    // Origins are only ever asked for at line starts: a write in mid-line without a newline can
    // never hold one, so it needs no segment (this keeps long single-line loops cheap).
    if (this.atLineStart || s.includes('\n')) this.segments.push(this.length, src, pos, text);
    this.parts.push(s);
    this.length += s.length;
    this.atLineStart = s.charCodeAt(s.length - 1) === 10;
  }
  /** The output of an `include`, printed as it was: its segments keep pointing into the partial. */
  append(nested: Output, s: string): void {
    if (s.length === 0) return;
    this.engine.chargeOutput(s);
    this.segments.pushAll(nested.segments, this.length);
    this.parts.push(s);
    this.length += s.length;
    this.atLineStart = s.charCodeAt(s.length - 1) === 10;
  }
  toString(): string {
    return this.parts.join('');
  }

  /**
   * Where a line of the output came from, looked up on demand: callers ask about a handful of lines
   * (problems, image sources), so nothing per line is built up front.
   */
  lineOrigins(): LineOrigins {
    const text = this.toString();
    const lines = new SourceFile('', '', text);
    const segments = this.segments;
    return (line) => {
      const offset = lines.lineStart(line);
      if (offset === undefined) return undefined;
      // The last segment that starts at or before the line start holds it.
      let lo = 0;
      let hi = segments.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (segments.atOf(mid) <= offset) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return undefined;
      const s = segments.get(found);
      const host = s.src.hostLocation;
      if (host) return { file: host.file, line: host.line, text: false };
      // Template text is written verbatim, so an offset into it is the same offset in its source.
      if (s.text) return { file: s.src.file, line: s.src.position(s.pos + offset - s.at).line, text: true };
      return { file: s.src.file, line: s.src.position(s.pos).line, text: false };
    };
  }
}

/**
 * `{{ include "x" . }}`, `{{ tpl … }}` or `{{ $saved }}`: an action that prints a nested result as
 * it is. Only these may take the nested output's line origins; a literal with the same text must not.
 */
function printsNestedOutput(pipe: PipeNode): boolean {
  if (pipe.cmds.length !== 1) return false;
  const first = pipe.cmds[0]!.args[0];
  if (!first) return false;
  if (first.type === 'variable') return first.idents.length === 1 && pipe.cmds[0]!.args.length === 1;
  return first.type === 'identifier' && (first.name === 'include' || first.name === 'tpl');
}

interface State {
  src: SourceFile;
  vars: Var[];
  out: Output;
  depth: number;
}

const objectProto = Object.prototype as unknown as Record<string, unknown>;

export class Engine implements CallContext {
  readonly templates = new Map<string, Tree>();
  private outputBytes = 0;
  private iterations = 0;
  private steps = 0;
  /** The step count at which the budget is next looked at: the step limit, or sooner when the clock is due. */
  private checkStepsAt = 0;
  private startedAt = 0;
  private readonly clock: () => number;
  private tplCount = 0;
  private cur: State | null = null;
  private curAct = 0;
  private curPos = 0;
  private readonly trace: TemplateLocation[] = [];
  /**
   * Recent `include`/`tpl` results by their text: when one is printed unchanged its lines keep
   * pointing into the partial. Piped through `indent` and the like it is new text, and its lines
   * point at the action that printed it. Bounded, since only the latest few are ever printed.
   */
  private readonly nestedOutputs = new Map<string, Output>();

  constructor(private readonly opts: EngineOptions) {
    this.clock = opts.clock ?? Date.now;
    this.startedAt = this.clock();
    this.checkStepsAt = this.nextCheck();
  }

  private nextCheck(): number {
    const max = this.opts.limits.maxSteps;
    if (!Number.isFinite(this.opts.limits.maxRenderMs)) return max;
    return Math.min(max, this.steps + CLOCK_CHECK_STEPS);
  }

  hasFunc = (name: string): boolean => this.opts.funcs.has(name);

  /** Parses a source and adds its trees to the set (later sources win, as in Go). */
  addSource(name: string, file: string, text: string): void {
    const src = new SourceFile(name, file, text);
    this.register(parseSource(src, this.hasFunc));
  }

  private register(trees: Tree[]): void {
    for (const t of trees) {
      const old = this.templates.get(t.name);
      if (old && isEmptyTree(t.root)) continue;
      this.templates.set(t.name, t);
    }
  }

  /** Renders the named template with `data` as dot and `$`. */
  execute(name: string, data: unknown): string {
    return this.run(name, data).toString();
  }

  /** Like `execute`, plus the template file and line each output line came from. */
  executeWithOrigins(name: string, data: unknown): { text: string; origins: LineOrigins } {
    const out = this.run(name, data);
    return { text: out.toString(), origins: out.lineOrigins() };
  }

  private run(name: string, data: unknown): Output {
    const tree = this.templates.get(name);
    if (!tree) {
      throw new TemplateError({ file: name, line: 1, column: 1, message: `template ${JSON.stringify(name)} not defined`, code: ErrorCodes.notFound });
    }
    const dot = data === null ? undefined : data;
    const out = new Output(this);
    const state: State = { src: tree.src, vars: [{ name: '$', value: dot }], out, depth: 0 };
    try {
      this.walk(state, dot, tree.root);
    } catch (e) {
      throw this.finalizeError(e);
    } finally {
      this.nestedOutputs.clear();
    }
    return out;
  }

  /** Stack overflows from pathological nesting become a depth-limit error at the last action. */
  private finalizeError(e: unknown): unknown {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return this.limitError(ErrorCodes.limitDepth, `template nesting too deep (maxDepth = ${this.opts.limits.maxDepth})`);
    }
    return e;
  }

  // --- CallContext -------------------------------------------------------------------------------

  now(): Date {
    return this.opts.now();
  }

  env(name: string): string | undefined {
    return this.opts.env(name);
  }

  countIterations(n: number): void {
    this.iterations += n;
    if (this.iterations > this.opts.limits.maxIterations) {
      throw this.limitError(
        ErrorCodes.limitIterations,
        `loop iteration limit exceeded (maxIterations = ${this.opts.limits.maxIterations})`,
      );
    }
  }

  /** Charges n steps of work at the current location; throws a limit error when the budget is spent. */
  countSteps(n: number): void {
    this.steps += n;
    if (this.steps >= this.checkStepsAt) this.checkBudget();
  }

  private checkBudget(): void {
    const limits = this.opts.limits;
    if (this.steps > limits.maxSteps) {
      throw this.limitError(ErrorCodes.limitSteps, `template work limit exceeded (maxSteps = ${limits.maxSteps})`);
    }
    if (Number.isFinite(limits.maxRenderMs) && this.clock() - this.startedAt > limits.maxRenderMs) {
      throw this.limitError(ErrorCodes.limitTime, `template render time limit exceeded (maxRenderMs = ${limits.maxRenderMs})`);
    }
    this.checkStepsAt = this.nextCheck();
  }

  /** Like countSteps, but sets the location to `node` first when the budget runs out there. */
  private step(s: State, node: { act: number; pos: number }, n: number): void {
    this.steps += n;
    if (this.steps >= this.checkStepsAt) {
      this.setLoc(s, node);
      this.checkBudget();
    }
  }

  checkSize(n: number): void {
    if (this.outputBytes + n > this.opts.limits.maxOutputBytes) {
      throw this.limitError(ErrorCodes.limitOutput, `output size limit exceeded (maxOutputBytes = ${this.opts.limits.maxOutputBytes})`);
    }
  }

  /**
   * Counts UTF-16 code units rather than UTF-8 bytes: the limit is a guard against runaway
   * templates, and scanning every write to count bytes would cost more than the guard is worth.
   */
  chargeOutput(s: string): void {
    this.outputBytes += s.length;
    if (this.outputBytes > this.opts.limits.maxOutputBytes) {
      throw this.limitError(ErrorCodes.limitOutput, `output size limit exceeded (maxOutputBytes = ${this.opts.limits.maxOutputBytes})`);
    }
  }

  location(): TemplateLocation {
    const s = this.cur;
    if (!s) return { file: '', line: 1, column: 1 };
    if (s.src.hostLocation) return s.src.hostLocation;
    const p = s.src.position(this.curAct);
    return { file: s.src.file, line: p.line, column: p.column };
  }

  include(name: string, data: unknown): string {
    const tree = this.templates.get(name);
    if (!tree) {
      throw new FuncError(`template: no template ${JSON.stringify(name)} associated with template`, ErrorCodes.notFound);
    }
    return this.runNested(tree, data === null ? undefined : data);
  }

  tpl(text: string, data: unknown): string {
    // Parsing costs in proportion to the text: a loop that hands tpl a long string pays for it.
    this.countSteps(Math.ceil(text.length / 4));
    const name = `tpl#${++this.tplCount}`;
    const host = this.location();
    const src = new SourceFile(name, host.file, text, host);
    this.register(parseSource(src, this.hasFunc));
    const tree = this.templates.get(name);
    if (!tree) return '';
    try {
      return this.runNested(tree, data === null ? undefined : data);
    } finally {
      // Nothing can name this tree again; kept, every tpl call in a loop would stay in memory.
      this.templates.delete(name);
    }
  }

  private runNested(tree: Tree, dot: unknown): string {
    this.countSteps(TEMPLATE_CALL_STEPS);
    const caller = this.cur;
    const depth = caller ? caller.depth + 1 : 1;
    if (depth > this.opts.limits.maxDepth) {
      throw this.limitError(ErrorCodes.limitDepth, `template recursion depth limit exceeded (maxDepth = ${this.opts.limits.maxDepth})`);
    }
    const savedAct = this.curAct;
    const savedPos = this.curPos;
    const site = this.location();
    const out = new Output(this);
    const state: State = { src: tree.src, vars: [{ name: '$', value: dot }], out, depth };
    this.trace.push(site);
    try {
      this.walk(state, dot, tree.root);
    } catch (e) {
      if (e instanceof TemplateError && e.trace.length < this.trace.length) {
        e.trace.splice(0, e.trace.length, ...this.trace);
      }
      throw e;
    } finally {
      this.trace.pop();
      this.cur = caller;
      this.curAct = savedAct;
      this.curPos = savedPos;
    }
    const text = out.toString();
    if (text.length > 0) {
      if (this.nestedOutputs.size >= 64) this.nestedOutputs.delete(this.nestedOutputs.keys().next().value!);
      this.nestedOutputs.set(text, out);
    }
    return text;
  }

  // --- errors ------------------------------------------------------------------------------------

  private limitError(code: string, message: string): TemplateError {
    const loc = this.location();
    return new TemplateError({ ...loc, message, code, trace: [...this.trace] });
  }

  private fail(
    s: State,
    node: { act: number; pos: number },
    message: string,
    code: string = ErrorCodes.exec,
    action?: Action,
  ): never {
    const text = action === undefined ? undefined : typeof action === 'string' ? action : action.type === 'command' ? commandString(action) : argString(action);
    const e = errorAt(s.src, node.act, node.pos, message, code, text);
    if (this.trace.length > 0) e.trace.push(...this.trace);
    throw e;
  }

  private wrapCallError(s: State, node: { act: number; pos: number }, name: string, e: unknown, action: Action): never {
    if (e instanceof TemplateError) throw e;
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw e;
    if (e instanceof FuncError) {
      this.fail(s, node, e.bare ? e.message : `error calling ${name}: ${e.message}`, e.code, action);
    }
    let msg: string;
    if (e instanceof Error) msg = e.message;
    else if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
      msg = (e as { message: string }).message;
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code !== '') this.fail(s, node, `error calling ${name}: ${msg}`, code, action);
    } else msg = String(e);
    this.fail(s, node, `error calling ${name}: ${msg}`, ErrorCodes.exec, action);
  }

  // --- walking -----------------------------------------------------------------------------------

  private walk(s: State, dot: unknown, node: Node): Flow {
    switch (node.type) {
      case 'text':
        this.cur = s;
        this.curAct = node.act;
        s.out.write(node.text, s.src, node.pos, true);
        return NORMAL;
      case 'action': {
        this.cur = s;
        this.curAct = node.act;
        this.curPos = node.pos;
        this.countSteps(1);
        const val = this.evalPipeline(s, dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(s, node, val);
        return NORMAL;
      }
      case 'list':
        return this.walkList(s, dot, node);
      case 'if':
      case 'with':
        return this.walkIfOrWith(s, dot, node);
      case 'range':
        this.walkRange(s, dot, node);
        return NORMAL;
      case 'template':
        this.walkTemplate(s, dot, node);
        return NORMAL;
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
    }
  }

  private walkList(s: State, dot: unknown, list: ListNode): Flow {
    const nodes = list.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const r = this.walk(s, dot, nodes[i]);
      if (r !== NORMAL) return r;
    }
    return NORMAL;
  }

  private walkIfOrWith(s: State, dot: unknown, node: BranchNode): Flow {
    this.step(s, node, 1);
    const mark = s.vars.length;
    const val = this.evalPipeline(s, dot, node.pipe);
    let r: Flow = NORMAL;
    if (truth(val)) r = this.walkList(s, node.type === 'with' ? val : dot, node.list);
    else if (node.elseList) r = this.walkList(s, dot, node.elseList);
    s.vars.length = mark;
    return r;
  }

  private walkRange(s: State, dot: unknown, node: BranchNode): void {
    this.step(s, node, 1);
    const mark = s.vars.length;
    const val = this.evalPipeline(s, dot, node.pipe);
    const decl = node.pipe.decl;
    const isAssign = node.pipe.isAssign;
    const one = (index: unknown, elem: unknown): Flow => {
      if (decl.length > 0) {
        if (isAssign) this.setVar(s, node, decl[0], decl.length > 1 ? index : elem);
        else s.vars[s.vars.length - 1].value = elem;
      }
      if (decl.length > 1) {
        if (isAssign) this.setVar(s, node, decl[1], elem);
        else s.vars[s.vars.length - 2].value = index;
      }
      const inner = s.vars.length;
      this.countIterationsAt(s, node);
      const r = this.walkList(s, elem, node.list);
      s.vars.length = inner;
      return r;
    };
    let ran = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        const v: unknown = val[i];
        if (one(i, v === undefined ? null : v) === BREAK) break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        ran = true;
        if (one(mapKeyOf(val, k), mapGet(val, k)) === BREAK) break;
      }
    } else if (isInt(val)) {
      if (decl.length > 1) this.fail(s, node, `can't use ${val} to iterate over more than one variable`);
      for (let i = 0; i < val; i++) {
        ran = true;
        if (one(i, i) === BREAK) break;
      }
    } else if (!isNil(val)) {
      this.fail(s, node, `range can't iterate over ${formatValue(val)}`);
    }
    if (!ran && node.elseList) this.walkList(s, dot, node.elseList);
    s.vars.length = mark;
  }

  private countIterationsAt(s: State, node: { act: number; pos: number }): void {
    this.step(s, node, 1);
    if (++this.iterations > this.opts.limits.maxIterations) {
      this.setLoc(s, node);
      this.countIterations(0);
    }
  }

  private walkTemplate(s: State, dot: unknown, node: TemplateNode): void {
    const tree = this.templates.get(node.name);
    if (!tree) this.fail(s, node, `template ${JSON.stringify(node.name)} not defined`, ErrorCodes.notFound);
    const newDot = node.pipe ? this.evalPipeline(s, dot, node.pipe) : undefined;
    this.setLoc(s, node);
    this.countSteps(TEMPLATE_CALL_STEPS);
    this.runNestedInto(s, tree, newDot);
  }

  /** {{template}} writes into the caller's output instead of returning a string. */
  private runNestedInto(s: State, tree: Tree, dot: unknown): void {
    const depth = s.depth + 1;
    if (depth > this.opts.limits.maxDepth) {
      throw this.limitError(ErrorCodes.limitDepth, `template recursion depth limit exceeded (maxDepth = ${this.opts.limits.maxDepth})`);
    }
    const site = this.location();
    const savedAct = this.curAct;
    const savedPos = this.curPos;
    const state: State = { src: tree.src, vars: [{ name: '$', value: dot }], out: s.out, depth };
    this.trace.push(site);
    try {
      this.walk(state, dot, tree.root);
    } finally {
      this.trace.pop();
      this.cur = s;
      this.curAct = savedAct;
      this.curPos = savedPos;
    }
  }

  private printValue(s: State, node: { act: number; pos: number; pipe: PipeNode }, v: unknown): void {
    if (v === undefined || v === null) {
      s.out.write('<no value>', s.src, node.pos, false);
      return;
    }
    if (typeof v === 'string') {
      const nested = printsNestedOutput(node.pipe) ? this.nestedOutputs.get(v) : undefined;
      if (nested) s.out.append(nested, v);
      else s.out.write(v, s.src, node.pos, false);
      return;
    }
    if (typeof v === 'function') {
      this.fail(s, node, `can't print ${argString(node.pipe)} of type ${typeName(v)}`);
    }
    s.out.write(formatValue(v), s.src, node.pos, false);
  }

  // --- variables ---------------------------------------------------------------------------------

  private setVar(s: State, node: { act: number; pos: number }, v: VariableNode, value: unknown): void {
    const name = v.idents[0];
    for (let i = s.vars.length - 1; i >= 0; i--) {
      if (s.vars[i].name === name) {
        s.vars[i].value = value;
        return;
      }
    }
    this.fail(s, node, `undefined variable: ${name}`);
  }

  private varValue(s: State, node: VariableNode): unknown {
    const name = node.idents[0];
    for (let i = s.vars.length - 1; i >= 0; i--) {
      if (s.vars[i].name === name) return s.vars[i].value;
    }
    return this.fail(s, node, `undefined variable: ${name}`);
  }

  // --- pipelines ---------------------------------------------------------------------------------

  private evalPipeline(s: State, dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(s, dot, cmds[i], value);
      // Go unwraps interface values after every stage, so a nil result becomes "no value".
      if (value === null) value = undefined;
    }
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(s, pipe, d, value);
      else s.vars.push({ name: d.idents[0], value });
    }
    return value;
  }

  private notAFunction(s: State, cmd: CommandNode, final: Final): void {
    if (cmd.args.length > 1 || final !== MISSING) {
      this.fail(s, cmd.args[0], `can't give argument to non-function ${argString(cmd.args[0])}`, ErrorCodes.args, cmd);
    }
  }

  private evalCommand(s: State, dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(s, dot, dot, first, first.idents, 0, cmd, final, false);
      case 'chain':
        return this.evalChain(s, dot, first, cmd, final, false);
      case 'identifier':
        return this.evalFunction(s, dot, first, cmd, final);
      case 'pipe':
        this.notAFunction(s, cmd, final);
        return this.evalPipeline(s, dot, first);
      case 'variable':
        return this.evalVariable(s, dot, first, cmd, final, false);
      default:
        break;
    }
    this.notAFunction(s, cmd, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.fail(s, first, 'nil is not a command', ErrorCodes.exec, cmd);
      case 'number':
        return first.ideal;
      case 'string':
        return first.text;
    }
  }

  private evalChain(s: State, dot: unknown, chain: ChainNode, cmd: CommandNode | null, final: Final, asArg: boolean): unknown {
    if (chain.node.type === 'nil') this.fail(s, chain, `indirection through explicit nil in ${argString(chain)}`);
    const recv = this.evalArg(s, dot, 'value', chain.node);
    return this.evalFieldChain(s, dot, recv, chain, chain.fields, 0, cmd, final, asArg);
  }

  private evalVariable(s: State, dot: unknown, v: VariableNode, cmd: CommandNode | null, final: Final, asArg: boolean): unknown {
    const value = this.varValue(s, v);
    if (v.idents.length === 1) {
      if (cmd) this.notAFunction(s, cmd, final);
      return value;
    }
    return this.evalFieldChain(s, dot, value, v, v.idents, 1, cmd, final, asArg);
  }

  private evalFieldChain(
    s: State,
    dot: unknown,
    receiver: unknown,
    node: ArgNode,
    idents: string[],
    start: number,
    cmd: CommandNode | null,
    final: Final,
    asArg: boolean,
  ): unknown {
    const n = idents.length;
    let r = receiver;
    for (let i = start; i < n - 1; i++) r = this.evalField(s, dot, idents[i], node, null, MISSING, r, false);
    return this.evalField(s, dot, idents[n - 1], node, cmd, final, r, asArg);
  }

  private evalField(
    s: State,
    dot: unknown,
    name: string,
    node: ArgNode,
    cmd: CommandNode | null,
    final: Final,
    receiver: unknown,
    asArg: boolean,
  ): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(s, node, `nil pointer evaluating interface {}.${name}`, ErrorCodes.exec, cmd ?? node);
    const hasArgs = (cmd !== null && cmd.args.length > 1) || final !== MISSING;
    if (isMap(receiver)) {
      if (hasStringKey(receiver, name)) {
        const v = receiver[name];
        if (typeof v === 'function') {
          // A function stored in a map is a value when passed as an argument (so `call` works),
          // and a method when used as a command, as `.Files.Get "x"` is.
          if (asArg && !hasArgs) return v;
          return this.callMethod(s, dot, v as (...a: unknown[]) => unknown, receiver, name, node, cmd, final, true);
        }
        if (hasArgs) this.fail(s, node, `${name} is not a method but has arguments`, ErrorCodes.args, cmd ?? node);
        return v === undefined ? null : v;
      }
      if (hasArgs) this.fail(s, node, `${name} is not a method but has arguments`, ErrorCodes.args, cmd ?? node);
      return undefined;
    }
    let recv: unknown = receiver;
    if (recv instanceof Date) recv = GoTime.fromDate(recv);
    if (isStruct(recv) && name in recv && !(name in objectProto && (recv as Record<string, unknown>)[name] === objectProto[name])) {
      const v = (recv as Record<string, unknown>)[name];
      if (typeof v === 'function') {
        return this.callMethod(s, dot, v as (...a: unknown[]) => unknown, recv, name, node, cmd, final, !(recv instanceof GoTime));
      }
      if (hasArgs) this.fail(s, node, `${name} has arguments but cannot be invoked as function`, ErrorCodes.args);
      return v === undefined ? null : v;
    }
    return this.fail(s, node, `can't evaluate field ${name} in type ${typeName(receiver)}`, ErrorCodes.exec, cmd ?? node);
  }

  private callMethod(
    s: State,
    dot: unknown,
    f: (...a: unknown[]) => unknown,
    receiver: unknown,
    name: string,
    node: ArgNode,
    cmd: CommandNode | null,
    final: Final,
    plain: boolean,
  ): unknown {
    const argv: unknown[] = [];
    if (cmd) for (let i = 1; i < cmd.args.length; i++) argv.push(this.evalArg(s, dot, 'any', cmd.args[i]));
    if (final !== MISSING) argv.push(final);
    const action: Action = cmd ?? node;
    if (argv.length < f.length) {
      this.fail(s, node, `wrong number of args for ${name}: want ${f.length} got ${argv.length}`, ErrorCodes.args, action);
    }
    this.setLoc(s, node);
    this.countSteps(1);
    try {
      return f.apply(receiver, plain ? argv.map(toPlainJS) : argv);
    } catch (e) {
      return this.wrapCallError(s, node, name, e, action);
    }
  }

  private setLoc(s: State, node: { act: number; pos: number }): void {
    this.cur = s;
    this.curAct = node.act;
    this.curPos = node.pos;
  }

  private evalFunction(s: State, dot: unknown, ident: IdentifierNode, cmd: CommandNode | null, final: Final): unknown {
    const def = this.opts.funcs.get(ident.name);
    if (!def) return this.fail(s, ident, `${JSON.stringify(ident.name)} is not a defined function`, ErrorCodes.unknownFunction);
    return this.evalCall(s, dot, def, ident, ident.name, cmd, final);
  }

  private evalCall(s: State, dot: unknown, def: FuncDef, node: IdentifierNode, name: string, cmd: CommandNode | null, final: Final): unknown {
    const args = cmd ? cmd.args : null;
    const nArgs = args ? args.length - 1 : 0;
    const numIn = nArgs + (final !== MISSING ? 1 : 0);
    const fixed = def.params.length;
    const action: Action = cmd ?? name;
    if (def.variadic !== undefined) {
      if (numIn < fixed) this.fail(s, node, `wrong number of args for ${name}: want at least ${fixed} got ${numIn}`, ErrorCodes.args, action);
    } else if (numIn !== fixed) {
      this.fail(s, node, `wrong number of args for ${name}: want ${fixed} got ${numIn}`, ErrorCodes.args, action);
    }
    if (def.special !== undefined && args) {
      const wantTrue = def.special === 'or';
      let v: unknown = undefined;
      for (let i = 1; i < args.length; i++) {
        v = this.evalArg(s, dot, 'value', args[i]);
        if (truth(v) === wantTrue) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    if (def.special !== undefined) return final === MISSING ? undefined : final;
    const argv = new Array<unknown>(numIn);
    for (let i = 0; i < nArgs; i++) {
      const t = i < fixed ? def.params[i] : (def.variadic as ParamType);
      argv[i] = this.evalArg(s, dot, t, (args as ArgNode[])[i + 1]);
    }
    if (final !== MISSING) {
      const t = nArgs < fixed ? def.params[nArgs] : (def.variadic as ParamType);
      argv[nArgs] = this.validateType(s, node, final, t, action);
    }
    this.setLoc(s, node);
    this.countSteps(1);
    try {
      return def.call(argv, this);
    } catch (e) {
      return this.wrapCallError(s, node, name, e, action);
    }
  }

  private evalArg(s: State, dot: unknown, t: ParamType, n: ArgNode): unknown {
    switch (n.type) {
      case 'dot':
        return this.validateType(s, n, dot, t);
      case 'nil':
        if (t === 'any' || t === 'value' || t === 'map') return t === 'value' ? undefined : null;
        return this.fail(s, n, `cannot assign nil to ${paramTypeName(t)}`, ErrorCodes.type);
      case 'field':
        return this.validateType(s, n, this.evalFieldChain(s, dot, dot, n, n.idents, 0, null, MISSING, true), t);
      case 'variable':
        return this.validateType(s, n, this.evalVariable(s, dot, n, null, MISSING, true), t);
      case 'pipe':
        return this.validateType(s, n, this.evalPipeline(s, dot, n), t);
      case 'identifier': {
        const def = this.opts.funcs.get(n.name);
        if (!def) return this.fail(s, n, `${JSON.stringify(n.name)} is not a defined function`, ErrorCodes.unknownFunction);
        return this.validateType(s, n, this.evalCall(s, dot, def, n, n.name, null, MISSING), t);
      }
      case 'chain':
        return this.validateType(s, n, this.evalChain(s, dot, n, null, MISSING, true), t);
      default:
        break;
    }
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.fail(s, n, `expected bool; found ${argString(n)}`, ErrorCodes.type);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.int;
        return this.fail(s, n, `expected integer; found ${argString(n)}`, ErrorCodes.type);
      case 'float':
        if (n.type === 'number' && n.isFloat) return n.float;
        return this.fail(s, n, `expected float; found ${argString(n)}`, ErrorCodes.type);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.fail(s, n, `expected string; found ${argString(n)}`, ErrorCodes.type);
      case 'map':
        return this.fail(s, n, `can't handle ${argString(n)} for arg of type ${paramTypeName(t)}`, ErrorCodes.type);
      default:
        switch (n.type) {
          case 'bool':
            return n.value;
          case 'number':
            return n.ideal;
          case 'string':
            return n.text;
        }
    }
  }

  private validateType(s: State, node: { act: number; pos: number }, value: unknown, t: ParamType, action?: Action): unknown {
    switch (t) {
      case 'value':
      case 'any':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        break;
      case 'int':
        if (isInt(value)) return value;
        break;
      case 'float':
        if (isFloat(value)) return numberOf(value as number | GoFloat);
        break;
      case 'bool':
        if (typeof value === 'boolean') return value;
        break;
      case 'map':
        if (isNil(value)) return null;
        // Go's reflect assignability: a map[interface{}]interface{} is not a map[string]interface{}.
        if (isStringMap(value)) return value;
        break;
    }
    if (isNil(value)) return this.fail(s, node, `invalid value; expected ${paramTypeName(t)}`, ErrorCodes.type, action);
    return this.fail(s, node, `wrong type for value; expected ${paramTypeName(t)}; got ${typeName(value)}`, ErrorCodes.type, action);
  }
}
