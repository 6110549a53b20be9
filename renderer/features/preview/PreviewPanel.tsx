import { Fragment, useDeferredValue, useMemo, useRef } from 'react';
import type { ProjectView } from '../../../shared/api/types';
import { previewNames } from '../../../shared/naming/preview';
import type { TagStrategy } from '../../../shared/naming/tags';
import { implementationIds, implementationInfo } from '../../../shared/registry/implementation-registry';
import type { ImplementationChoice } from '../../../shared/registry/implementations';
import { CopyButton } from '../../components/CopyButton';
import { copyableNames } from '../../../shared/naming/copy-names';
import { Hint } from '../../components/Hint';
import { ProblemList } from '../../components/ProblemList';
import { EnvOverridesMarker } from '../../components/EnvOverridesMarker';
import { tagInputs, usePreviewStore, type RepoModeChoice } from '../../stores/preview-store';
import { ImplementationCard } from './ImplementationCard';
import { placeReasons } from './reasons';
import { useRevealWhenShown } from '../../components/reveal';

const STRATEGY_LABEL: Record<TagStrategy, string> = {
  custom: 'Custom tags',
  'git-branch': 'Git branch',
  'git-tag': 'Git tag',
  'git-commit': 'Git commit',
};

const EXAMPLES = ['flant', 'flant/project', 'quay.io/acme', 'ghcr.io/acme/app', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app'];

/** Type an images repo, see every final name at once. Computed in the renderer: it is pure and instant. */
export function PreviewPanel({ view }: { view: ProjectView }) {
  const s = usePreviewStore();
  const settings = useDeferredValue(s);
  const finalImages = useMemo(() => view.images.filter((i) => i.final && i.kind !== 'artifact').map((i) => ({ name: i.name })), [view.images]);
  const preview = useMemo(() => {
    if (!settings.imagesRepo.trim()) return null;
    return previewNames({
      images: finalImages,
      imagesRepo: settings.imagesRepo.trim(),
      mode: settings.mode,
      implementation: settings.implementation,
      tags: tagInputs(settings),
    });
  }, [finalImages, settings]);

  const gitField = (strategy: Exclude<TagStrategy, 'custom'>, key: 'branch' | 'gitTag' | 'commit', placeholder: string) => (
    <div className="strategy">
      <label className="check">
        <input type="checkbox" aria-label={`Use ${STRATEGY_LABEL[strategy].toLowerCase()}`} checked={s.strategies[strategy]} onChange={() => s.toggleStrategy(strategy)} />
        {STRATEGY_LABEL[strategy]}
      </label>
      <input
        type="text"
        aria-label={STRATEGY_LABEL[strategy]}
        value={s[key]}
        placeholder={placeholder}
        spellCheck={false}
        disabled={!s.strategies[strategy]}
        onChange={(e) => s.update({ [key]: e.target.value })}
      />
    </div>
  );

  return (
    <div className="preview">
      <div className="preview-form">
        <div className="field grow">
          <label htmlFor="images-repo">Images repo</label>
          <input
            id="images-repo"
            type="text"
            value={s.imagesRepo}
            placeholder="e.g. flant, flant/project, quay.io/acme"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => s.update({ imagesRepo: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="implementation">Implementation</label>
          <select id="implementation" value={s.implementation} onChange={(e) => s.update({ implementation: e.target.value as ImplementationChoice })}>
            <option value="auto">auto{preview ? ` (${preview.detection.implementation})` : ''}</option>
            {implementationIds().map((impl) => (
              <option key={impl} value={impl}>{implementationInfo(impl).title}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="repo-mode">Repo mode</label>
          <select id="repo-mode" value={s.mode} onChange={(e) => s.update({ mode: e.target.value as RepoModeChoice })}>
            <option value="auto">auto{preview?.mode && s.mode === 'auto' ? ` (${preview.mode})` : ''}</option>
            <option value="multirepo">multirepo</option>
            <option value="monorepo">monorepo</option>
          </select>
        </div>
      </div>
      <fieldset className="strategies">
        <legend>Tagging strategies</legend>
        <div className="strategy">
          <label className="check">
            <input type="checkbox" aria-label="Use custom tags" checked={s.strategies.custom} onChange={() => s.toggleStrategy('custom')} />
            {STRATEGY_LABEL.custom}
          </label>
          <input type="text" aria-label="Custom tags" value={s.customTags} placeholder="latest, v1.2.3" spellCheck={false} disabled={!s.strategies.custom} onChange={(e) => s.update({ customTags: e.target.value })} />
        </div>
        {gitField('git-branch', 'branch', 'main')}
        {gitField('git-tag', 'gitTag', 'v1.0.0')}
        {gitField('git-commit', 'commit', '40-character commit hash')}
      </fieldset>

      {!preview ? (
        <div className="empty-state">
          <p>Type the images repo you publish to. Try:</p>
          <p className="examples">
            {EXAMPLES.map((e) => (
              <button key={e} type="button" className="chip" onClick={() => s.update({ imagesRepo: e })}>{e}</button>
            ))}
          </p>
        </div>
      ) : (
        <div className="preview-result">
          <div className="resolution" aria-live="polite">
            <div>
              <span className="label">Implementation</span>
              <strong data-testid="resolved-implementation">{implementationInfo(preview.implementation).title}</strong>
              <span className="muted"> {preview.implementationSource === 'override' ? '(chosen by you)' : `(detected: ${preview.detection.reason})`}</span>
            </div>
            <div>
              <span className="label">Repo mode</span>
              {preview.mode === null ? (
                // No mode: say which was asked for and werf's own reason, not a mode called "none".
                <>
                  <strong data-testid="resolved-mode" className="error-text">{preview.modeSource === 'auto' ? 'auto' : settings.mode} cannot be used</strong>
                  <span className="error-text" data-testid="mode-reason"> {preview.modeReason}</span>
                </>
              ) : (
                <>
                  <strong data-testid="resolved-mode">{preview.mode}</strong>
                  <span className="muted"> {preview.modeSource === 'auto' ? `(auto: ${preview.modeReason})` : '(chosen by you)'}</span>
                </>
              )}
            </div>
            <EnvOverridesMarker view={view} where="names" />
          </div>
          <ProblemList problems={preview.problems} title="Naming problems" />
          {preview.mode === null ? (
            <p className="empty-state" data-testid="no-names-reason">No final names: the repo mode cannot be used with this address. Change the address or the repo mode as the problem above says.</p>
          ) : (
            <NamesTable preview={preview} />
          )}
          <ImplementationCard implementation={preview.implementation} />
        </div>
      )}
    </div>
  );
}

type Preview = ReturnType<typeof previewNames>;

/** How many images a preview names, and how many of its names are invalid: the table's caption. */
function countNames(preview: Preview): { names: number; invalid: number } {
  let names = 0;
  let invalid = 0;
  for (const image of preview.images) {
    for (const tag of image.tags) {
      names++;
      if (tag.invalid) invalid++;
    }
  }
  return { names, invalid };
}

/**
 * Final names grouped by image: one header row per image, one row per tag. An invalid name is
 * marked, says why and has no Copy button; a duplicate definition is listed, not dropped.
 */
function NamesTable({ preview }: { preview: Preview }) {
  const wrap = useRef<HTMLDivElement>(null);
  const { names, invalid } = countNames(preview);
  const reasons = useMemo(() => placeReasons(preview.images), [preview.images]);
  const hasNames = names > 0;
  // The names usually appear below the form the user is typing in: bring them into view once,
  // when they first arrive, without moving the page on every keystroke after that.
  useRevealWhenShown(wrap, hasNames);
  if (preview.images.length === 0) return <p className="empty-state">No final images to name.</p>;
  if (!hasNames) return <p className="empty-state">Choose at least one tagging strategy with a value to see final names.</p>;
  const copyable = copyableNames(preview);
  return (
    <div className="table-wrap names-wrap" ref={wrap}>
      <div className="names-actions">
        {copyable.length > 0 ? (
          <CopyButton text={copyable.join('\n')} caption={`Copy all ${copyable.length} valid name${copyable.length === 1 ? '' : 's'}`} label="Copy all valid final names" />
        ) : (
          <span className="muted">No valid name to copy: fix the errors above first.</span>
        )}
      </div>
      <table className="names-table" aria-label="Final image names" aria-describedby="names-caption">
        <caption id="names-caption" className={invalid > 0 ? 'has-invalid' : undefined}>
          {names} name{names === 1 ? '' : 's'} for {preview.images.length} image{preview.images.length === 1 ? '' : 's'}
          {invalid > 0 && <span className="invalid-count"> · {invalid} invalid (werf or the registry would refuse {invalid === 1 ? 'it' : 'them'})</span>}
          <Reasons list={reasons.all} label={invalid === names ? 'Why every name is invalid' : 'Why these names are invalid'} />
        </caption>
        <thead>
          <tr>
            <th scope="col">Strategy</th>
            <th scope="col">Tag</th>
            <th scope="col">Final name</th>
          </tr>
        </thead>
        {preview.images.map((image, i) => (
          <tbody key={i} className="image-group" data-image={image.name ?? '~'} data-duplicate={image.duplicate ? 'true' : undefined}>
            <tr className="image-row">
              <th scope="rowgroup" colSpan={3}>
                {image.name === null ? <em className="nameless">nameless image</em> : <code>{image.name}</code>}
                {image.duplicate && <span className="badge error" title="werf refuses a config that defines a name twice">duplicate definition</span>}
                <Reasons list={reasons.image[i] ?? []} label={`Why the names of ${image.name ?? 'the nameless image'} are invalid`} />
              </th>
            </tr>
            {image.tags.map((tag, t) => (
              <tr key={tag.strategy} className={tag.invalid ? 'invalid' : undefined} data-invalid={tag.invalid ? 'true' : undefined}>
                <td className="muted strategy-cell">{STRATEGY_LABEL[tag.strategy]}</td>
                <td className="tag-cell"><code data-testid="final-tag"><Breakable text={tag.tag} /></code></td>
                <td className="reference">
                  <div className="reference-line">
                    <code data-testid="final-name"><Breakable text={tag.reference} /></code>
                    {tag.invalid ? <span className="badge error invalid-badge">invalid</span> : <CopyButton text={tag.reference} />}
                  </div>
                  <Reasons list={reasons.tag[i]?.[t] ?? []} label={`Why ${tag.reference} is invalid`} />
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

function Reasons({ list, label }: { list: readonly string[]; label: string }) {
  if (list.length === 0) return null;
  return (
    <ul className="invalid-reasons" aria-label={label}>
      {list.map((reason) => <li key={reason}><Hint text={reason} /></li>)}
    </ul>
  );
}

/** A long name that may wrap after `/`, `:` and `-`, the places a person would break it, never mid-word. */
function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[/:-])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
