import { useId } from 'react';
import { defaultKeepPolicies, describeKeepPolicy } from '../../../shared/cleanup';
import type { PlanKeepPolicy, RulesPolicy, StrategyLimit } from '../../../shared/cleanup/types';
import type { KeepPolicyLimit, ReferenceMatcher } from '../../../shared/werf-config/types';
import { parseGoDuration } from '../../../shared/werf-config/go-duration';
import { useCleanupStore, type PolicyChoice, type StrategyLimits } from '../../stores/cleanup-store';

const CHOICES: { id: PolicyChoice; label: string; help: string }[] = [
  { id: 'auto', label: 'Automatic', help: 'Chosen from what the repository holds: werf metadata → git history; werf tag-strategy labels → tag strategy; otherwise nothing is deleted until you pick rules.' },
  { id: 'werf-git-history', label: 'werf git history', help: "werf's default: keepPolicies walk origin's branches and tags and keep the images their commits built." },
  { id: 'werf-tag-strategy', label: 'werf v1.1 tag strategy', help: 'Tags labelled git-branch / git-tag / git-commit go when their branch, tag or commit is gone from origin; limits and expiry per strategy.' },
  { id: 'rules', label: 'Rules', help: 'For images werf did not build: keep the newest, the young, the highest semver, by regex, or a protect list.' },
];

const intOrUndefined = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));

// ─── keepPolicies ───────────────────────────────────────────────────────────────────────────────

function matcherText(m: ReferenceMatcher | undefined): string {
  if (m === undefined) return '';
  return typeof m === 'string' ? m : `/${m.regex}/`;
}

function parseMatcher(text: string): ReferenceMatcher {
  const t = text.trim();
  return t.length >= 2 && t.startsWith('/') && t.endsWith('/') ? { regex: t.slice(1, -1) } : t;
}

function withLimit(limit: KeepPolicyLimit | undefined, patch: Partial<KeepPolicyLimit>): KeepPolicyLimit | undefined {
  const next: KeepPolicyLimit = { ...(limit ?? {}), ...patch };
  if ('in' in patch) {
    const ms = next.in ? parseGoDuration(next.in) : null;
    if (ms !== null && ms !== undefined) next.inMs = ms;
    else delete next.inMs;
  }
  for (const k of Object.keys(next) as (keyof KeepPolicyLimit)[]) if (next[k] === undefined || next[k] === '') delete next[k];
  return Object.keys(next).length > 0 ? next : undefined;
}

function LimitFields({ label, limit, onChange }: { label: string; limit: KeepPolicyLimit | undefined; onChange: (l: KeepPolicyLimit | undefined) => void }) {
  const id = useId();
  return (
    <fieldset className="limit">
      <legend>{label}</legend>
      <label htmlFor={`${id}-last`}>last</label>
      <input id={`${id}-last`} type="number" min={-1} step={1} value={limit?.last ?? ''} onChange={(e) => onChange(withLimit(limit, { last: intOrUndefined(e.target.value) }))} />
      <label htmlFor={`${id}-in`}>in</label>
      <input id={`${id}-in`} type="text" placeholder="168h" size={7} value={limit?.in ?? ''} onChange={(e) => onChange(withLimit(limit, { in: e.target.value.trim() || undefined }))} />
      <label htmlFor={`${id}-op`}>operator</label>
      <select id={`${id}-op`} value={limit?.operator ?? ''} onChange={(e) => onChange(withLimit(limit, { operator: (e.target.value || undefined) as KeepPolicyLimit['operator'] }))}>
        <option value="">(default)</option>
        <option value="And">And</option>
        <option value="Or">Or</option>
      </select>
    </fieldset>
  );
}

function KeepPoliciesEditor({ policies, fromWerfYaml }: { policies: PlanKeepPolicy[] | null; fromWerfYaml: boolean }) {
  const { setKeepPolicies } = useCleanupStore();
  const shown = policies ?? defaultKeepPolicies();
  const update = (i: number, p: PlanKeepPolicy) => setKeepPolicies(shown.map((x, j) => (j === i ? p : x)));
  return (
    <div className="keep-policies">
      <p className="muted">
        {policies === null ? "werf's default keepPolicies (werf.yaml writes none). Edit one to make them yours." : fromWerfYaml ? 'keepPolicies from werf.yaml, editable here (werf.yaml is not changed).' : 'Your keepPolicies.'}{' '}
        A value written <code>/RE/</code> is a Go regex; anything else matches exactly.
      </p>
      <ol>
        {shown.map((p, i) => {
          const kind = p.references.branch !== undefined ? 'branch' : 'tag';
          return (
            <li key={i} className="keep-policy" data-testid="keep-policy">
              <div className="row">
                <select aria-label={`Policy ${i + 1} reference kind`} value={kind} onChange={(e) => update(i, { ...p, references: { ...(e.target.value === 'branch' ? { branch: p.references.tag ?? p.references.branch ?? '' } : { tag: p.references.branch ?? p.references.tag ?? '' }), ...(p.references.limit ? { limit: p.references.limit } : {}) } })}>
                  <option value="branch">branch</option>
                  <option value="tag">tag</option>
                </select>
                <input aria-label={`Policy ${i + 1} ${kind}`} type="text" spellCheck={false} value={matcherText(p.references.branch ?? p.references.tag)} onChange={(e) => update(i, { ...p, references: { ...p.references, [kind]: parseMatcher(e.target.value) } })} />
                <button type="button" className="ghost" aria-label={`Remove policy ${i + 1}`} onClick={() => setKeepPolicies(shown.filter((_, j) => j !== i))}>✕</button>
              </div>
              <LimitFields label="references.limit" limit={p.references.limit} onChange={(l) => update(i, { ...p, references: { ...p.references, limit: l } })} />
              <LimitFields label="imagesPerReference" limit={p.imagesPerReference} onChange={(l) => update(i, { ...p, imagesPerReference: l })} />
              <p className="muted small">{describeKeepPolicy(p, i)}</p>
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" onClick={() => setKeepPolicies([...shown, { references: { branch: { regex: '.*' } } }])}>Add policy</button>
        {policies !== null && <button type="button" className="ghost" onClick={() => setKeepPolicies(null)}>Use werf's defaults</button>}
      </div>
    </div>
  );
}

// ─── werf v1.1 strategy limits ──────────────────────────────────────────────────────────────────

function StrategyLimitsEditor({ limits }: { limits: StrategyLimits }) {
  const { setLimits } = useCleanupStore();
  const row = (key: keyof StrategyLimits, label: string, flag: string) => {
    const l = limits[key];
    const put = (patch: Partial<StrategyLimit>) => setLimits({ ...limits, [key]: { ...l, ...patch } });
    return (
      <tr key={key}>
        <th scope="row">{label}</th>
        <td><input aria-label={`${label} limit`} type="number" min={-1} step={1} placeholder="-1" value={l.limit ?? ''} onChange={(e) => put({ limit: intOrUndefined(e.target.value) })} /></td>
        <td><input aria-label={`${label} expiry days`} type="number" min={-1} step={1} placeholder="-1" value={l.expiryDays ?? ''} onChange={(e) => put({ expiryDays: intOrUndefined(e.target.value) })} /></td>
        <td className="muted small"><code>--{flag}-strategy-limit</code> / <code>-expiry-days</code></td>
      </tr>
    );
  };
  return (
    <table className="strategy-limits">
      <thead><tr><th>Strategy</th><th>Limit</th><th>Expiry (days)</th><th>werf flag</th></tr></thead>
      <tbody>
        {row('gitBranch', 'git-branch', 'git-branch')}
        {row('gitTag', 'git-tag', 'git-tag')}
        {row('gitCommit', 'git-commit', 'git-commit')}
      </tbody>
    </table>
  );
}

// ─── rules ──────────────────────────────────────────────────────────────────────────────────────

const lines = (text: string): string[] | undefined => {
  const l = text.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  return l.length > 0 ? l : undefined;
};

function RulesEditor({ rules }: { rules: Omit<RulesPolicy, 'policy'> }) {
  const { setRules } = useCleanupStore();
  const put = (patch: Partial<Omit<RulesPolicy, 'policy'>>) => {
    const next = { ...rules, ...patch };
    for (const k of Object.keys(next) as (keyof typeof next)[]) if (next[k] === undefined) delete next[k];
    setRules(next);
  };
  return (
    <div className="rules-editor">
      <p className="muted small">First match wins: protect › keep regex › keep younger than › keep newest N › keep highest semver N › delete regex › otherwise delete (or keep, when a delete regex is set).</p>
      <label>Protect (exact tags, one per line)<textarea aria-label="Protect" rows={2} value={(rules.protect ?? []).join('\n')} onChange={(e) => put({ protect: lines(e.target.value) })} /></label>
      <label>Keep tags matching (Go regex, one per line)<textarea aria-label="Keep regex" rows={2} spellCheck={false} value={(rules.keep ?? []).join('\n')} onChange={(e) => put({ keep: lines(e.target.value) })} /></label>
      <label>Delete only tags matching (Go regex, one per line)<textarea aria-label="Delete regex" rows={2} spellCheck={false} value={(rules.delete ?? []).join('\n')} onChange={(e) => put({ delete: lines(e.target.value) })} /></label>
      <div className="row">
        <label>Keep newest per image<input aria-label="Keep newest" type="number" min={0} step={1} value={rules.keepNewest ?? ''} onChange={(e) => put({ keepNewest: intOrUndefined(e.target.value) })} /></label>
        <label>Keep highest semver per image<input aria-label="Keep semver" type="number" min={0} step={1} value={rules.keepSemver ?? ''} onChange={(e) => put({ keepSemver: intOrUndefined(e.target.value) })} /></label>
        <label>
          Keep younger than
          <input aria-label="Keep younger than" type="text" placeholder="168h" size={8} value={rules.keepYoungerThan?.duration ?? ''} onChange={(e) => put({ keepYoungerThan: e.target.value.trim() ? { duration: e.target.value.trim(), by: rules.keepYoungerThan?.by ?? 'created' } : undefined })} />
        </label>
        <select aria-label="Younger by" value={rules.keepYoungerThan?.by ?? 'created'} disabled={!rules.keepYoungerThan} onChange={(e) => rules.keepYoungerThan && put({ keepYoungerThan: { ...rules.keepYoungerThan, by: e.target.value as 'created' | 'pushed' } })}>
          <option value="created">by created</option>
          <option value="pushed">by pushed</option>
        </select>
      </div>
    </div>
  );
}

/** Choose the policy and edit its settings; every edit recomputes the plan. */
export function PolicyEditor({ fromWerfYaml }: { fromWerfYaml: boolean }) {
  const s = useCleanupStore();
  return (
    <section className="card policy-editor" aria-labelledby="policy-heading">
      <h3 id="policy-heading">Policy</h3>
      <div role="radiogroup" aria-label="Cleanup policy" className="policy-choices">
        {CHOICES.map((c) => (
          <label key={c.id} className={`policy-choice${s.policy === c.id ? ' active' : ''}`} title={c.help}>
            <input type="radio" name="cleanup-policy" value={c.id} checked={s.policy === c.id} onChange={() => s.setPolicy(c.id)} />
            {c.label}
          </label>
        ))}
      </div>
      <p className="muted small">{CHOICES.find((c) => c.id === s.policy)?.help}</p>
      {s.policy === 'werf-git-history' && <KeepPoliciesEditor policies={s.keepPolicies} fromWerfYaml={fromWerfYaml} />}
      {s.policy === 'werf-tag-strategy' && <StrategyLimitsEditor limits={s.limits} />}
      {s.policy === 'rules' && <RulesEditor rules={s.rules} />}
    </section>
  );
}
