import type { Problem } from '../problems';
import { fastParse } from './fast-yaml';
import { validateImages } from './graph';
import { readImageDocument, type ReadImage } from './images';
import { readWithYamlLib, type ReadFailure } from './lib-yaml';
import { entryOf, toPlain } from './lnode';
import type { LMap, LNode } from './lnode';
import { readConfigVersion, readMeta, suggestProjectName } from './meta';
import { clip, Ctx, describe } from './reader';
import {
  contentLineSpan,
  documentText,
  findDocuments,
  firstYamlDocumentEnd,
  hasContentAfterMarker,
  splitLines,
  yamlDocumentMarker,
} from './split';
import type { RawDocument, SourceLines } from './split';
import type { DocumentKind, ParseOptions, WerfConfig, WerfDialect, WerfDocument, WerfMeta } from './types';
import { CURRENT_WERF_VERSION, werfRules, type WerfVersion } from './werf-version';
import { werfListOrder } from './list-order';

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
/**
 * Documents the fast reader declines go to the `yaml` library, which needs seconds for megabytes.
 * No real werf.yaml has a single image section this large.
 */
const MAX_LIBRARY_DOCUMENT_BYTES = 512 * 1024;
/** Upper bound on nodes copied into `raw`; alias-heavy documents could otherwise expand. */
const RAW_NODE_BUDGET = 1_000_000;

export interface ParseResult {
  config: WerfConfig;
  problems: Problem[];
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MiB`;
}

/** UTF-8 size without encoding the whole text; stops early once the answer is known. */
function utf8SizeOver(text: string, limit: number): number | null {
  if (text.length * 3 <= limit) return null;
  if (text.length > limit) return exactUtf8Size(text);
  const size = exactUtf8Size(text);
  return size > limit ? size : null;
}

function exactUtf8Size(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      size += 4;
      i++;
    } else size += 3;
  }
  return size;
}

function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

function versionOf(opts: ParseOptions): WerfVersion {
  if (opts.werfVersion) return opts.werfVersion;
  return opts.configVersionHint === 1 ? '1.1' : CURRENT_WERF_VERSION;
}

function dialectOf(version: WerfVersion): WerfDialect {
  return version === '1.1' ? 'v1.1' : 'v2';
}

/**
 * Warns about a line inside a werf piece that YAML reads as a document marker: yaml.v2 keeps only
 * the first document, so werf drops everything from that line to the next real separator without a
 * word. `cut` is the marker line, `raw` the whole piece.
 */
function warnIgnoredRest(ctx: Ctx, src: SourceLines, raw: RawDocument, cut: number): void {
  if (cut >= raw.end || !hasContentAfterMarker(src.lines, cut, raw.end)) return;
  const line = src.lines[cut].replace(/\r$/, '');
  const lastLine = contentLineSpan(src, { ...raw, begin: cut }).endLine;
  const range = lastLine > cut + 1 ? `lines ${cut + 1}–${lastLine}` : `line ${cut + 1}`;
  let message: string;
  let hint: string;
  if (yamlDocumentMarker(line) === '...') {
    message = `\`...\` ends the YAML document, so werf silently ignores everything from here to the next separator (${range})`;
    hint = 'Remove the `...` line, or replace it with `---` to start a new section.';
  } else {
    const hash = line.indexOf('#');
    const dashInComment = hash >= 0 && line.indexOf('-', hash) >= 0 && line.slice(3, hash).trim() === '';
    const why = dashInComment ? 'its comment contains a `-`' : 'text follows the `---`';
    message =
      `\`${clip(line)}\` is not a separator for werf (${why}); YAML reads it as the start of a second document, ` +
      `so werf silently ignores everything from here to the next separator (${range})`;
    hint = dashInComment
      ? `Remove the \`-\` from the comment (\`${clip(`${line.slice(0, hash)}${line.slice(hash).replace(/-/g, ' ')}`)}\`) or put the comment on its own line below \`---\`.`
      : 'Put `---` on a line of its own; a comment after it must start with `#` and contain no `-`.';
  }
  ctx.warn('separator-ignored', message, hint, { line: cut + 1, col: 1 });
}

interface ParsedDoc {
  index: number;
  kind: DocumentKind;
  root: LMap | null;
  span: { startLine: number; endLine: number };
  mentionsConfigVersion: boolean;
}

export function parseWerfConfig(text: string, opts: ParseOptions): ParseResult {
  const problems: Problem[] = [];
  const file = opts.file;
  try {
    return parseInner(typeof text === 'string' ? text : String(text), opts, problems);
  } catch (e) {
    problems.push({
      severity: 'error',
      code: 'internal-error',
      message: `${file} could not be checked: ${e instanceof Error ? e.message : String(e)}`,
      hint: 'This is a bug in Stowage; please report it together with the file.',
      location: { file, line: 1, column: 1 },
    });
    const werfVersion = versionOf(opts);
    return { config: { meta: null, images: [], documents: [], dialect: dialectOf(werfVersion), werfVersion, werfOrder: [] }, problems };
  }
}

function parseInner(input: string, opts: ParseOptions, problems: Problem[]): ParseResult {
  const file = opts.file;
  const werfVersion = versionOf(opts);
  const ctx = new Ctx(file, problems, werfRules(werfVersion));
  const emptyConfig = (): WerfConfig => ({ meta: null, images: [], documents: [], dialect: dialectOf(werfVersion), werfVersion, werfOrder: [] });
  const fileProblem = (code: Problem['code'], message: string, hint: string, line = 1, column = 1): ParseResult => {
    problems.push({ severity: 'error', code, message, hint, location: { file, line, column } });
    return { config: emptyConfig(), problems };
  };

  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = utf8SizeOver(input, maxBytes);
  if (size !== null) {
    return fileProblem(
      'file-too-large',
      `${file} is ${formatSize(size)}, over the ${formatSize(maxBytes)} limit`,
      'A werf.yaml is normally a few KiB; check that this is the right file.',
    );
  }
  const nul = input.indexOf('\0');
  if (nul >= 0) {
    const p = positionOf(input, nul);
    return fileProblem('binary-file', `${file} looks like a binary file (it contains NUL bytes)`, 'Open the text werf.yaml of the project; werf reads it as UTF-8 text.', p.line, p.column);
  }
  const bad = input.indexOf('\ufffd');
  if (bad >= 0) {
    const p = positionOf(input, bad);
    return fileProblem('invalid-text', `${file} is not valid UTF-8 text`, 'Save the file as UTF-8 (werf cannot read other encodings).', p.line, p.column);
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;

  const src = splitLines(text);
  const raws = findDocuments(src);
  if (raws.length === 0) {
    return fileProblem(
      'empty-config',
      `${file} is empty`,
      `Start with the meta section:\nconfigVersion: 1\nproject: ${suggestProjectName(opts.projectDirName)}`,
    );
  }

  // Pass 1: read every document into a located tree and classify it.
  let broken = false;
  const docs: ParsedDoc[] = raws.map((piece) => {
    // yaml.v2 reads only the first YAML document of each piece werf cut out; see split.ts.
    const cut = firstYamlDocumentEnd(src.lines, piece.begin, piece.end);
    warnIgnoredRest(ctx, src, piece, cut);
    // A piece that starts with `...` still needs one line for its (empty) document's position.
    const raw: RawDocument = cut < piece.end ? { ...piece, end: Math.max(cut, piece.begin + 1) } : piece;
    const span = contentLineSpan(src, raw);
    const base: ParsedDoc = { index: raw.index, kind: 'unknown', root: null, span, mentionsConfigVersion: false };
    let root: LNode | null = fastParse(src.lines, raw.begin, raw.end);
    let failure: ReadFailure | null = null;
    if (!root) {
      const docText = documentText(src, raw);
      base.mentionsConfigVersion = docText.includes('configVersion');
      if (docText.length > MAX_LIBRARY_DOCUMENT_BYTES) {
        failure = {
          code: 'yaml-too-complex',
          message: `document ${raw.index + 1} is ${formatSize(docText.length)} and needs the full YAML reader (anchors, tags, multi-line values or deep nesting), which is too slow at this size`,
          hint: 'Split the section or write it as plain block YAML.',
          line: span.startLine,
          col: 1,
        };
      } else {
        const r = readWithYamlLib(docText, raw.begin + 1);
        if (r.ok) root = r.root;
        else failure = r.failure;
      }
    }
    if (failure) {
      ctx.error(failure.code, failure.message, failure.hint, failure);
      broken = true;
      return base;
    }
    if (!root || root.t !== 'm') {
      const at = root ?? { line: span.startLine, col: 1 };
      ctx.error(
        'doc-not-map',
        `a config section must be a map of \`key: value\` pairs, got ${root ? describe(root) : 'nothing'}`,
        'Each document between `---` lines is the meta section or one image: `key: value` lines at the same indentation.',
        at,
      );
      broken = true;
      return base;
    }
    base.root = root;
    if (entryOf(root, 'configVersion')) base.kind = 'meta';
    else if (entryOf(root, 'dockerfile')) base.kind = 'dockerfile';
    else if (entryOf(root, 'image')) base.kind = 'stapel';
    else if (entryOf(root, 'artifact')) base.kind = 'artifact';
    else {
      ctx.error(
        'unknown-doc-type',
        "cannot recognize type of config section: 'configVersion' required for the meta section, 'image' for an image, 'artifact' for an artifact",
        'Add `image: NAME` (with `dockerfile:` for a Dockerfile image, or `from:` for Stapel), or `configVersion: 1` for the meta section.',
        root.entries[0] ?? root,
      );
      broken = true;
    }
    return base;
  });

  // Pass 2: the meta section decides the dialect for everything else.
  const metaDocs = docs.filter((d) => d.kind === 'meta');
  const metaDoc = metaDocs[0];
  const dialect = dialectOf(werfVersion);
  let meta: WerfMeta | null = null;
  if (metaDoc?.root) {
    ctx.image = undefined;
    const fields = readMeta(ctx, metaDoc.root, dialect, opts.projectDirName);
    const cv = entryOf(metaDoc.root, 'configVersion')!;
    if (fields.project !== null) {
      const rawCv = readConfigVersion(metaDoc.root);
      meta = {
        project: fields.project,
        configVersion: fields.configVersion ?? rawCv ?? 0,
        document: metaDoc.index,
        source: ctx.loc(cv),
        fields: Object.fromEntries(metaDoc.root.entries.filter((e) => e.key !== '__proto__').map((e) => [e.key, ctx.loc(e)])),
        raw: toPlain(metaDoc.root, { left: RAW_NODE_BUDGET }) as Record<string, unknown>,
      };
      if (fields.deploy) meta.deploy = fields.deploy;
      if (fields.cleanup) meta.cleanup = fields.cleanup;
      if (fields.build) meta.build = fields.build;
      if (fields.gitWorktree) meta.gitWorktree = fields.gitWorktree;
    }
    for (const dup of metaDocs.slice(1)) {
      const at = dup.root ? entryOf(dup.root, 'configVersion') ?? dup.root : { line: dup.span.startLine, col: 1 };
      ctx.error(
        'meta-duplicate',
        'duplicate meta config section definition',
        `The meta section is already defined at ${ctx.loc(cv).file}:${cv.line}; keep only one.`,
        at,
      );
    }
  } else if (!docs.some((d) => d.mentionsConfigVersion)) {
    ctx.image = undefined;
    const first = docs[0];
    ctx.error(
      'meta-missing',
      'meta config section (configVersion: 1) required',
      `Add the meta section as the first document:\nconfigVersion: 1\nproject: ${suggestProjectName(opts.projectDirName)}\n---`,
      first.root?.entries[0] ?? { line: first.span.startLine, col: 1 },
    );
  }

  // Pass 3: images, then the checks across images.
  const read: ReadImage[] = [];
  for (const d of docs) {
    if (!d.root || d.kind === 'meta' || d.kind === 'unknown') continue;
    const raw = toPlain(d.root, { left: RAW_NODE_BUDGET }) as Record<string, unknown>;
    read.push(...readImageDocument(ctx, { doc: d.root, index: d.index, raw }, d.kind === 'dockerfile', dialect));
  }
  validateImages(ctx, read, { dialect, referencesReliable: !broken });

  // File order reads best in a list and keeps the output stable whatever order the checks run in.
  problems.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  const documents: WerfDocument[] = docs.map((d) => ({ index: d.index, startLine: d.span.startLine, endLine: d.span.endLine, kind: d.kind }));
  const images = read.map((r) => r.image);
  return { config: { meta, images, documents, dialect, werfVersion, werfOrder: werfListOrder(images) }, problems };
}
