/**
 * Parser for Go text/template, following the structure and checks of Go's text/template/parse:
 * unknown functions and undefined variables are parse errors, break/continue must be inside a
 * range, `else if`/`else with` chains are nested ifs/withs, and defines/blocks become separate
 * trees in the shared template set.
 */
import {
  argString,
  isEmptyTree,
  type ArgNode,
  type BranchNode,
  type CommandNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type StringNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './ast';
import { ErrorCodes, TemplateError } from './errors';
import { lex, type TokKind, type Token } from './lexer';
import { parseGoFloat, parseGoInt, unquoteChar, unquoteString } from './literals';
import { errorAt, type SourceFile } from './source';
import { makeFloat } from './values';

interface EndMarker {
  type: 'end';
  pos: number;
  act: number;
}

interface ElseMarker {
  type: 'else';
  pos: number;
  act: number;
}

type Marker = EndMarker | ElseMarker;

type Item = Node | Marker;

const KEYWORD_KINDS = new Set<TokKind>([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'EOF';
  if (t.kind === 'error') return t.val;
  if (KEYWORD_KINDS.has(t.kind)) return `<${t.val}>`;
  const chars = Array.from(t.val);
  if (chars.length > 10) return JSON.stringify(chars.slice(0, 10).join('')) + '...';
  return JSON.stringify(t.val);
}

function markerName(m: Marker): string {
  return m.type === 'end' ? '{{end}}' : '{{else}}';
}

export function parseNumber(text: string, isChar: boolean): Omit<NumberNode, 'pos' | 'act' | 'type'> {
  if (isChar) {
    const r = unquoteChar(text);
    return { text, isInt: true, isFloat: true, int: r, float: r, ideal: r };
  }
  if (/i$/.test(text)) throw new Error(`complex numbers are not supported: ${JSON.stringify(text)}`);
  let isInt = false;
  let isFloat = false;
  let int = 0;
  let float = 0;
  const i = parseGoInt(text);
  if (i !== null) {
    isInt = true;
    int = i;
    isFloat = true;
    float = i;
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${JSON.stringify(text)}`);
      isFloat = true;
      float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        isInt = true;
        int = f;
      }
    }
  }
  if (!isInt && !isFloat) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  const hexInt = /^[+-]?0[xX]/.test(text) && !/[pP]/.test(text);
  const floatSyntax = isFloat && !hexInt && /[.eEpP]/.test(text);
  return { text, isInt, isFloat, int, float, ideal: floatSyntax ? makeFloat(float) : int };
}

export class Parser {
  private toks: Token[] = [];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private act = 0;
  private open: { context: string; act: number }[] = [];
  private trees = new Map<string, Tree>();

  constructor(
    private readonly src: SourceFile,
    private readonly hasFunc: (name: string) => boolean,
  ) {}

  /** Parses the source; the first tree is the top-level one named after the source. */
  parse(): Tree[] {
    this.toks = lex(this.src.text);
    this.i = 0;
    const root: ListNode = { type: 'list', pos: 0, act: 0, nodes: [] };
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'leftDelim') {
        const save = this.i;
        this.next();
        if (this.nextNonSpace().kind === 'define') {
          this.act = t.pos;
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.fail(`unexpected ${markerName(n)}`, n.pos);
      else root.nodes.push(n);
    }
    const top: Tree = { name: this.src.name, root, src: this.src };
    const out = [top];
    for (const t of this.trees.values()) out.push(t);
    return out;
  }

  // --- token helpers -------------------------------------------------------------------------

  private tokenAt(k: number): Token {
    return k < this.toks.length ? this.toks[k] : this.toks[this.toks.length - 1];
  }

  private next(): Token {
    return this.tokenAt(this.i++);
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    return this.tokenAt(this.i);
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private fail(message: string, node?: number, code: string = ErrorCodes.syntax): never {
    throw errorAt(this.src, this.act, node, message, code);
  }

  private unexpected(t: Token, context: string): never {
    if (t.kind === 'error') {
      // "unclosed action" and friends are about the whole action: report at its `{{`.
      if (t.val === 'unclosed action' || t.val === 'unclosed comment' || t.val === 'comment ends before closing delimiter') {
        this.act = t.pos;
      }
      this.fail(t.val, t.pos);
    }
    if (t.kind === 'eof' && this.open.length > 0) this.failUnclosed();
    this.fail(`unexpected ${describeToken(t)} in ${context}`, t.pos);
  }

  private failUnclosed(): never {
    const o = this.open[this.open.length - 1];
    this.act = o.act;
    this.fail(`unexpected EOF: {{${o.context}}} has no matching {{end}}`, o.act);
  }

  private expect(kind: TokKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }

  // --- structure ------------------------------------------------------------------------------

  private addTree(name: string, root: ListNode, at: number): void {
    // Within one file Go rejects two non-empty definitions; an empty one never replaces content.
    const existing = this.trees.get(name);
    if (existing && !isEmptyTree(existing.root)) {
      if (isEmptyTree(root)) return;
      this.fail(`template: multiple definition of template ${JSON.stringify(name)}`, at);
    }
    this.trees.set(name, { name, root, src: this.src });
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== 'string' && nameTok.kind !== 'rawString') this.unexpected(nameTok, context);
    const name = this.unquote(nameTok);
    this.expect('rightDelim', context);
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    this.open.push({ context: 'define', act: this.act });
    const defineAct = this.act;
    const [list, end] = this.itemList();
    if (end.type !== 'end') this.fail(`unexpected ${markerName(end)} in ${context}`, end.pos);
    this.open.pop();
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    this.addTree(name, list, defineAct);
  }

  private itemList(): [ListNode, Marker] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, act: this.act, nodes: [] };
    while (this.peekNonSpace().kind !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.failUnclosed();
  }

  private textOrAction(): Item {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case 'text':
        return { type: 'text', pos: t.pos, act: this.act, text: t.val };
      case 'leftDelim':
        this.act = t.pos;
        return this.action();
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Item {
    const t = this.nextNonSpace();
    switch (t.kind) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.loopControl(t);
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos, act: this.act };
      case 'if':
      case 'range':
      case 'with':
        return this.control(t.kind);
      case 'template':
        return this.templateControl();
      default:
        break;
    }
    this.backup();
    const pipe = this.pipeline('command', 'rightDelim');
    return { type: 'action', pos: t.pos, act: this.act, pipe };
  }

  private control(context: 'if' | 'range' | 'with'): BranchNode {
    const act = this.act;
    const savedVars = this.vars.length;
    this.open.push({ context, act });
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    let [list, next] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (next.type === 'else') {
      const pk = this.peek();
      if ((context === 'if' && pk.kind === 'if') || (context === 'with' && pk.kind === 'with')) {
        // "{{else if x}}" is "{{else}}{{if x}}...{{end}}" with the inner end shared with ours.
        this.next();
        this.open.pop();
        elseList = { type: 'list', pos: next.pos, act: this.act, nodes: [this.control(context)] };
        this.vars.length = savedVars;
        return { type: context, pos: pipe.pos, act, pipe, list, elseList };
      }
      [elseList, next] = this.itemList();
      if (next.type !== 'end') this.fail(`expected end; found ${markerName(next)}`, next.pos);
    }
    this.open.pop();
    this.vars.length = savedVars;
    return { type: context, pos: pipe.pos, act, pipe, list, elseList };
  }

  private elseControl(): Marker {
    const pk = this.peekNonSpace();
    if (pk.kind === 'if' || pk.kind === 'with') return { type: 'else', pos: pk.pos, act: this.act };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos, act: this.act };
  }

  private loopControl(t: Token): Node {
    const kind = t.kind === 'break' ? 'break' : 'continue';
    const close = this.nextNonSpace();
    if (close.kind !== 'rightDelim') this.unexpected(close, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${kind}}} outside {{range}}`, t.pos);
    return { type: kind, pos: t.pos, act: this.act };
  }

  private templateName(t: Token, context: string): string {
    if (t.kind !== 'string' && t.kind !== 'rawString') this.unexpected(t, context);
    return this.unquote(t);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().kind !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, act: this.act, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const act = this.act;
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    this.open.push({ context: 'block', act });
    const [list, end] = this.itemList();
    if (end.type !== 'end') this.fail(`unexpected ${markerName(end)} in ${context}`, end.pos);
    this.open.pop();
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    this.addTree(name, list, act);
    return { type: 'template', pos: t.pos, act, name, pipe };
  }

  // --- pipelines ------------------------------------------------------------------------------

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, act: this.act, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== 'variable') break;
      const save = this.i;
      this.next();
      const nxt = this.peekNonSpace();
      if (nxt.kind === 'assign' || nxt.kind === 'declare') {
        pipe.isAssign = nxt.kind === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.variable(v));
        this.vars.push(v.val);
        break;
      }
      if (nxt.kind === 'char' && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.variable(v));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const pk = this.peekNonSpace();
          if (pk.kind === 'variable' || pk.kind === 'rightDelim' || pk.kind === 'rightParen') continue decls;
          this.fail('range can only initialize variables', pk.pos);
        }
        this.fail(`too many declarations in ${context}`, nxt.pos);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.kind) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, pipe.pos);
    for (let k = 1; k < pipe.cmds.length; k++) {
      const first = pipe.cmds[k].args[0];
      switch (first.type) {
        case 'bool':
        case 'dot':
        case 'nil':
        case 'number':
        case 'string':
          this.fail(`non executable command in pipeline stage ${k + 1}`, first.pos);
        // falls through: fail never returns
        default:
          break;
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, act: this.act, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') this.backup();
      else if (t.kind !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command', cmd.pos);
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().kind !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().kind === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, act: node.act, idents: [...node.idents, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, act: node.act, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${JSON.stringify(argString(node))}`, pos);
      // falls through: fail never returns
      default:
        return { type: 'chain', pos: node.pos, act: node.act, node, fields };
    }
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    const base = { pos: t.pos, act: this.act };
    switch (t.kind) {
      case 'identifier':
        if (!this.hasFunc(t.val)) {
          this.fail(`function ${JSON.stringify(t.val)} not defined`, t.pos, ErrorCodes.unknownFunction);
        }
        return { type: 'identifier', ...base, name: t.val };
      case 'dot':
        return { type: 'dot', ...base };
      case 'nil':
        return { type: 'nil', ...base };
      case 'variable':
        return this.useVar(t);
      case 'field':
        return { type: 'field', ...base, idents: [t.val.slice(1)] };
      case 'bool':
        return { type: 'bool', ...base, value: t.val === 'true' };
      case 'charConstant':
      case 'number':
        try {
          return { type: 'number', ...base, ...parseNumber(t.val, t.kind === 'charConstant') };
        } catch (e) {
          this.fail(e instanceof Error ? e.message : String(e), t.pos);
        }
      // falls through: fail never returns
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { type: 'string', ...base, quoted: t.val, text: this.unquote(t) } satisfies StringNode;
      default:
        this.backup();
        return null;
    }
  }

  private variable(t: Token): VariableNode {
    return { type: 'variable', pos: t.pos, act: this.act, idents: [t.val] };
  }

  private useVar(t: Token): VariableNode {
    if (!this.vars.includes(t.val)) {
      this.fail(`undefined variable ${JSON.stringify(t.val)}`, t.pos, ErrorCodes.undefinedVariable);
    }
    return this.variable(t);
  }

  private unquote(t: Token): string {
    try {
      return unquoteString(t.val);
    } catch {
      this.fail(`invalid syntax in string literal ${t.val}`, t.pos);
    }
  }
}

/** Parses one source into trees; throws TemplateError on the first syntax error. */
export function parseSource(src: SourceFile, hasFunc: (name: string) => boolean): Tree[] {
  try {
    return new Parser(src, hasFunc).parse();
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw errorAt(src, 0, undefined, e instanceof Error ? e.message : String(e), ErrorCodes.syntax);
  }
}
