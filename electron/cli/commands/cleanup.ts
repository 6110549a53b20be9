import { UserError } from '../../../shared/api/result';
import type { CleanupInputsRequest } from '../../../shared/api/cleanup';
import { readFile } from 'node:fs/promises';
import type { CleanupRunReport, RunProgress } from '../../../shared/api/cleanup-run';
import { planDocument, type PlanDocument } from '../../../shared/cleanup/export';
import { defaultSettingsDir } from '../../app/create-app';
import { CleanupRuns } from '../../services/cleanup/execute/service';
import type { CleanupPlan } from '../../../shared/cleanup/types';
import { implementationIds, isImplementationChoice } from '../../../shared/registry/implementation-registry';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import type { RegistryAccess } from '../../services/registry-access';
import { gatherCleanupInputs, makePlan, ProjectInputError, readPolicyFile, type GatherDeps, type PolicyChoice } from '../../services/cleanup/plan-service';
import { parseImagesRepo } from '../../../shared/registry/detect';
import { withTlsOverride, type RegistryTlsOverride } from '../../services/registry-settings';
import { EXIT, requireOne, UsageError, type CommandOutput } from '../output';
import { registryTlsOverride } from '../registry-flags';

const MODES = ['auto', 'multirepo', 'monorepo'] as const;

export interface CleanupCommandDeps {
  access: RegistryAccess;
  signal?: AbortSignal;
  /** Kubeconfig lookup (files, environment) as the kube scan reads it. */
  kube?: GatherDeps['kube'];
  /** For werf's WERF_INSECURE_REGISTRY / WERF_SKIP_TLS_VERIFY_REGISTRY; the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where runs are logged; default the settings folder ($STOWAGE_HOME, else the XDG config folder). */
  settingsDir?: string;
  /** Progress of a run in text mode (the CLI prints it on stderr). */
  onProgress?: (p: RunProgress) => void;
}

/**
 * `stowage cleanup <images-repo> --dry-run`: the plan the Cleanup view shows, headless.
 * `--yes` carries it out (with `--plan FILE`: only when a fresh plan has the reviewed export's id)
 * and prints the run's results; nothing is deleted without one of the two said explicitly.
 */
export async function runCleanup(values: Record<string, unknown>, positionals: string[], deps: CleanupCommandDeps): Promise<CommandOutput> {
  const imagesRepo = requireOne(positionals, 'images repo');
  const dryRun = values['dry-run'] === true;
  const yes = values.yes === true;
  if (dryRun && yes) throw new UsageError('--dry-run and --yes exclude each other');
  if (!dryRun && !yes) {
    throw new UsageError('say what to do: --dry-run to see the plan (nothing is deleted), or --yes to carry it out');
  }
  const reviewed = typeof values.plan === 'string' ? await readPlanFile(values.plan) : null;
  if (reviewed && reviewed.repository !== imagesRepo) {
    throw new UsageError(`the plan in ${String(values.plan)} is for ${reviewed.repository}, not ${imagesRepo}`);
  }
  const implementation = (values.implementation as string | undefined) ?? 'auto';
  if (!isImplementationChoice(implementation)) throw new UsageError(`unknown implementation "${implementation}"; use auto or one of ${implementationIds().join(', ')}`);
  const mode = (values['images-repo-mode'] as string | undefined) ?? 'auto';
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`bad --images-repo-mode '${mode}': only multirepo, monorepo or auto supported`);
  const now = values.now as string | undefined;
  if (now !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(now) || Number.isNaN(Date.parse(now)))) throw new UsageError(`bad --now '${now}': an ISO-8601 time such as 2025-06-01T12:00:00Z`);
  const kubeContext = values['kube-context'] as string | undefined;
  if (kubeContext !== undefined && values['without-kube'] === true) throw new UsageError('--kube-context and --without-kube exclude each other');
  const kube: CleanupInputsRequest['kube'] = values['without-kube'] === true ? { source: 'off' } : kubeContext !== undefined ? { source: 'context', context: kubeContext } : { source: 'all' };

  const policyArg = (values.policy as string | undefined) ?? 'auto';
  let policy: PolicyChoice;
  if (policyArg === 'auto') policy = { kind: 'auto' };
  else if (policyArg === 'werf-git-history') policy = { kind: 'werf-git-history' };
  else if (policyArg === 'werf-tag-strategy') policy = { kind: 'werf-tag-strategy' };
  else {
    try {
      policy = await readPolicyFile(policyArg);
    } catch (e) {
      if (e instanceof UserError) throw new UsageError(`${e.message}${e.hint ? `\n  fix: ${e.hint}` : ''}`);
      throw e;
    }
  }

  overrideTlsForThisRun(deps.access, parseImagesRepo(imagesRepo).registry, registryTlsOverride(values, deps.env ?? process.env));

  const json = values.json === true;
  const projectDir = typeof values.project === 'string' ? values.project : null;
  const signal = deps.signal ?? new AbortController().signal;
  let inputs;
  try {
    inputs = await gatherCleanupInputs(
      { imagesRepo, implementation: implementation as ImplementationChoice, mode: mode as (typeof MODES)[number], kube, ...(now ? { now } : {}) },
      { projectDir, access: deps.access, signal, ...(deps.kube ? { kube: deps.kube } : {}) },
    );
  } catch (e) {
    if (e instanceof UserError && !(e instanceof ProjectInputError) && e.code !== 'bad-images-repo') return planFailed(e, json);
    throw e;
  }
  const outcome = makePlan(inputs, { policy });
  if (!outcome.ok) {
    const e = outcome.error;
    const where = e.file && e.line && !e.message.startsWith(`${e.file}:`) ? `${e.file}:${e.line}: ` : '';
    throw new UsageError(`${where}${e.message}${e.hint ? `\n  fix: ${e.hint}` : ''}`);
  }
  const plan = outcome.plan;
  const notes = inputs.notes.map((n) => `${n.severity}: ${n.message}${n.hint ? `\n  fix: ${n.hint}` : ''}`);
  const stderr = notes.length ? `${notes.join('\n')}\n` : '';
  if (reviewed && reviewed.planId !== plan.planId) {
    const e = new UserError({
      code: 'plan-changed',
      message: `The plan made now (${plan.planId}) is not the reviewed one in ${String(values.plan)} (${reviewed.planId}): the registry, git or the clusters changed since, or other options were given. Nothing was deleted.`,
      hint: 'Export the plan again with the same options (stowage cleanup --dry-run --json), review it, then run with --yes --plan.',
    });
    return planFailed(e, json);
  }
  if (dryRun) {
    if (json) return { stdout: `${JSON.stringify(planDocument(plan), null, 2)}\n`, stderr, code: EXIT.ok };
    return { stdout: humanPlan(plan), stderr, code: EXIT.ok };
  }
  const runs = new CleanupRuns({ settingsDir: deps.settingsDir ?? defaultSettingsDir(deps.env ?? process.env), access: deps.access });
  const report = await runs.run(plan, imagesRepo, signal, deps.onProgress);
  const failed = report.summary.failed > 0 || report.summary.cancelled;
  const code = failed ? EXIT.problems : EXIT.ok;
  if (json) return { stdout: `${JSON.stringify(runDocument(report), null, 2)}\n`, stderr, code };
  return { stdout: humanRun(report), stderr, code };
}

/** The documented `--yes --json` document: exactly these fields. */
export function runDocument(report: CleanupRunReport) {
  return {
    runId: report.runId,
    planId: report.planId,
    results: report.results.map((r) => ({ repository: r.repository, tag: r.tag, digest: r.digest, outcome: r.outcome, method: r.method, ...(r.detail !== undefined ? { detail: r.detail } : {}) })),
    summary: report.summary,
    auditLog: report.auditLog,
  };
}

function humanRun(report: CleanupRunReport): string {
  const s = report.summary;
  const lines = [`run ${report.runId} of plan ${report.planId} on ${report.imagesRepo}`];
  for (const r of report.results) {
    const what = r.outcome === 'skipped' ? `skipped (${r.skipReason ?? 'see detail'})` : r.outcome;
    lines.push(`  ${r.repository}:${r.tag}  ${what}${r.method !== 'none' ? `  by ${r.method}` : ''}${r.detail ? `  — ${r.detail}` : ''}${r.hint ? `\n    fix: ${r.hint}` : ''}`);
  }
  lines.push(`${s.total} tags: ${s.deleted} deleted, ${s.untagged} untagged, ${s.skipped} skipped, ${s.failed} failed; ${s.manifestsDeleted} manifests deleted${s.cancelled ? ' (cancelled)' : ''}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  lines.push(`audit log: ${report.auditLog}`);
  lines.push(`undo: stowage restore ${report.runId}`);
  return `${lines.join('\n')}\n`;
}

/** An exported plan (`stowage cleanup --dry-run --json`, the app's Export): only what the id check needs. */
async function readPlanFile(path: string): Promise<{ repository: string; planId: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`the plan file ${path} could not be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON: give the plan exported by stowage cleanup --dry-run --json or the app's Export plan`);
  }
  const d = doc as Partial<PlanDocument> | null;
  if (typeof d !== 'object' || d === null || typeof d.planId !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d.planId) || typeof d.repository !== 'string') {
    throw new UsageError(`${path} is not an exported cleanup plan (no planId and repository)`);
  }
  return { repository: d.repository, planId: d.planId };
}

function planFailed(e: UserError, json: boolean): CommandOutput {
  if (json) return { stdout: `${JSON.stringify({ error: e.toData() }, null, 2)}\n`, code: EXIT.problems };
  return { stdout: '', stderr: `stowage cleanup: no plan: ${e.message}${e.hint ? `\n  fix: ${e.hint}` : ''}\n`, code: EXIT.problems };
}

/**
 * werf's --insecure-registry / --skip-tls-verify-registry (or their WERF_* variables), as `check`
 * and `tags` take them: for this registry and this run only. The saved settings are not changed;
 * every settings lookup of the run (the listing and werf's metadata records) sees the override.
 */
function overrideTlsForThisRun(access: RegistryAccess, registry: string, override: RegistryTlsOverride): void {
  if (override.plainHttp === undefined && override.insecureSkipVerify === undefined) return;
  const get = access.settings.get.bind(access.settings);
  access.settings.get = async (r: string) => {
    const saved = await get(r);
    return r === registry ? withTlsOverride(r, saved, override) : saved;
  };
}

function humanPlan(plan: CleanupPlan): string {
  const s = plan.summary;
  const lines: string[] = [];
  lines.push(`${plan.repository} (${plan.implementation}): policy ${plan.policy} — ${plan.policyReason}`);
  lines.push(`plan ${plan.planId} at ${plan.now}`);
  lines.push(`${s.tags} tags: ${s.delete} to delete, ${s.keep} kept; ${s.manifestsFreed} manifests freed, ${formatBytes(s.bytesFreed)}${s.bytesFreedExact === false ? ' (estimated)' : ''} freed`);
  for (const w of plan.warnings) lines.push(`warning: ${w.message}${w.hint ? `\n  fix: ${w.hint}` : ''}`);
  const deletes = plan.tags.filter((t) => t.action === 'delete');
  if (deletes.length > 0) {
    lines.push('', 'Delete (dry run, nothing is deleted):');
    for (const t of deletes) lines.push(`  ${t.repository}:${t.tag}  by ${t.method}  — ${t.reasons.map((r) => r.text).join(' ')}`);
  }
  const protectedRows = plan.tags.filter((t) => t.protected);
  if (protectedRows.length > 0) {
    lines.push('', 'Kept by a safety rule:');
    for (const t of protectedRows) lines.push(`  ${t.repository}:${t.tag}  — ${t.reasons[0]!.text}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
