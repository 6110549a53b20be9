import type { GoFloat } from './values';
import type { SourceFile } from './source';

/**
 * Template syntax tree. Every node keeps `pos` (offset of the node in its source text) and `act`
 * (offset of the `{{` of the action it belongs to), which is what errors are reported against.
 */
interface Base {
  pos: number;
  act: number;
}

export interface FieldNode extends Base {
  type: 'field';
  idents: string[];
}
export interface ChainNode extends Base {
  type: 'chain';
  node: ArgNode;
  fields: string[];
}
export interface IdentifierNode extends Base {
  type: 'identifier';
  name: string;
}
export interface VariableNode extends Base {
  type: 'variable';
  /** idents[0] is the variable name including `$`; the rest are field names. */
  idents: string[];
}
export interface DotNode extends Base {
  type: 'dot';
}
export interface NilNode extends Base {
  type: 'nil';
}
export interface BoolNode extends Base {
  type: 'bool';
  value: boolean;
}
export interface NumberNode extends Base {
  type: 'number';
  text: string;
  isInt: boolean;
  isFloat: boolean;
  int: number;
  float: number;
  /** Value when no parameter type guides the conversion (Go's "ideal constant" rules). */
  ideal: number | GoFloat;
}
export interface StringNode extends Base {
  type: 'string';
  quoted: string;
  text: string;
}
export interface PipeNode extends Base {
  type: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  type: 'command';
  args: ArgNode[];
}

export type ArgNode =
  | FieldNode
  | ChainNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;

export interface TextNode extends Base {
  type: 'text';
  text: string;
}
export interface ActionNode extends Base {
  type: 'action';
  pipe: PipeNode;
}
export interface BranchNode extends Base {
  type: 'if' | 'with' | 'range';
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode extends Base {
  type: 'template';
  name: string;
  pipe: PipeNode | null;
}
export interface LoopControlNode extends Base {
  type: 'break' | 'continue';
}
export interface ListNode extends Base {
  type: 'list';
  nodes: Node[];
}

export type Node = TextNode | ActionNode | BranchNode | TemplateNode | LoopControlNode | ListNode;

export interface Tree {
  name: string;
  root: ListNode;
  src: SourceFile;
}

/** Go's definition of a template with no content: only whitespace text (defines do not count). */
export function isEmptyTree(n: Node): boolean {
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '';
    default:
      return false;
  }
}

/** Renders an argument node back to template syntax, as Go does in its error messages. */
export function argString(n: ArgNode): string {
  switch (n.type) {
    case 'field':
      return '.' + n.idents.join('.');
    case 'variable':
      return n.idents.join('.');
    case 'chain':
      return (n.node.type === 'pipe' ? `(${argString(n.node)})` : argString(n.node)) + '.' + n.fields.join('.');
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'pipe':
      return pipeString(n);
  }
}

export function commandString(c: CommandNode): string {
  return c.args.map((a) => (a.type === 'pipe' ? `(${argString(a)})` : argString(a))).join(' ');
}

export function pipeString(p: PipeNode): string {
  let s = '';
  if (p.decl.length > 0) s = p.decl.map((d) => d.idents[0]).join(', ') + (p.isAssign ? ' = ' : ' := ');
  return s + p.cmds.map(commandString).join(' | ');
}
