import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { CleanupInputNote } from '../../../shared/api/cleanup';
import type { ProjectView } from '../../../shared/api/types';
import { planJson } from '../../../shared/cleanup';
import type { CleanupTag, PlannedTag } from '../../../shared/cleanup/types';
import type { InventoryTag } from '../../../shared/inventory/types';
import { useCleanupStore, planRowKey, type ActionFilter, type PlanGroupBy } from '../../stores/cleanup-store';
import { usePreviewStore } from '../../stores/preview-store';
import { AgeChart } from '../inventory/AgeChart';
import { formatBytes } from '../inventory/format';
import { useCleanupRunStore } from '../../stores/cleanup-run-store';
import { computePlan, executeChoices, planItems } from './plan';
import { ConfirmDialog } from './run/ConfirmDialog';
import { confirmationSummary, undoWarning, type ConfirmationSummary } from './run/confirmation';
import { RunPanel } from './run/RunPanel';
import type { ExecuteRequest } from '../../../shared/api/cleanup-run';
import { PlanTable } from './PlanTable';
import { PolicyEditor } from './PolicyEditor';
import { WhyPanel } from './WhyPanel';
import './cleanup.css';
import { Hint } from '../../components/Hint';
import { NoMatches } from '../../components/NoMatches';
import { useRevealOnSelect } from '../../components/reveal';

const PHASES: Record<string, string> = { inventory: 'Listing every tag of the images repo', git: 'Reading git history', 'werf-metadata': "Reading werf's metadata", kube: 'Reading clusters', done: 'Done' };

function Notes({ notes }: { notes: CleanupInputNote[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="cleanup-notes" aria-label="About the inputs">
      {notes.map((n, i) => (
        <li key={`${n.code}-${i}`} className={`banner ${n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warn' : 'ok'}`} data-code={n.code}>
          <span><strong><Hint text={n.message} /></strong>{n.hint ? <> <Hint text={n.hint} /></> : null}</span>
        </li>
      ))}
    </ul>
  );
}

/** What the age chart needs of a tag (it reads only dates and size). */
function forChart(t: CleanupTag): InventoryTag {
  const row: InventoryTag = { repository: t.repository, tag: t.tag, digest: t.digest, mediaType: null, kind: t.kind, size: t.size };
  if (t.created !== undefined) row.created = t.created;
  if (t.pushed !== undefined) row.pushed = t.pushed;
  return row;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function CleanupPanel({ view }: { view: ProjectView }) {
  const preview = usePreviewStore();
  const s = useCleanupStore();
  const [kubeSource, setKubeSource] = useState<'off' | 'all' | 'context'>('off');
  const [kubeContext, setKubeContext] = useState('');
  const [stagesStorage, setStagesStorage] = useState('');
  const filter = useDeferredValue(s.filter);
  const run = useCleanupRunStore();
  const [confirming, setConfirming] = useState<{ request: ExecuteRequest; summary: ConfirmationSummary } | null>(null);

  const inputs = s.inputs;
  // Deferred: typing in the editors stays responsive while a large plan recomputes behind it.
  const keepPolicies = useDeferredValue(s.keepPolicies);
  const rules = useDeferredValue(s.rules);
  const limits = useDeferredValue(s.limits);
  const { overrides, proceedWithoutUnreachable, policy } = s;
  const result = useMemo(
    () => (inputs ? computePlan(inputs, { policy, keepPolicies, rules, limits, overrides, proceedWithoutUnreachable }) : null),
    [inputs, policy, keepPolicies, rules, limits, overrides, proceedWithoutUnreachable],
  );
  const plan = result?.ok ? result.plan : null;
  // The choices exactly as they made the plan on screen (the deferred values), for the run.
  const choices = useMemo(
    () => executeChoices({ policy, keepPolicies, rules, limits, overrides, proceedWithoutUnreachable }),
    [policy, keepPolicies, rules, limits, overrides, proceedWithoutUnreachable],
  );
  // A plan runs only against the inputs it was made from, which the main process keeps by this id.
  const inputsId = inputs?.inputsId ?? null;
  const warning = useMemo(() => (plan && plan.summary.delete > 0 ? undoWarning(plan.implementation) : null), [plan]);
  const runActive = run.stage !== 'idle';
  const derived = useMemo(() => (plan ? planItems(plan.tags, filter, s.actionFilter, s.groupBy) : null), [plan, filter, s.actionFilter, s.groupBy]);
  const overridden = useMemo(() => new Set(overrides.map(planRowKey)), [overrides]);
  const byKey = useMemo(() => new Map((inputs?.input.tags ?? []).map((t) => [planRowKey(t), t])), [inputs]);
  const deleteRows = useMemo(() => (plan ? plan.tags.filter((t) => t.action === 'delete').map((t) => byKey.get(planRowKey(t))).filter((t): t is CleanupTag => t !== undefined).map(forChart) : []), [plan, byKey]);
  const selected: PlannedTag | undefined = plan && s.selected ? plan.tags.find((t) => planRowKey(t) === s.selected) : undefined;
  const layout = useRef<HTMLDivElement>(null);
  useRevealOnSelect(layout, s.selected);
  const now = inputs ? Date.parse(inputs.input.now) : 0;
  const unreachable = inputs?.sources.kube?.unreachable ?? [];

  const gather = () => {
    const imagesRepo = preview.imagesRepo.trim();
    if (!imagesRepo || s.loading || run.stage === 'running' || run.stage === 'cancelling') return;
    run.reset();
    void s.gather({
      imagesRepo,
      implementation: preview.implementation,
      mode: preview.mode,
      kube: kubeSource === 'context' ? { source: 'context', context: kubeContext.trim() } : { source: kubeSource },
      ...(stagesStorage.trim() ? { metadataRepository: stagesStorage.trim() } : {}),
    });
  };

  const confirmDelete = () => {
    if (!plan || !inputsId || !s.request) return;
    setConfirming({
      request: { inputsId, imagesRepo: s.request.imagesRepo, implementation: s.request.implementation, choices, planId: plan.planId },
      summary: confirmationSummary(plan),
    });
  };
  const startRun = () => {
    if (!confirming) return;
    const { request } = confirming;
    setConfirming(null);
    void run.execute(request);
  };
  const planAgain = () => {
    run.reset();
    if (s.request) void s.gather(s.request);
  };

  const p = s.progress;
  return (
    <div className="cleanup">
      {confirming && plan && (
        <ConfirmDialog summary={confirming.summary} imagesRepo={confirming.request.imagesRepo} planId={confirming.request.planId} onConfirm={startRun} onClose={() => setConfirming(null)} />
      )}
      <form className="preview-form" onSubmit={(e) => { e.preventDefault(); gather(); }}>
        <div className="field grow">
          <label htmlFor="cleanup-repo">Images repo</label>
          <input id="cleanup-repo" type="text" value={preview.imagesRepo} spellCheck={false} placeholder="registry.example.com/team/app" onChange={(e) => preview.update({ imagesRepo: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="cleanup-kube">Kubernetes</label>
          <select id="cleanup-kube" value={kubeSource} onChange={(e) => setKubeSource(e.target.value as 'off' | 'all' | 'context')}>
            <option value="off">not checked (--without-kube)</option>
            <option value="all">every context of my kubeconfig</option>
            <option value="context">one context…</option>
          </select>
        </div>
        {kubeSource === 'context' && (
          <div className="field">
            <label htmlFor="cleanup-kube-context">Context</label>
            <input id="cleanup-kube-context" type="text" value={kubeContext} spellCheck={false} onChange={(e) => setKubeContext(e.target.value)} />
          </div>
        )}
        <div className="field">
          <label htmlFor="cleanup-stages" title="werf v1.1 keeps its image-metadata-by-commit records in the stages storage (--stages-storage). v1.2+ keeps them in the images repo.">werf v1.1 stages storage (optional)</label>
          <input id="cleanup-stages" type="text" value={stagesStorage} spellCheck={false} placeholder="registry.example.com/team/app/stages" onChange={(e) => setStagesStorage(e.target.value)} />
        </div>
        {s.loading ? (
          <button type="button" onClick={s.cancel}>Cancel</button>
        ) : (
          <button type="submit" className="primary" disabled={!preview.imagesRepo.trim() || (kubeSource === 'context' && !kubeContext.trim()) || run.stage === 'running' || run.stage === 'cancelling'}>{inputs ? 'Gather again' : 'Make a plan'}</button>
        )}
      </form>

      <p className="cleanup-dry banner ok" role="note">
        Nothing is deleted until you confirm: “Delete N tags” carries out exactly the plan you reviewed, checks every tag again first, and logs each delete so it can be restored (see History).
      </p>

      {s.loading && (
        <div className="progress" role="status" aria-live="polite">
          <progress max={p?.total ?? undefined} value={p?.total ? p.done : undefined} />
          <span>{p ? `${PHASES[p.phase] ?? p.phase}${p.total ? `: ${p.done} of ${p.total}` : p.done ? `: ${p.done}` : ''}${p.message ? ` — ${p.message}` : ''}` : 'Starting…'}</span>
        </div>
      )}
      {s.error && (
        <div className={`banner ${s.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert" data-code={s.error.code}>
          <span><strong>{s.error.message}</strong>{s.error.hint ? <> {s.error.hint}</> : null}</span>
        </div>
      )}

      {!inputs && !s.loading && !s.error && (
        <p className="empty-state">
          Make a plan to see, for every tag of {view.project ? <strong>{view.project}</strong> : 'this project'}'s images repo, whether it would be kept or deleted and why — by werf's own policies or your rules, with tags that must stay protected.
        </p>
      )}

      {runActive && <RunPanel onDone={planAgain} />}

      {inputs && !runActive && (
        <>
          <Notes notes={inputs.notes} />
          {unreachable.length > 0 && !s.stopped && (
            <div className="banner warn cleanup-decision" role="alert" aria-label="Unreachable clusters">
              <span>
                <strong>{unreachable.length === 1 ? 'A cluster could not be read' : `${unreachable.length} clusters could not be read`}:</strong>{' '}
                {unreachable.map((u) => `${u.context} (${u.reason})`).join('; ')}.{' '}
                {proceedWithoutUnreachable ? 'You chose to plan without their protection: every tag it could have kept says so.' : 'Until you decide, the plan deletes nothing that protection could have kept.'}
              </span>
              {!proceedWithoutUnreachable && (
                <>
                  <button type="button" onClick={() => s.decideUnreachable('stop')}>Stop</button>
                  <button type="button" onClick={() => s.decideUnreachable('proceed')}>Plan without that protection</button>
                </>
              )}
            </div>
          )}
          {s.stopped ? (
            <p className="empty-state">Stopped: no plan was made because a cluster could not be read. Fix the access (kubectl get pods -A with the same context shows the problem) and gather again, or choose “not checked”.</p>
          ) : (
            <>
              <PolicyEditor fromWerfYaml={inputs.keepPolicies !== null} />
              {result && !result.ok && (
                <div className="banner error" role="alert" data-code={result.error.code}>
                  <span><strong>{result.error.file ? `${result.error.file}${result.error.line ? `:${result.error.line}` : ''}: ` : ''}<Hint text={result.error.message} /></strong>{result.error.hint ? <> <Hint text={result.error.hint} /></> : null}</span>
                </div>
              )}
              {plan && derived && (
                <>
                  <div className="inv-summary">
                    <div className="card plan-summary" data-testid="plan-summary">
                      <div className="totals">
                        <span><strong data-testid="plan-delete">{plan.summary.delete}</strong> to delete</span>
                        <span><strong data-testid="plan-keep">{plan.summary.keep}</strong> kept</span>
                        <span><strong>{plan.summary.manifestsFreed}</strong> manifests freed</span>
                        <span title={plan.summary.bytesFreedExact === false ? 'Estimated from tag sizes: the layers were not all known' : 'Layers no kept manifest references, counted once'}>
                          <strong data-testid="plan-bytes">{formatBytes(plan.summary.bytesFreed)}</strong> freed{plan.summary.bytesFreedExact === false ? ' (estimate)' : ''}
                        </span>
                      </div>
                      <p className="policy-line">
                        Policy <strong data-testid="plan-policy">{plan.policy}</strong>: {plan.policyReason}
                      </p>
                      <p className="muted small">
                        Plan <code data-testid="plan-id" title={plan.planId}>{plan.planId.replace(/^sha256:/, '').slice(0, 16)}</code> as of {new Date(plan.now).toLocaleString()} · {plan.summary.tags} tags · computed in {result?.ok ? result.ms.toFixed(0) : '—'} ms
                      </p>
                      {warning && (
                        <p className="banner error" role="note" data-testid="plan-undo-warning"><span><strong>Cannot be undone.</strong> {warning}</span></p>
                      )}
                      {plan.warnings.length > 0 && (
                        <ul className="plan-warnings">{plan.warnings.map((w, i) => <li key={`${w.code}-${i}`} data-code={w.code}><Hint text={w.message} />{w.hint ? <span className="muted"> <Hint text={w.hint} /></span> : null}</li>)}</ul>
                      )}
                      <div className="row">
                        <button type="button" className="primary" onClick={() => download(`stowage-plan-${plan.planId.replace(/^sha256:/, '').slice(0, 12)}.json`, planJson(plan))}>Export plan</button>
                        <button
                          type="button"
                          className="danger"
                          disabled={plan.summary.delete === 0 || !inputsId}
                          title={plan.summary.delete === 0 ? 'The plan deletes nothing' : !inputsId ? 'Gather the inputs again: this plan was made by an older Stowage' : 'Review what will happen, then confirm'}
                          onClick={confirmDelete}
                        >
                          Delete {plan.summary.delete} tag{plan.summary.delete === 1 ? '' : 's'}
                        </button>
                      </div>
                    </div>
                    <div>
                      <h4 className="chart-title">Tags to delete by age</h4>
                      <AgeChart rows={deleteRows} now={now} />
                    </div>
                  </div>
                  <div className="inv-controls">
                    <input type="search" aria-label="Filter plan" placeholder="Filter by tag, image, digest, reason…" value={s.filter} onChange={(e) => s.setFilter(e.target.value)} />
                    <label>
                      Show{' '}
                      <select aria-label="Show" value={s.actionFilter} onChange={(e) => s.setActionFilter(e.target.value as ActionFilter)}>
                        <option value="all">every tag</option>
                        <option value="delete">to delete</option>
                        <option value="keep">kept by the policy</option>
                        <option value="protected">protected</option>
                      </select>
                    </label>
                    <label>
                      Group by{' '}
                      <select aria-label="Group plan by" value={s.groupBy} onChange={(e) => s.setGroupBy(e.target.value as PlanGroupBy)}>
                        <option value="none">nothing</option>
                        <option value="image">werf image</option>
                        <option value="digest">digest</option>
                      </select>
                    </label>
                    <span className="muted" data-testid="plan-visible">{derived.visible} shown</span>
                  </div>
                  {plan.tags.length === 0 ? (
                    <p className="empty-state">The images repo has no tags: there is nothing to plan.</p>
                  ) : derived.visible === 0 ? (
                    <NoMatches what="tag" filter={s.filter} onClear={() => { s.setFilter(''); s.setActionFilter('all'); }} />
                  ) : (
                    <div className="inv-layout" ref={layout}>
                      <PlanTable items={derived.items} overridden={overridden} />
                      {selected ? (
                        <WhyPanel tag={selected} overridden={overridden.has(planRowKey(selected))} onToggle={() => s.toggleOverride(selected)} />
                      ) : (
                        <aside className="card tag-detail muted">Select a tag to see why it is kept or deleted, every rule that applied, and to keep it.</aside>
                      )}
                    </div>
                  )}
                </>
              )}
            </>
          )}
        </>
      )}
    </div>
  );
}
