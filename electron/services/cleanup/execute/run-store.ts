import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { CleanupRunReport, RunHistoryEntry } from '../../../../shared/api/cleanup-run';
import { UserError } from '../../../../shared/api/result';
import { parseJournal } from './journal';
import { historyEntryOf, readRecord, reportOf, type RunRecord } from './run-report';

/** Where runs are kept (`<settings>/cleanup-runs/<runId>.jsonl`) and how they are found again. */

export const RUNS_FOLDER = 'cleanup-runs';
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** An audit log bigger than this is not a run Stowage wrote (a million tags is some 500 MiB). */
const MAX_AUDIT_BYTES = 1024 * 1024 * 1024;

export function runsDir(settingsDir: string): string {
  return join(settingsDir, RUNS_FOLDER);
}

/** Sortable by time, unique by its random tail: `20261207T101500Z-3f9a1c2b`. */
export function newRunId(at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export function auditPath(settingsDir: string, runId: string): string {
  return join(runsDir(settingsDir), `${runId}.jsonl`);
}

function notFound(ref: string): UserError {
  return new UserError({ code: 'run-not-found', message: `No cleanup run "${ref}" was found.`, hint: 'Give a run id from the History view (or `stowage cleanup --json` output), or the path of its audit log.' });
}

/**
 * A run id (looked up in the settings folder) or, where `allowPath` (the CLI), the path of an
 * audit file. The app passes only ids: the renderer never names a file to read.
 */
export async function locateRun(settingsDir: string, ref: string, allowPath: boolean): Promise<string> {
  if (RUN_ID.test(ref) && !ref.endsWith('.jsonl')) {
    const path = auditPath(settingsDir, ref);
    if (await isFile(path)) return path;
  }
  if (allowPath) {
    const path = resolve(ref);
    if (await isFile(path)) return path;
  }
  throw notFound(ref);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function readRun(path: string): Promise<RunRecord> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_AUDIT_BYTES) throw new UserError({ code: 'audit-too-big', message: `${path} is larger than any audit log Stowage writes.`, hint: 'Give the audit log of a cleanup run.' });
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw notFound(path);
  }
  const record = readRecord(parseJournal(text));
  if (!record) throw new UserError({ code: 'not-an-audit-log', message: `${basename(path)} is not a cleanup run's audit log (it has no header line).`, hint: 'Give the audit log of a cleanup run.' });
  return record;
}

export async function readRunReport(path: string): Promise<CleanupRunReport> {
  return reportOf(await readRun(path), path);
}

/** Every run in the settings folder, newest first; unreadable files are left out. */
export async function listRuns(settingsDir: string): Promise<RunHistoryEntry[]> {
  const dir = runsDir(settingsDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const entries: RunHistoryEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      entries.push(historyEntryOf(await readRun(path), path));
    } catch {
      // Not ours, or cut short before its header: nothing to show.
    }
  }
  return entries.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}
