import type { Problem } from '../../shared/problems';
import { Hint } from './Hint';

export interface DisplayProblem {
  severity: Problem['severity'];
  message: string;
  hint?: string;
  code?: string;
  image?: string | null;
  /** `preview`: about the whole preview (address, mode, tags), so no image is named. */
  scope?: 'image' | 'preview';
  location?: Problem['location'];
}

export function ProblemList({ problems, title }: { problems: readonly DisplayProblem[]; title?: string }) {
  if (problems.length === 0) return null;
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <section className="problems" aria-label={title ?? 'Problems'}>
      {title && (
        <h3>
          {title} <span className="count">{errors > 0 ? `${errors} error${errors > 1 ? 's' : ''}` : ''}{errors > 0 && problems.length > errors ? ', ' : ''}{problems.length > errors ? `${problems.length - errors} warning${problems.length - errors > 1 ? 's' : ''}` : ''}</span>
        </h3>
      )}
      <ul>
        {problems.map((p, i) => (
          <li key={i} className={`problem ${p.severity}`} data-code={p.code}>
            <span className="severity" aria-label={p.severity}>{p.severity === 'error' ? '✕' : '!'}</span>
            <div>
              <div className="message">
                {p.location && (
                  <code className="location">
                    {p.location.file}:{p.location.line}:{p.location.column}
                  </code>
                )}
                {p.image !== undefined && p.scope !== 'preview' && <span className="image-ref">{p.image === null ? 'nameless image' : p.image}</span>}
                <Hint text={p.message} />
              </div>
              {p.hint && <div className="hint"><Hint text={p.hint} /></div>}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
