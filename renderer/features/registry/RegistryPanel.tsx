import { useEffect, useMemo, useRef, useState } from 'react';
import { credentialInUse, type CheckTarget } from '../../../shared/credentials/check-target';
import { describeStorage, MEMORY_BACKEND } from '../../../shared/credentials/storage-text';
import { DEFAULT_CONCURRENCY, LISTING_LIMITS, MAX_CONCURRENCY, type CredentialsState, type CredentialSummary, type RegistrySettings } from '../../../shared/credentials/types';
import { credentialGuide, implementationInfo } from '../../../shared/registry/implementation-registry';
import { detectImplementation } from '../../../shared/registry/detect';
import type { Implementation } from '../../../shared/registry/implementations';
import { usePreviewStore } from '../../stores/preview-store';
import { useProjectStore } from '../../stores/project-store';
import { selectCheckResult, useRegistryStore, type CheckResult } from '../../stores/registry-store';
import { CheckSteps } from './CheckSteps';
import { CredentialGuideCard } from './CredentialGuideCard';

const SOURCE_LABEL: Record<CredentialSummary['source'], string> = {
  'docker-auth-config-env': 'DOCKER_AUTH_CONFIG',
  'docker-config': 'Docker config.json',
  'credential-helper': 'Docker credential helper',
  'werf-env': 'werf environment variables',
  'github-env': 'GITHUB_TOKEN',
  'gitlab-ci-env': 'GitLab CI variables',
  'aws-chain': 'AWS credential chain',
  'azure-chain': 'Azure credential chain',
  'google-token': 'Google access token',
  saved: 'Saved in Stowage',
  session: 'Entered for this session',
};

/** Credentials and "Test connection" for the images repo typed in the preview. */
export function RegistryPanel() {
  const preview = usePreviewStore();
  const host = useProjectStore((s) => s.info?.host);
  const { credentials, error, load, check, cancelCheck } = useRegistryStore();
  const detection = useMemo(() => (preview.imagesRepo.trim() ? detectImplementation(preview.imagesRepo.trim()) : null), [preview.imagesRepo]);
  // Cloud sources (AWS, Azure, Google) are only looked up for the registry being looked at.
  useEffect(() => {
    const timer = setTimeout(() => void load(detection?.registry), 250);
    return () => clearTimeout(timer);
  }, [load, detection?.registry]);
  const implementation: Implementation | null = detection ? (preview.implementation === 'auto' ? detection.implementation : preview.implementation) : null;
  const registry = detection?.registry ?? null;
  const sources = credentials?.summaries.filter((s) => s.registry === registry) ?? [];
  const inUse = credentialInUse(sources);
  // A result is shown only for what it tested: this host, as this implementation, with this credential.
  const target: CheckTarget | null = registry && implementation ? { registry, implementation, credential: inUse } : null;
  const result = useRegistryStore((s) => (target ? selectCheckResult(s, target) : null));
  const checkCard = useRef<HTMLElement>(null);
  const startCheck = (t: CheckTarget) => {
    void check(preview.imagesRepo.trim(), preview.implementation, t);
    // The steps appear below the credentials and settings: bring them into view on a small window.
    checkCard.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };

  return (
    <div className="registry-panel">
      <div className="preview-form">
        <div className="field grow">
          <label htmlFor="registry-images-repo">Images repo</label>
          <input id="registry-images-repo" type="text" value={preview.imagesRepo} placeholder="e.g. 127.0.0.1:5000/team/app" spellCheck={false} onChange={(e) => preview.update({ imagesRepo: e.target.value })} />
        </div>
        {implementation && (
          <div className="field">
            <span className="label-like">Implementation</span>
            <strong data-testid="registry-implementation">{implementationInfo(implementation).title}</strong>
          </div>
        )}
      </div>
      {error && <div className="banner error" role="alert"><strong>{error.message}</strong> {error.hint}</div>}
      {!detection || !implementation || !registry || !target ? (
        <p className="empty-state">Type the images repo to see which credentials it needs and to test the connection.</p>
      ) : (
        <div className="registry-grid">
          <div className="registry-main">
            <section className="card" aria-label="Credentials in use">
              <h3>Credentials for <code>{registry}</code></h3>
              {sources.length === 0 ? (
                <p className="muted">No credentials found for this registry. Stowage will try anonymously; enter credentials below or run <code>docker login {registry}</code>.</p>
              ) : (
                <ul className="sources">
                  {sources.map((s, i) => (
                    <li key={`${s.source}-${i}`} className={s.usable ? 'usable' : 'unusable'} data-source={s.source}>
                      <strong>{SOURCE_LABEL[s.source]}</strong> <span className="muted">{s.sourceDetail}</span>
                      {s.username && <span> · user <code>{s.username}</code></span>}
                      {s.expiresAt && <span className="muted"> · expires {new Date(s.expiresAt).toLocaleString()}</span>}
                      {s === inUse && <span className="badge">in use</span>}
                      {s.problem && <div className="warn-text">{s.problem}{s.hint ? ` — ${s.hint}` : ''}</div>}
                    </li>
                  ))}
                </ul>
              )}
              <CredentialForm registry={registry} implementation={implementation} browserHost={host === 'browser'} current={sources.find((s) => s.source === 'saved' || s.source === 'session')} />
            </section>
            <ConnectionSettings registry={registry} implementation={implementation} current={credentials?.settings.find((s) => s.registry === registry)} />
            <section className="card" aria-label="Test connection" ref={checkCard}>
              <div className="row spread">
                <h3>Test connection</h3>
                {result?.running ? (
                  <button type="button" onClick={cancelCheck}>Cancel</button>
                ) : (
                  <button type="button" className="primary" onClick={() => startCheck(target)}>Test connection</button>
                )}
              </div>
              <p className="muted">Resolves the host, checks TLS, asks for tokens to pull, push and delete, lists tags, and checks the delete permission without deleting anything.</p>
              {result && <CheckResultView result={result} />}
            </section>
          </div>
          <CredentialGuideCard implementation={implementation} />
        </div>
      )}
    </div>
  );
}

/** A check's steps and verdict, labelled with what it tested, so it can't be read as another registry's. */
function CheckResultView({ result }: { result: CheckResult }) {
  const { target, report } = result;
  const credential = report ? report.credentialSource : target.credential;
  return (
    <div className="check-result" data-testid="check-result">
      <p className="muted check-result-label" data-testid="check-result-label">
        {result.running ? 'Testing' : 'Result for'} <code>{result.imagesRepo}</code> as {implementationInfo(target.implementation).title},{' '}
        {credential ? <>with {SOURCE_LABEL[credential.source]}{credential.username ? <> (user <code>{credential.username}</code>)</> : null}</> : 'anonymously'}
        {result.finishedAt !== null && <> · {new Date(result.finishedAt).toLocaleTimeString()}</>}
      </p>
      <CheckSteps steps={result.steps} running={result.running} />
      {result.error && <div className="banner error" role="alert"><strong>{result.error.message}</strong> {result.error.hint}</div>}
      {report && (
        <div className={`banner ${report.readOk ? 'ok' : 'error'}`} role="status" data-testid="check-verdict">
          {report.readOk ? 'Read access works.' : 'Read access does not work yet: see the failed step.'}
        </div>
      )}
    </div>
  );
}

function CredentialForm({ registry, implementation, browserHost, current }: { registry: string; implementation: Implementation; browserHost: boolean; current: CredentialSummary | undefined }) {
  const savedHere = current !== undefined;
  const { save, remove, saved, credentials } = useRegistryStore();
  const form = credentialGuide(implementation).form;
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [persist, setPersist] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setUsername('');
    setSecret('');
  }, [registry]);

  return (
    <form
      className="credential-form"
      autoComplete="off"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        const ok = await save({ registry, implementation, ...(username ? { username } : {}), secret, ...(browserHost ? { persist } : {}) });
        setBusy(false);
        // The secret leaves the renderer's memory as soon as the main process has it.
        if (ok) setSecret('');
      }}
    >
      <h4>Enter credentials</h4>
      <div className="row">
        {form.username && (
          <label className="stack">
            {form.username}
            <input type="text" value={username} placeholder={form.usernamePlaceholder} spellCheck={false} autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
          </label>
        )}
        <label className="stack">
          {form.secret}
          <input type="password" value={secret} autoComplete="new-password" onChange={(e) => setSecret(e.target.value)} />
        </label>
      </div>
      {browserHost && (
        <label className="check">
          <input type="checkbox" checked={persist} onChange={(e) => setPersist(e.target.checked)} />
          Remember after Stowage stops
        </label>
      )}
      <StorageNote storage={credentials?.storage} persist={browserHost && persist} current={current} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy || !secret || (form.username !== null && !username)}>Save credentials</button>
        {savedHere && <button type="button" onClick={() => void remove(registry)}>Forget saved credentials</button>}
        {saved === registry && <span className="ok-text" role="status">Saved.</span>}
      </div>
    </form>
  );
}

/**
 * Where the next save goes, in describeStorage's words: the one place the form describes storage.
 * (A saved credential's row says how it is kept in the same words.)
 */
function StorageNote({ storage, persist, current }: { storage: CredentialsState['storage'] | undefined; persist: boolean; current: CredentialSummary | undefined }) {
  if (!storage) return null;
  const backend = persist && storage.optIn ? storage.optIn.backend : storage.backend;
  const reason = persist && storage.optIn ? storage.optIn.warning : storage.warning;
  const text = describeStorage({ backend, ...(storage.file !== undefined ? { file: storage.file } : {}), ...(reason !== undefined ? { reason } : {}) });
  // The saved credential's row already says this sentence: say it once.
  const sameAsSaved = current !== undefined && current.sourceDetail === text.sentence;
  return (
    <p className={text.warn && !sameAsSaved ? 'warn-text' : 'muted'} data-testid="storage-note">
      {sameAsSaved ? 'Saving again replaces the credential above, kept the same way.' : text.sentence}
      {/* The store keeps one entry per registry: a save to memory removes the remembered one from the file. */}
      {!sameAsSaved && current?.source === 'saved' && backend === MEMORY_BACKEND ? ' Saving replaces the remembered credential above, which is removed from the file.' : ''} The password is never shown again.
    </p>
  );
}

function ConnectionSettings({ registry, implementation, current }: { registry: string; implementation: Implementation; current: RegistrySettings | undefined }) {
  const saveSettings = useRegistryStore((s) => s.saveSettings);
  const settingsSaved = useRegistryStore((s) => s.settingsSaved);
  const clearSettingsSaved = useRegistryStore((s) => s.clearSettingsSaved);
  const [draft, setDraftState] = useState<RegistrySettings>(current ?? { registry });
  const [open, setOpen] = useState(Boolean(current));
  useEffect(() => setDraftState(current ?? { registry }), [current, registry]);
  // "Saved" describes the settings on screen: an edit afterwards is not saved yet.
  const setDraft = (next: RegistrySettings) => {
    setDraftState(next);
    clearSettingsSaved();
  };
  // Which settings mean something here is catalogue data, not a list of registry names.
  const { apiBaseUrl, sdkEndpoint } = implementationInfo(implementation).settings;
  const text = (key: 'caFile' | 'apiBaseUrl' | 'sdkEndpoint', label: string, placeholder: string) => (
    <label className="stack">
      {label}
      <input type="text" value={draft[key] ?? ''} placeholder={placeholder} spellCheck={false} onChange={(e) => setDraft({ ...draft, [key]: e.target.value || undefined })} />
    </label>
  );
  return (
    <section className="card" aria-label="Connection settings">
      <button type="button" className="ghost disclosure" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} Connection settings for <code>{registry}</code>
      </button>
      {open && (
        <form
          className="settings-form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveSettings({ ...draft, registry, implementation });
          }}
        >
          {text('caFile', 'Custom CA certificate (PEM file)', '/etc/ssl/private-ca.pem')}
          <label className="check">
            <input type="checkbox" checked={Boolean(draft.insecureSkipVerify)} onChange={(e) => setDraft({ ...draft, insecureSkipVerify: e.target.checked || undefined })} />
            Skip TLS verification for this registry only
          </label>
          {draft.insecureSkipVerify && <div className="warn-text">Anyone on the network path can read your credentials for this registry. Prefer the CA file.</div>}
          <label className="check">
            <input type="checkbox" checked={Boolean(draft.plainHttp)} onChange={(e) => setDraft({ ...draft, plainHttp: e.target.checked || undefined })} />
            Plain HTTP (no TLS) for this registry only
          </label>
          {apiBaseUrl && text('apiBaseUrl', 'API base URL (self-hosted or enterprise)', apiBaseUrl.placeholder)}
          {sdkEndpoint && text('sdkEndpoint', 'SDK endpoint (private endpoint or emulator)', sdkEndpoint.placeholder)}
          <label className="stack narrow">
            Parallel requests (1–{MAX_CONCURRENCY})
            <input
              type="number"
              min={1}
              max={MAX_CONCURRENCY}
              step={1}
              value={draft.concurrency ?? ''}
              placeholder={String(DEFAULT_CONCURRENCY)}
              onChange={(e) => {
                const n = e.target.valueAsNumber;
                setDraft({ ...draft, concurrency: Number.isInteger(n) ? Math.min(MAX_CONCURRENCY, Math.max(1, n)) : undefined });
              }}
            />
            <span className="muted">Lower it for a registry that throttles; listing a big repository sends this many requests at once.</span>
          </label>
          <label className="stack narrow">
            Most tags per listing
            <input
              type="number"
              min={1}
              max={LISTING_LIMITS.maxMaxTags}
              step={1}
              value={draft.maxTags ?? ''}
              placeholder={String(LISTING_LIMITS.defaultMaxTags)}
              onChange={(e) => {
                const n = e.target.valueAsNumber;
                setDraft({ ...draft, maxTags: Number.isInteger(n) ? Math.min(LISTING_LIMITS.maxMaxTags, Math.max(1, n)) : undefined });
              }}
            />
          </label>
          <label className="stack narrow">
            Most MiB of tag lists per listing
            <input
              type="number"
              min={1}
              max={LISTING_LIMITS.maxMaxMiB}
              step={1}
              value={draft.maxListingMiB ?? ''}
              placeholder={String(LISTING_LIMITS.defaultMaxMiB)}
              onChange={(e) => {
                const n = e.target.valueAsNumber;
                setDraft({ ...draft, maxListingMiB: Number.isInteger(n) ? Math.min(LISTING_LIMITS.maxMaxMiB, Math.max(1, n)) : undefined });
              }}
            />
            <span className="muted">A listing stops there and is marked partial (a registry whose pages never end cannot exhaust memory); cleanup never plans from a partial listing.</span>
          </label>
          <div className="row">
            <button type="submit">Save settings</button>
            {settingsSaved === registry && (
              <span className="ok-text" role="status" data-testid="settings-saved">
                Saved for {registry}: the next check and listing use them.
              </span>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
