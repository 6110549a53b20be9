import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../atomic-file';

/**
 * What the inventory needs from an image config blob. Configs are immutable (content-addressed),
 * so an entry never goes stale; only the extraction rules can change, hence the version in the
 * file name.
 */
export interface ConfigFacts {
  created?: string;
  labels?: Record<string, string>;
}

const FILE = 'image-configs-v1.ndjson';
/** One line is a small extract (labels are capped); anything longer was not written by us. */
const MAX_LINE = 64 * 1024;
const WRITE_CHUNK = 64 * 1024;
const SHA256 = /^sha256:[0-9a-f]{64}$/;

interface Line {
  d: string;
  c?: string;
  l?: Record<string, string>;
}

/**
 * The on-disk cache of config extracts, keyed by config digest: one JSON object per line in
 * `<cacheDir>/image-configs-v1.ndjson`, read once per run into memory, so a lookup costs no I/O
 * (a file per config cost a few milliseconds of thread-pool latency each, per tag).
 * - Appends are whole lines written with O_APPEND in chunks of whole lines; a line torn by a
 *   crash (or by two processes appending at once) fails to parse and is skipped on load.
 * - Over the size cap the file is rewritten, most recently used entries kept, to a temp file that
 *   is renamed over the old one, so readers see either file whole.
 * - Only sha256 keys are stored: the engine checks the blob's bytes against the digest before
 *   `put`, so a key is always the hash of what its facts were read from.
 * Failures never fail a listing: a broken cache only means more requests.
 */
export class ConfigCache {
  readonly path: string;
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, ConfigFacts>();
  #pending: string[] = [];
  #pendingBytes = 0;
  #fileBytes = 0;
  #loaded: Promise<void> | null = null;
  #writing: Promise<void> = Promise.resolve();
  #disabled = false;
  /** The first problem seen, for one warning. */
  problem: string | null = null;

  constructor(cacheDir: string, opts: { maxBytes?: number } = {}) {
    this.#dir = cacheDir;
    this.path = join(cacheDir, FILE);
    this.#maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reads the file once; later calls share the first read. */
  load(): Promise<void> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      const s = await stat(this.path);
      // A file far over the cap is not ours to parse (or long overdue for compaction): start over.
      if (s.size > this.#maxBytes * 4) {
        this.#fileBytes = s.size;
        return;
      }
      text = await readFile(this.path, 'utf8');
    } catch {
      return;
    }
    this.#fileBytes = Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (line === '' || line.length > MAX_LINE) continue;
      const entry = parseLine(line);
      if (!entry) continue;
      // Later lines win, and move to the recent end.
      this.#entries.delete(entry.d);
      this.#entries.set(entry.d, entry.facts);
    }
  }

  get(digest: string): ConfigFacts | null {
    const hit = this.#entries.get(digest);
    if (!hit) return null;
    // Most recently used last: compaction keeps the tail.
    this.#entries.delete(digest);
    this.#entries.set(digest, hit);
    return hit;
  }

  put(digest: string, facts: ConfigFacts): void {
    if (!SHA256.test(digest) || this.#disabled) return;
    const text = lineOf(digest, facts);
    if (text.length > MAX_LINE) return;
    this.#entries.delete(digest);
    this.#entries.set(digest, facts);
    this.#pending.push(text);
    this.#pendingBytes += text.length + 1;
    if (this.#pendingBytes >= WRITE_CHUNK) void this.flush();
  }

  /** Appends what was put since the last flush, then compacts when over the cap. */
  flush(): Promise<void> {
    const lines = this.#pending;
    if (lines.length > 0) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#writing = this.#writing.then(() => this.#append(lines)).catch((error: unknown) => this.#fail(error));
    }
    return this.#writing;
  }

  async #append(lines: string[]): Promise<void> {
    if (this.#disabled) return;
    await mkdir(this.#dir, { recursive: true });
    const handle = await open(this.path, 'a', 0o600);
    try {
      let chunk = '';
      for (const line of lines) {
        if (chunk.length + line.length + 1 > WRITE_CHUNK && chunk !== '') {
          await handle.write(chunk);
          this.#fileBytes += Buffer.byteLength(chunk);
          chunk = '';
        }
        chunk += `${line}\n`;
      }
      if (chunk !== '') {
        await handle.write(chunk);
        this.#fileBytes += Buffer.byteLength(chunk);
      }
    } finally {
      await handle.close();
    }
    if (this.#fileBytes > this.#maxBytes) await this.#compact();
  }

  /** Rewrites the file with the most recently used entries, down to three quarters of the cap. */
  async #compact(): Promise<void> {
    const keep: string[] = [];
    let bytes = 0;
    const budget = this.#maxBytes * 0.75;
    for (const [d, facts] of [...this.#entries].reverse()) {
      const text = lineOf(d, facts);
      if (bytes + text.length + 1 > budget) break;
      keep.push(text);
      bytes += text.length + 1;
    }
    keep.reverse();
    const body = keep.length > 0 ? `${keep.join('\n')}\n` : '';
    await writeFileAtomically(this.path, body);
    this.#fileBytes = Buffer.byteLength(body);
  }

  #fail(error: unknown): void {
    this.problem ??= `The config cache ${this.path} cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}); configs will be fetched again next time.`;
    this.#disabled = true;
  }
}

function parseLine(line: string): { d: string; facts: ConfigFacts } | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.d !== 'string' || !SHA256.test(o.d)) return null;
  const facts: ConfigFacts = {};
  if (o.c !== undefined) {
    if (typeof o.c !== 'string') return null;
    facts.created = o.c;
  }
  if (o.l !== undefined) {
    if (typeof o.l !== 'object' || o.l === null || Array.isArray(o.l)) return null;
    const labels: Record<string, string> = {};
    for (const [k, val] of Object.entries(o.l)) {
      if (typeof val !== 'string') return null;
      labels[k] = val;
    }
    facts.labels = labels;
  }
  return { d: o.d, facts };
}

/** One cache line as stored: the digest, then only the facts there are. */
function lineOf(digest: string, facts: ConfigFacts): string {
  const line: Line = { d: digest };
  if (facts.created !== undefined) line.c = facts.created;
  if (facts.labels !== undefined) line.l = facts.labels;
  return JSON.stringify(line);
}
