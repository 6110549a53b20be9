import { useEffect, useMemo, useState } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { CURRENT_WERF_VERSION, isWerfVersion, WERF_VERSION_LABELS, WERF_VERSIONS } from '../../../shared/werf-config/werf-version';
import { useProjectStore } from '../../stores/project-store';
import { CopyButton } from '../../components/CopyButton';

/** The config after templates ran, and the environment variables the templates read. */
export function RenderedConfig({ view }: { view: ProjectView }) {
  const setEnv = useProjectStore((s) => s.setEnv);
  const [draft, setDraft] = useState<Record<string, string>>(view.envOverrides);
  const [extra, setExtra] = useState('');
  useEffect(() => setDraft(view.envOverrides), [view.envOverrides]);
  const names = useMemo(() => [...new Set([...view.envRead, ...Object.keys(draft)])].sort(), [view.envRead, draft]);
  const shown = view.rendered ? { file: view.configFile ?? 'werf.yaml', text: view.rendered.text, rendered: true } : view.errorSource ? { ...view.errorSource, rendered: false } : null;
  // In the rendered text a problem sits at its rendered line; its location names the template line.
  const errorLines = useMemo(() => {
    const errors = view.problems.filter((p) => p.severity === 'error');
    if (shown?.rendered) {
      return new Set(errors.map((p) => p.renderedLine ?? (p.location?.file === shown.file ? p.location.line : undefined)).filter((l): l is number => l !== undefined));
    }
    return new Set(errors.filter((p) => p.location && p.location.file === shown?.file).map((p) => p.location!.line));
  }, [view.problems, shown?.file, shown?.rendered]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(view.envOverrides);

  return (
    <div className="rendered">
      <section className="werf-version" aria-label="werf release rules">
        <label>
          Read with the rules of{' '}
          <select
            aria-label="werf version"
            value={view.werfVersion ?? CURRENT_WERF_VERSION}
            onChange={(e) => {
              if (isWerfVersion(e.target.value)) void setEnv(view.envOverrides, e.target.value);
            }}
          >
            {WERF_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {WERF_VERSION_LABELS[v]}
              </option>
            ))}
          </select>
        </label>
      </section>
      <section className="env-editor" aria-label="Environment variables">
        <h3>Environment variables the templates read</h3>
        {names.length === 0 ? (
          <p className="muted">{view.templated ? 'The templates read no environment variables.' : 'This config has no templates.'}</p>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void setEnv(Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== '')));
            }}
          >
            <p className="muted">Values set here change only what Stowage shows; they are remembered for this project in Stowage's settings folder, never written into the project.</p>
            <table className="env-table">
              <tbody>
                {names.map((name) => (
                  <tr key={name}>
                    <th scope="row"><label htmlFor={`env-${name}`}><code>{name}</code></label></th>
                    <td>
                      <input
                        id={`env-${name}`}
                        type="text"
                        value={draft[name] ?? ''}
                        placeholder="(from the environment)"
                        spellCheck={false}
                        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row">
              <input aria-label="Another variable name" placeholder="ANOTHER_VARIABLE" value={extra} onChange={(e) => setExtra(e.target.value.trim())} />
              <button type="button" disabled={!/^[A-Za-z_][A-Za-z0-9_]*$/.test(extra)} onClick={() => { setDraft({ ...draft, [extra]: '' }); setExtra(''); }}>Add variable</button>
              <button type="submit" className="primary" disabled={!dirty}>Apply</button>
              <button type="button" disabled={Object.keys(view.envOverrides).length === 0} onClick={() => void setEnv({})}>Reset</button>
            </div>
          </form>
        )}
      </section>
      <section aria-label="Rendered werf.yaml">
        {shown ? (
          <>
            <h3>
              {shown.rendered ? `Rendered ${shown.file}` : `${shown.file} (rendering stopped here)`}{' '}
              {view.rendered && <span className="muted">({view.rendered.documents.length} documents)</span>}{' '}
              <CopyButton text={shown.text} label={shown.rendered ? `Copy rendered ${shown.file}` : `Copy ${shown.file}`} />
            </h3>
            <pre className="code-view" data-file={shown.file}>
              {shown.text.split('\n').map((line, i) => (
                <div key={i} className={errorLines.has(i + 1) ? 'line error-line' : 'line'} data-line={i + 1}>
                  <span className="ln">{i + 1}</span>
                  <span>{line}</span>
                </div>
              ))}
            </pre>
          </>
        ) : (
          <p className="muted">Nothing rendered: see the problems above.</p>
        )}
      </section>
    </div>
  );
}
