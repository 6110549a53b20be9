import { useEffect } from 'react';
import { platformName, type ImageConfigDocument } from '../../../shared/inventory/image-config';
import type { InventoryTag } from '../../../shared/inventory/types';
import { CopyButton } from '../../components/CopyButton';
import { imageConfigKey, useImageConfigStore } from '../../stores/image-config-store';
import { useScopedInventoryStore } from '../../stores/inventory-scope';
import { formatBytes } from './format';

/** Selecting rows with the arrow keys should not send a request per row passed over. */
const SETTLE_MS = 200;

function Words({ list }: { list: string[] | null }) {
  if (list === null || list.length === 0) return <span className="muted">—</span>;
  return <code>{JSON.stringify(list)}</code>;
}

/** The image itself, as `docker image inspect` and `docker history` show it, per platform for an index. */
export function ImageConfigView({ row }: { row: InventoryTag }) {
  const request = useScopedInventoryStore()((s) => s.request);
  const { state, load } = useImageConfigStore();
  const digest = row.digest;
  const base = request && digest ? { imagesRepo: request.imagesRepo, implementation: request.implementation, repository: row.repository, digest } : null;
  const baseKey = base ? imageConfigKey(base) : null;

  useEffect(() => {
    if (!base) return;
    const timer = setTimeout(() => void load(base), SETTLE_MS);
    return () => clearTimeout(timer);
    // The key says everything the request depends on.
  }, [baseKey, load]);

  if (!base) return null;
  const mine = state.status !== 'idle' && state.key.startsWith(`${base.imagesRepo}|${base.repository}@${base.digest}|`);
  return (
    <section className="image-config" aria-label="Image config">
      <h4>Image</h4>
      {(!mine || state.status === 'loading') && <p className="muted" role="status">Reading the image config…</p>}
      {mine && state.status === 'error' && (
        <div className="banner error" role="alert">
          <strong>{state.error.message}</strong> {state.error.hint}{' '}
          <button type="button" className="ghost" onClick={() => void load(base)}>Try again</button>
        </div>
      )}
      {mine && state.status === 'done' && <ImageFacts doc={state.doc} onPlatform={(platform) => void load({ ...base, platform })} />}
    </section>
  );
}

function ImageFacts({ doc, onPlatform }: { doc: ImageConfigDocument; onPlatform: (digest: string) => void }) {
  const labels = Object.entries(doc.labels);
  return (
    <>
      {doc.platforms && doc.platforms.length > 0 && (
        <label className="platform-picker">
          Platform{' '}
          <select aria-label="Platform" value={doc.platform} onChange={(e) => onPlatform(e.target.value)}>
            {doc.platforms.map((p) => (
              <option key={p.digest} value={p.digest}>
                {platformName(p)} · {p.digest.slice(7, 19)}
              </option>
            ))}
          </select>
        </label>
      )}
      <dl className="image-facts">
        <dt>Platform</dt>
        <dd>{platformName(doc)}</dd>
        {doc.created && (<><dt>Created</dt><dd>{new Date(doc.created).toLocaleString()}</dd></>)}
        <dt>Entrypoint</dt>
        <dd><Words list={doc.entrypoint} /></dd>
        <dt>Cmd</dt>
        <dd><Words list={doc.cmd} /></dd>
        <dt>Working dir</dt>
        <dd>{doc.workingDir ? <code>{doc.workingDir}</code> : <span className="muted">/ (not set)</span>}</dd>
        <dt>User</dt>
        <dd>{doc.user ? <code>{doc.user}</code> : <span className="muted">root (not set)</span>}</dd>
        <dt>Exposed ports</dt>
        <dd>{doc.exposedPorts.length ? doc.exposedPorts.map((p) => <code key={p} className="chip-code">{p}</code>) : <span className="muted">none</span>}</dd>
        {doc.volumes.length > 0 && (<><dt>Volumes</dt><dd>{doc.volumes.map((v) => <code key={v} className="chip-code">{v}</code>)}</dd></>)}
        <dt>Env ({doc.env.length})</dt>
        <dd>
          {doc.env.length === 0 ? <span className="muted">none</span> : <ul className="env-list">{doc.env.map((e, i) => <li key={i}><code>{e}</code></li>)}</ul>}
        </dd>
        <dt>Labels ({labels.length})</dt>
        <dd>
          {labels.length === 0 ? <span className="muted">none</span> : <ul className="labels">{labels.map(([k, v]) => <li key={k}><code>{k}={v}</code></li>)}</ul>}
        </dd>
        <dt>Config</dt>
        <dd>
          <code title={doc.configDigest}>{doc.configDigest.slice(0, 19)}…</code> <span className="muted">{formatBytes(doc.configSize)}</span> <CopyButton text={doc.text} label="Copy image config" caption="Copy JSON" />
        </dd>
      </dl>
      <h4>
        Layers ({doc.layerCount}) <span className="muted">{formatBytes(doc.layersSize)} compressed</span>
      </h4>
      <table className="layers-table" aria-label="Layers and history">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Step</th>
            <th scope="col">Layer</th>
          </tr>
        </thead>
        <tbody>
          {doc.steps.map((s, i) => (
            <tr key={i} className={s.emptyLayer ? 'empty-layer' : undefined}>
              <td className="muted">{i + 1}</td>
              <td>
                <code className="created-by">{s.createdBy || '(no history entry)'}</code>
                {s.comment && <span className="muted"> · {s.comment}</span>}
              </td>
              <td className="layer-size">
                {s.layer ? (
                  <span title={s.layer.digest}>{formatBytes(s.layer.size)}</span>
                ) : (
                  <span className="muted" title="A metadata step (empty_layer): it changed the config, not the files">no layer</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {doc.notes.length > 0 && <ul className="banner warn">{doc.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
    </>
  );
}
