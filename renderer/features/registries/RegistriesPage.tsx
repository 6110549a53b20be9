import { useEffect, useMemo, useState } from 'react';
import type { KnownRegistry } from '../../../shared/api/registries';
import { implementationIds, implementationInfo } from '../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../shared/registry/implementations';
import { useRegistriesStore } from '../../stores/registries-store';
import { CatalogView } from './CatalogView';
import { RegistrySettingsForm } from './RegistrySettingsForm';
import { ago, defaultNamespace, defaultTestRepo, LOGIN_LABEL, ORIGIN_LABEL } from './format';
import './registries.css';
import { Hint } from '../../components/Hint';

/** Every registry Stowage knows of, its login state and last test; add, edit, remove, test, browse. */
export function RegistriesPage() {
  const s = useRegistriesStore();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // Opened through the navigation the store is loading already; shown any other way, load once.
    const st = useRegistriesStore.getState();
    if (!st.view && !st.loading) void st.load();
    // "5 min ago" keeps counting while the page is open.
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  const selected = s.view?.registries.find((r) => r.registry === s.selected) ?? null;

  return (
    <div className="registries-page">
      <header className="project-header">
        <div>
          <h1>Registries</h1>
          <p className="muted">From your docker config, credentials saved in Stowage, registry settings and the images repos you used. Remove forgets only what Stowage keeps; your docker config is never changed.</p>
        </div>
      </header>
      <AddRegistryForm />
      {s.error && (
        <div className="banner error" role="alert">
          <strong>{s.error.message}</strong> <Hint text={s.error.hint} />
        </div>
      )}
      {s.view && s.view.registries.length === 0 ? (
        <p className="empty-state" data-testid="registries-empty">
          No registry known yet. Add one above, log in with <code>docker login</code>, or test an images repo from a project.
        </p>
      ) : (
        <div className="registries-layout">
          <ul className="registry-list" aria-label="Known registries">
            {s.view?.registries.map((r) => (
              <li key={r.registry}>
                <button type="button" className={`registry-item${r.registry === s.selected ? ' selected' : ''}`} aria-pressed={r.registry === s.selected} onClick={() => s.select(r.registry)} data-testid={`registry-${r.registry}`}>
                  <span className="registry-host">{r.registry}</span>
                  <span className="muted small">{r.implementationTitle}</span>
                  <span className="registry-badges">
                    <span className={`badge login-${r.login.state}`}>{LOGIN_LABEL[r.login.state]}</span>
                    {r.lastTest && <span className={`badge ${r.lastTest.ok ? 'ok' : 'error'}`}>{r.lastTest.ok ? 'test passed' : 'test failed'}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {selected ? <RegistryDetail key={selected.registry} r={selected} now={now} /> : <aside className="card muted">Select a registry to see its login, last test and settings, to test it or browse its catalog.</aside>}
        </div>
      )}
      {s.catalog && <CatalogView />}
    </div>
  );
}

function AddRegistryForm() {
  const add = useRegistriesStore((s) => s.add);
  const [host, setHost] = useState('');
  const [impl, setImpl] = useState<Implementation | 'auto'>('auto');
  const choices = useMemo(() => implementationIds(), []);
  return (
    <form
      className="preview-form add-registry"
      aria-label="Add a registry"
      onSubmit={(e) => {
        e.preventDefault();
        if (!host.trim()) return;
        void add(host.trim(), impl === 'auto' ? undefined : impl).then((ok) => {
          if (!ok) return;
          setHost('');
          setImpl('auto');
        });
      }}
    >
      <div className="field grow">
        <label htmlFor="add-registry-host">Registry host</label>
        <input id="add-registry-host" type="text" value={host} spellCheck={false} placeholder="registry.example.com or 127.0.0.1:5000" onChange={(e) => setHost(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="add-registry-impl">Implementation</label>
        <select id="add-registry-impl" value={impl} onChange={(e) => setImpl(e.target.value as Implementation | 'auto')}>
          <option value="auto">detect from the host</option>
          {choices.map((id) => (
            <option key={id} value={id}>
              {implementationInfo(id).title}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={!host.trim()}>
        Add registry
      </button>
    </form>
  );
}

function RegistryDetail({ r, now }: { r: KnownRegistry; now: number }) {
  const s = useRegistriesStore();
  const [testRepo, setTestRepo] = useState(defaultTestRepo(r));
  // Empty: the whole catalog, or, for lists that need a namespace, the recent images repo's (the main process picks it).
  const [namespace, setNamespace] = useState('');
  const [editing, setEditing] = useState(false);
  const testing = s.testing === r.registry;
  const login = r.login;
  return (
    <section className="card registry-detail" aria-label={`Registry ${r.registry}`}>
      <div className="row spread">
        <h2>{r.registry}</h2>
        {r.removable && (
          <button type="button" onClick={() => void s.remove(r.registry)} title="Forget Stowage's entry, settings, saved credential and last test for this registry">
            Remove
          </button>
        )}
      </div>
      <dl className="facts">
        <dt>Implementation</dt>
        <dd data-testid="registry-implementation">
          {r.implementationTitle} <span className="muted">({r.implementationSource === 'setting' ? 'chosen' : 'detected'})</span>
        </dd>
        <dt>Known from</dt>
        <dd>{r.origins.map((o) => ORIGIN_LABEL[o]).join(', ')}</dd>
        <dt>Login</dt>
        <dd data-testid="registry-login">
          <span className={`badge login-${login.state}`}>{LOGIN_LABEL[login.state]}</span> {login.sourceDetail && <span className="muted">{login.sourceDetail}</span>}
          {login.username && <span> as <code>{login.username}</code></span>}
          {login.expiresAt && <span className="muted"> · expires {new Date(login.expiresAt).toLocaleString()}</span>}
          {login.problem && <div className="muted">{login.problem} <Hint text={login.hint} /></div>}
        </dd>
        <dt>Last test</dt>
        <dd data-testid="registry-last-test">
          {r.lastTest ? (
            <>
              <span className={r.lastTest.ok ? 'ok-text' : 'error-text'}>{r.lastTest.ok ? 'passed' : 'failed'}</span> <span className="muted">{ago(r.lastTest.at, now)} · {r.lastTest.imagesRepo}</span>
              <div className="muted small">{r.lastTest.summary}</div>
            </>
          ) : (
            <span className="muted">never tested</span>
          )}
        </dd>
        <dt>Settings</dt>
        <dd data-testid="registry-settings">
          {describeSettings(r)}{' '}
          <button type="button" className="ghost disclosure" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {editing ? 'Close' : 'Edit'}
          </button>
        </dd>
      </dl>
      {editing && <RegistrySettingsForm r={r} onDone={() => setEditing(false)} />}
      <form
        className="row registry-action"
        onSubmit={(e) => {
          e.preventDefault();
          if (!testing && testRepo.trim()) void s.test(r.registry, testRepo.trim(), r.implementation);
        }}
      >
        <label htmlFor="registry-test-repo" className="sr-only">Images repo to test</label>
        <input id="registry-test-repo" type="text" value={testRepo} spellCheck={false} onChange={(e) => setTestRepo(e.target.value)} />
        {testing ? (
          <button type="button" onClick={s.cancelTest}>Cancel test</button>
        ) : (
          <button type="submit">Test</button>
        )}
      </form>
      {testing && (
        <ul className="check-steps" aria-live="polite">
          {s.testSteps.map((step) => (
            <li key={step.name} className={`check-step ${step.status}`}>
              <strong>{step.title}</strong> <span className="muted">{step.detail}</span>
            </li>
          ))}
        </ul>
      )}
      <form
        className="row registry-action"
        onSubmit={(e) => {
          e.preventDefault();
          void s.listCatalog(r.registry, r.implementation, namespace);
        }}
      >
        <label htmlFor="catalog-namespace" className="sr-only">Namespace to list</label>
        <input id="catalog-namespace" type="text" value={namespace} spellCheck={false} placeholder={defaultNamespace(r) ? `namespace, owner or project (optional; starts from ${defaultNamespace(r)} where one is needed)` : 'namespace, owner or project (optional)'} onChange={(e) => setNamespace(e.target.value)} />
        <button type="submit" className="primary">Browse catalog</button>
      </form>
    </section>
  );
}

function describeSettings(r: KnownRegistry): string {
  const st = r.settings;
  if (!st) return 'defaults (TLS verified)';
  const parts: string[] = [];
  if (st.plainHttp) parts.push('plain HTTP');
  if (st.insecureSkipVerify) parts.push('TLS not verified');
  if (st.caFile) parts.push(`CA ${st.caFile}`);
  if (st.apiBaseUrl) parts.push(`API ${st.apiBaseUrl}`);
  if (st.sdkEndpoint) parts.push(`SDK endpoint ${st.sdkEndpoint}`);
  if (st.concurrency) parts.push(`${st.concurrency} requests at once`);
  return parts.length > 0 ? parts.join(' · ') : 'defaults (TLS verified)';
}
