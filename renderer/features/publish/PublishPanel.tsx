import { useEffect, useMemo, useState } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { planPublish } from '../../../shared/publish/plan';
import { implementationInfo } from '../../../shared/registry/implementation-registry';
import type { PublishRequest, PushedName } from '../../../shared/publish/types';
import { CopyButton } from '../../components/CopyButton';
import { ProblemList } from '../../components/ProblemList';
import { tagInputs, usePreviewStore, type RepoModeChoice } from '../../stores/preview-store';
import { runKey, usePublishStore, type ImageRun } from '../../stores/publish-store';
import { useInventoryStore } from '../../stores/inventory-store';
import { EngineCard } from './EngineCard';
import { formatBytes, formatMs } from './format';
import './publish.css';
import { Hint } from '../../components/Hint';

const PHASE_LABEL: Record<ImageRun['phase'], string> = {
  queued: 'Waiting',
  building: 'Building',
  tagging: 'Labelling and tagging',
  pushing: 'Pushing',
  verifying: 'Reading the digest back',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/**
 * Build and push the project's Dockerfile images under the names the preview shows. The names
 * come from the same pure planner the main process runs, so what is listed here is what is pushed.
 */
export function PublishPanel({ view, onOpenInventory }: { view: ProjectView; onOpenInventory: () => void }) {
  const s = usePreviewStore();
  const pub = usePublishStore();
  const publishable = useMemo(() => view.images.filter((i) => i.final && i.kind !== 'artifact'), [view.images]);
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(publishable.map((i) => runKey(i.name))));
  const [createRepositories, setCreateRepositories] = useState(false);

  useEffect(() => {
    if (!pub.engine && !pub.engineError && !pub.checkingEngine) void pub.checkEngine();
  }, [pub]);

  const request: PublishRequest | null = useMemo(() => {
    if (!s.imagesRepo.trim()) return null;
    return {
      imagesRepo: s.imagesRepo.trim(),
      implementation: s.implementation,
      mode: s.mode,
      tags: tagInputs(s),
      images: publishable.filter((i) => chosen.has(runKey(i.name))).map((i) => i.name),
      ...(createRepositories ? { createRepositories: true } : {}),
    };
  }, [s, publishable, chosen, createRepositories]);
  const plan = useMemo(() => (request ? planPublish(view.images, request) : null), [request, view.images]);
  const canRun = plan !== null && !plan.blocked && (request?.images?.length ?? 0) > 0 && !pub.running;

  const toggle = (key: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const pushedNames: { image: string | null; name: PushedName }[] = pub.report
    ? pub.report.images.flatMap((i) => i.pushed.map((name) => ({ image: i.name, name })))
    : Object.entries(pub.runs).flatMap(([k, r]) => r.pushed.map((name) => ({ image: k === '~' ? null : k, name })));

  return (
    <div className="publish">
      <EngineCard engine={pub.engine} error={pub.engineError} checking={pub.checkingEngine} onCheck={() => void pub.checkEngine()} />

      <form
        className="preview-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canRun && request) void pub.start(request);
        }}
      >
        <div className="field grow">
          <label htmlFor="publish-repo">Images repo</label>
          <input id="publish-repo" type="text" value={s.imagesRepo} spellCheck={false} placeholder="registry.example.com/team/app" onChange={(e) => s.update({ imagesRepo: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="publish-mode">Repo mode</label>
          <select id="publish-mode" value={s.mode} onChange={(e) => s.update({ mode: e.target.value as RepoModeChoice })}>
            <option value="auto">auto</option>
            <option value="multirepo">multirepo</option>
            <option value="monorepo">monorepo</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="publish-custom">Custom tags</label>
          <input id="publish-custom" type="text" value={s.customTags} spellCheck={false} disabled={!s.strategies.custom} onChange={(e) => s.update({ customTags: e.target.value })} />
        </div>
        <fieldset className="strategies">
          <legend>Tagging strategies (shared with Final names)</legend>
          <label className="check"><input type="checkbox" checked={s.strategies.custom} onChange={() => s.toggleStrategy('custom')} /> custom</label>
          <label className="check"><input type="checkbox" checked={s.strategies['git-branch']} disabled={!s.branch} onChange={() => s.toggleStrategy('git-branch')} /> git branch {s.branch && <code>{s.branch}</code>}</label>
          <label className="check"><input type="checkbox" checked={s.strategies['git-tag']} disabled={!s.gitTag} onChange={() => s.toggleStrategy('git-tag')} /> git tag {s.gitTag && <code>{s.gitTag}</code>}</label>
          <label className="check"><input type="checkbox" checked={s.strategies['git-commit']} disabled={!s.commit} onChange={() => s.toggleStrategy('git-commit')} /> git commit {s.commit && <code>{s.commit.slice(0, 12)}</code>}</label>
        </fieldset>
        {plan && !implementationInfo(plan.preview.implementation).createsRepositoriesOnPush && (
          <label className="check">
            <input type="checkbox" checked={createRepositories} onChange={(e) => setCreateRepositories(e.target.checked)} />
            Create missing repositories ({implementationInfo(plan.preview.implementation).title}: CreateRepository in the region of the address)
          </label>
        )}
        {pub.running ? (
          <button type="button" onClick={pub.cancel}>Cancel</button>
        ) : (
          <button type="submit" className="primary" disabled={!canRun}>Build and push</button>
        )}
      </form>

      {plan && <ProblemList problems={plan.problems} title="Before anything is built" />}

      <table className="publish-images" aria-label="Images to publish">
        <thead>
          <tr>
            <th scope="col">Publish</th>
            <th scope="col">Image</th>
            <th scope="col">Names</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {view.images
            .filter((i) => i.kind !== 'artifact')
            .map((image) => {
              const key = runKey(image.name);
              const planned = plan?.order.find((p) => runKey(p.name) === key);
              const run = pub.runs[key];
              const selectable = image.final;
              return (
                <tr key={key} data-testid={`publish-row-${key}`} data-phase={run?.phase ?? ''}>
                  <td>
                    {selectable && <input type="checkbox" aria-label={`Publish ${image.name ?? 'the nameless image'}`} checked={chosen.has(key)} disabled={pub.running} onChange={() => toggle(key)} />}
                  </td>
                  <td>
                    <strong>{image.name ?? '~ (nameless)'}</strong> <span className="muted">{image.kind === 'dockerfile' ? image.build?.dockerfilePath ?? image.dockerfile : 'Stapel'}</span>
                  </td>
                  <td>
                    {planned?.skipped ? (
                      <span className="muted">{planned.skipped}</span>
                    ) : (
                      (planned?.tags ?? []).map((t) => (
                        <div key={t.reference}>
                          <code>{t.reference}</code>
                        </div>
                      ))
                    )}
                    {planned && !planned.selected && !planned.skipped && <div className="muted">built because a chosen image needs it</div>}
                  </td>
                  <td>{run ? <RunStatus run={run} /> : null}</td>
                </tr>
              );
            })}
        </tbody>
      </table>

      {pub.error && (
        <div className={`banner ${pub.error.code === 'cancelled' ? 'warn' : 'error'}`} role="alert">
          <strong><Hint text={pub.error.message} /></strong> <Hint text={pub.error.hint} />
        </div>
      )}
      {pub.report?.problems.length ? <ProblemList problems={pub.report.problems} title="Publish refused" /> : null}
      {pub.report?.images
        .filter((i) => i.error)
        .map((i) => (
          <div key={runKey(i.name)} className="banner error" role="alert" data-testid={`publish-error-${runKey(i.name)}`}>
            <strong>{i.name ?? '~'}: <Hint text={i.error!.message} /></strong> <Hint text={i.error!.hint} />
          </div>
        ))}

      {pushedNames.length > 0 && (
        <section className="publish-summary" aria-label="Pushed">
          <h2>Pushed</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Digest (from the registry)</th>
                <th scope="col">Size</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {pushedNames.map(({ name }) => (
                <tr key={name.reference} data-testid="pushed-name">
                  <td>
                    <code>{name.reference}</code> <CopyButton text={name.reference} label={`Copy ${name.reference}`} />
                  </td>
                  <td>
                    <code title={name.digest}>{name.digest.slice(0, 19)}…</code> <CopyButton text={`${name.reference.slice(0, name.reference.lastIndexOf(':'))}@${name.digest}`} label={`Copy ${name.reference} by digest`} />
                  </td>
                  <td>{name.size !== null ? formatBytes(name.size) : '—'}</td>
                  <td>{formatMs(name.ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            onClick={() => {
              // The inventory lists what was just pushed, with labels, for the same address and mode.
              void useInventoryStore.getState().start({ imagesRepo: s.imagesRepo.trim(), implementation: s.implementation, mode: s.mode, images: publishable.map((i) => i.name), withConfig: true });
              onOpenInventory();
            }}
          >
            Open in Inventory
          </button>
        </section>
      )}
    </div>
  );
}

function RunStatus({ run }: { run: ImageRun }) {
  const layers = Object.entries(run.layers);
  return (
    <div className={`run ${run.phase}`}>
      <div>
        <strong>{PHASE_LABEL[run.phase]}</strong>
        {run.step && run.phase === 'building' && (
          <span className="muted"> · step {run.step.step}/{run.step.total}: <code>{run.step.instruction}</code></span>
        )}
      </div>
      {run.step && run.phase === 'building' && <progress max={run.step.total} value={run.step.step} aria-label="Build steps" />}
      {run.message && run.phase !== 'building' && <div className="muted">{run.message}</div>}
      {layers.length > 0 && (
        <ul className="layers" aria-label="Layers">
          {layers.map(([id, l]) => (
            <li key={id}>
              <code>{id.slice(0, 12)}</code> {l.status}
              {l.total ? <progress max={l.total} value={l.current ?? 0} /> : null}
            </li>
          ))}
        </ul>
      )}
      {run.log.length > 0 && (
        <details>
          <summary>Build log ({run.log.length} line{run.log.length === 1 ? '' : 's'})</summary>
          <pre className="build-log">{run.log.join('\n')}</pre>
        </details>
      )}
    </div>
  );
}
