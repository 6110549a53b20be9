import type { AppError } from '../../../shared/api/result';
import type { EngineInfo } from '../../../shared/publish/types';
import { Hint } from '../../components/Hint';

/** The Docker engine publish uses: what it is and how it was found, or what to do when none answers. */
export function EngineCard({ engine, error, checking, onCheck }: { engine: EngineInfo | null; error: AppError | null; checking: boolean; onCheck: () => void }) {
  if (error) {
    return (
      <section className="card engine error" aria-label="Docker engine" data-testid="engine-card">
        <h2>Docker engine</h2>
        <p role="alert">
          <strong>{error.message}</strong>
        </p>
        {error.hint && <p><Hint text={error.hint} /></p>}
        <button type="button" onClick={onCheck} disabled={checking}>Check again</button>
      </section>
    );
  }
  if (!engine) {
    return (
      <section className="card engine" aria-label="Docker engine" data-testid="engine-card">
        <h2>Docker engine</h2>
        <p className="muted">{checking ? 'Asking the engine…' : 'Not checked yet.'}</p>
      </section>
    );
  }
  return (
    <section className="card engine" aria-label="Docker engine" data-testid="engine-card">
      <h2>Docker engine</h2>
      <dl>
        <dt>Engine</dt>
        <dd>
          {engine.version} (API {engine.apiVersion})
        </dd>
        <dt>Where</dt>
        <dd>
          <code>{engine.endpoint}</code> <span className="muted">({engine.source})</span>
        </dd>
        <dt>Platform</dt>
        <dd>
          {engine.os}/{engine.arch}
        </dd>
        <dt>Storage driver</dt>
        <dd>{engine.storageDriver}</dd>
        <dt>Rootless</dt>
        <dd>{engine.rootless ? 'yes' : 'no'}</dd>
        <dt>Builder</dt>
        <dd data-testid="engine-builder" data-builder={engine.builder.kind}>
          <strong>{engine.builder.kind === 'classic' ? 'classic builder' : 'BuildKit'}</strong> <span className="muted">{engine.builder.reason}</span>
        </dd>
        <dt>Platforms</dt>
        <dd>{engine.builder.platform.supported ? "werf.yaml's platform is built where it names one" : engine.builder.platform.reason}</dd>
      </dl>
      {engine.connectionNote && (
        <p className="muted" data-testid="engine-connection-note">
          {engine.connectionNote}
        </p>
      )}
      <button type="button" onClick={onCheck} disabled={checking}>Check again</button>
    </section>
  );
}
