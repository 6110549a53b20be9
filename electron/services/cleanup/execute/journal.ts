import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RestoreOutcome, RunOutcome, RunSummary, SkipReason } from '../../../../shared/api/cleanup-run';

/**
 * A run's journal and audit log, one JSON line per event, in `<settings>/cleanup-runs/<runId>.jsonl`:
 * a header (what was to be done), an `intent` line written and flushed to disk BEFORE each delete,
 * an `outcome` line per tag after it (with the manifest bytes a restore needs), `restore` lines
 * when tags are brought back, and a footer with the summary. A run that was killed between an
 * intent and its outcome is reported from these lines as "unknown, check", and a rerun settles it.
 * Nothing secret is ever written: every line is scrubbed of the run's credential before it goes out.
 */

export const JOURNAL_VERSION = 1;

export interface PlannedItem {
  repository: string;
  tag: string;
  digest: string | null;
}

export interface HeaderLine {
  type: 'header';
  version: number;
  runId: string;
  planId: string;
  imagesRepo: string;
  registry: string;
  implementation: string;
  startedAt: string;
  /** The plan's deletes, in order: what the run set out to do. */
  items: PlannedItem[];
}

export interface IntentLine {
  type: 'intent';
  time: string;
  repository: string;
  digest: string;
  tags: string[];
  digestGoes: boolean;
}

export interface OutcomeLine {
  type: 'outcome';
  time: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string | null;
  method: string;
  mediaType: string | null;
  /** The manifest's bytes, base64, read before the delete; null where not read (metered GETs, skips). */
  manifest: string | null;
  outcome: RunOutcome;
  skipReason?: SkipReason;
  detail?: string;
  error?: { code: string; message: string; hint?: string };
  /** Registry-native facts a restore needs (a package version id); never a secret. */
  restore?: Record<string, string>;
}

export interface RestoreLine {
  type: 'restore';
  time: string;
  repository: string;
  tag: string;
  digest: string;
  outcome: RestoreOutcome;
  detail?: string;
}

export interface FooterLine {
  type: 'footer';
  finishedAt: string;
  summary: RunSummary;
  notes: string[];
}

export type JournalLine = HeaderLine | IntentLine | OutcomeLine | RestoreLine | FooterLine;

/** Replaces every known secret (and its base64 form) in a line; the credential never reaches the file. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s.length < 4) continue;
    needles.add(s);
    needles.add(Buffer.from(s, 'utf8').toString('base64'));
    needles.add(JSON.stringify(s).slice(1, -1));
  }
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const n of ordered) if (out.includes(n)) out = out.split(n).join('[redacted]');
    return out;
  };
}

/**
 * Appends lines to one run's file; `durable` lines are on disk (fsync) before the call returns.
 * Lines asked for while a write is under way go out together with one fsync (group commit), so
 * parallel groups do not queue behind each other's disk flushes.
 */
export class JournalWriter {
  readonly path: string;
  readonly #file: FileHandle;
  readonly #scrub: (text: string) => string;
  #pending: { text: string; durable: boolean; done: () => void; failed: (e: unknown) => void }[] = [];
  #flushing: Promise<void> | null = null;

  private constructor(path: string, file: FileHandle, scrub: (text: string) => string) {
    this.path = path;
    this.#file = file;
    this.#scrub = scrub;
  }

  /** Opens (or, for restore lines, reopens) a run's file for appending; private to the user (0600). */
  static async open(path: string, secrets: readonly string[] = []): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const file = await open(path, 'a', 0o600);
    return new JournalWriter(path, file, scrubber(secrets));
  }

  /** Writes one line; with `durable`, returns once it (and every line before it) is on disk. */
  write(line: JournalLine, durable = false): Promise<void> {
    const text = `${this.#scrub(JSON.stringify(line))}\n`;
    const written = new Promise<void>((done, failed) => this.#pending.push({ text, durable, done, failed }));
    this.#flushing ??= this.#flush();
    return written;
  }

  async #flush(): Promise<void> {
    // Lines go out in call order, each batch in one append (and one fsync when any asked for it).
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.#file.appendFile(batch.map((b) => b.text).join(''), 'utf8');
        if (batch.some((b) => b.durable)) await this.#file.datasync();
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.failed(e);
      }
    }
    this.#flushing = null;
  }

  async close(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    await this.#file.datasync().catch(() => undefined);
    await this.#file.close();
  }
}

/**
 * Parses a journal. A line cut short by a crash (the last one) or anything that is not one of our
 * lines is skipped, never trusted.
 */
export function parseJournal(text: string): JournalLine[] {
  const lines: JournalLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      continue;
    }
    if (isLine(value)) lines.push(value);
  }
  return lines;
}

const str = (v: unknown): v is string => typeof v === 'string';

function isLine(v: unknown): v is JournalLine {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'header':
      return str(o.runId) && str(o.planId) && str(o.imagesRepo) && str(o.registry) && str(o.implementation) && str(o.startedAt) && Array.isArray(o.items) && o.items.every(isPlannedItem);
    case 'intent':
      return str(o.repository) && str(o.digest) && Array.isArray(o.tags) && o.tags.every(str);
    case 'outcome':
      return str(o.repository) && str(o.tag) && (o.digest === null || str(o.digest)) && str(o.method) && ['deleted', 'untagged', 'skipped', 'failed'].includes(o.outcome as string);
    case 'restore':
      return str(o.repository) && str(o.tag) && str(o.digest) && (o.outcome === 'restored' || o.outcome === 'failed');
    case 'footer':
      return str(o.finishedAt) && typeof o.summary === 'object' && o.summary !== null;
    default:
      return false;
  }
}

function isPlannedItem(v: unknown): v is PlannedItem {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return str(o.repository) && str(o.tag) && (o.digest === null || str(o.digest));
}
