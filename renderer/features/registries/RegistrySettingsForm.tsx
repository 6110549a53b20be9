import { useState } from 'react';
import type { KnownRegistry } from '../../../shared/api/registries';
import type { RegistrySettings } from '../../../shared/credentials/types';
import { implementationIds, implementationInfo } from '../../../shared/registry/implementation-registry';
import type { Implementation } from '../../../shared/registry/implementations';
import { useRegistriesStore } from '../../stores/registries-store';

/** Edits one registry's connection settings (registry-settings.json); TLS relaxations stay per registry. */
export function RegistrySettingsForm({ r, onDone }: { r: KnownRegistry; onDone(): void }) {
  const saveSettings = useRegistriesStore((s) => s.saveSettings);
  const st = r.settings;
  const [implementation, setImplementation] = useState<Implementation | 'auto'>(st?.implementation ?? 'auto');
  const [plainHttp, setPlainHttp] = useState(Boolean(st?.plainHttp));
  const [insecure, setInsecure] = useState(Boolean(st?.insecureSkipVerify));
  const [caFile, setCaFile] = useState(st?.caFile ?? '');
  const [apiBaseUrl, setApiBaseUrl] = useState(st?.apiBaseUrl ?? '');
  const [sdkEndpoint, setSdkEndpoint] = useState(st?.sdkEndpoint ?? '');
  const info = implementationInfo(implementation === 'auto' ? r.implementation : implementation);
  return (
    <form
      className="settings-form"
      aria-label={`Settings of ${r.registry}`}
      onSubmit={(e) => {
        e.preventDefault();
        const next: RegistrySettings = { ...(st ?? {}), registry: st?.registry ?? r.registry };
        if (implementation === 'auto') delete next.implementation;
        else next.implementation = implementation;
        const setOrDrop = <K extends 'caFile' | 'apiBaseUrl' | 'sdkEndpoint'>(key: K, value: string) => {
          if (value.trim()) next[key] = value.trim();
          else delete next[key];
        };
        next.plainHttp = plainHttp;
        next.insecureSkipVerify = insecure;
        setOrDrop('caFile', caFile);
        setOrDrop('apiBaseUrl', apiBaseUrl);
        setOrDrop('sdkEndpoint', sdkEndpoint);
        void saveSettings(next).then((ok) => ok && onDone());
      }}
    >
      <div className="field">
        <label htmlFor="settings-impl">Implementation</label>
        <select id="settings-impl" value={implementation} onChange={(e) => setImplementation(e.target.value as Implementation | 'auto')}>
          <option value="auto">detect from the host</option>
          {implementationIds().map((id) => (
            <option key={id} value={id}>{implementationInfo(id).title}</option>
          ))}
        </select>
      </div>
      <label className="check"><input type="checkbox" checked={plainHttp} onChange={(e) => setPlainHttp(e.target.checked)} /> Plain HTTP (this registry only)</label>
      <label className="check"><input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> Skip TLS verification (this registry only)</label>
      <div className="field">
        <label htmlFor="settings-ca">CA file (PEM)</label>
        <input id="settings-ca" type="text" value={caFile} spellCheck={false} onChange={(e) => setCaFile(e.target.value)} />
      </div>
      {info.settings.apiBaseUrl && (
        <div className="field">
          <label htmlFor="settings-api">API base URL</label>
          <input id="settings-api" type="url" value={apiBaseUrl} spellCheck={false} placeholder={info.settings.apiBaseUrl.placeholder} onChange={(e) => setApiBaseUrl(e.target.value)} />
        </div>
      )}
      {info.settings.sdkEndpoint && (
        <div className="field">
          <label htmlFor="settings-sdk">SDK endpoint</label>
          <input id="settings-sdk" type="url" value={sdkEndpoint} spellCheck={false} placeholder={info.settings.sdkEndpoint.placeholder} onChange={(e) => setSdkEndpoint(e.target.value)} />
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary">Save settings</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
