import { useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../shared/api/result';
import type { InventoryTag, ManifestDocument } from '../../../shared/inventory/types';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { useScopedInventoryStore } from '../../stores/inventory-scope';
import { formatBytes } from './format';

type State = { status: 'idle' } | { status: 'loading' } | { status: 'done'; doc: ManifestDocument } | { status: 'error'; error: AppError };

/** The manifest of the selected tag, fetched by digest on request (nothing is fetched until asked). */
export function ManifestView({ row }: { row: InventoryTag }) {
  const request = useScopedInventoryStore()((s) => s.request);
  const [state, setState] = useState<State>({ status: 'idle' });
  const current = useRef<AbortController | null>(null);
  const key = `${row.repository}@${row.digest}`;

  useEffect(() => {
    setState({ status: 'idle' });
    return () => current.current?.abort();
  }, [key]);

  if (!row.digest || !request) return null;
  const digest = row.digest;

  const load = async () => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState({ status: 'loading' });
    const result = await api.call('inventory.manifest', { imagesRepo: request.imagesRepo, implementation: request.implementation, repository: row.repository, digest }, { signal: controller.signal });
    if (controller.signal.aborted) return;
    setState(result.ok ? { status: 'done', doc: result.value } : { status: 'error', error: result.error });
  };

  return (
    <section className="manifest-view" aria-label="Manifest">
      <h4>Manifest</h4>
      {state.status === 'idle' && (
        <button type="button" onClick={() => void load()}>Show manifest</button>
      )}
      {state.status === 'loading' && <p className="muted" role="status">Fetching {digest.slice(0, 19)}…</p>}
      {state.status === 'error' && (
        <div className="banner error" role="alert">
          <strong>{state.error.message}</strong> {state.error.hint}{' '}
          <button type="button" className="ghost" onClick={() => void load()}>Try again</button>
        </div>
      )}
      {state.status === 'done' && (
        <>
          <p className="muted">
            {state.doc.mediaType ?? 'unknown media type'} · {formatBytes(state.doc.size)} <CopyButton text={state.doc.text} label="Copy manifest" />
          </p>
          <pre className="manifest-text" tabIndex={0}>{state.doc.text}</pre>
        </>
      )}
    </section>
  );
}
