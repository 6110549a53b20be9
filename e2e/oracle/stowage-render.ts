/**
 * Stowage's side of the differential tests and the bench: renders an oracle case with
 * renderWerfConfig over the same in-memory files, environment and commit the Go oracle gets.
 */
import { renderWerfConfig, TemplateError } from '../../shared/gotemplate';
import { werfGlob } from '../../shared/gotemplate/werf-glob';
import type { OracleCase } from './oracle';

export type StowageOutcome = { ok: true; text: string } | { ok: false; error: string; class: ErrorClass };
export type ErrorClass = 'parse' | 'exec';

const PARSE_CODES = new Set(['syntax', 'unknown-function', 'undefined-variable']);

export function stowageRender(c: OracleCase): StowageOutcome {
  const files = c.files ?? {};
  try {
    const out = renderWerfConfig({
      configFile: { name: 'werf.yaml', text: c.config },
      partials: c.partials ?? [],
      giterminism: c.loose === false,
      werfEnv: c.werfEnv ?? '',
      ...(c.commit ? { commit: { hash: c.commit.hash, date: new Date(Number(c.commit.unix) * 1000), utcOffsetMinutes: 0 } } : {}),
      host: {
        env: (n) => (Object.prototype.hasOwnProperty.call(c.env ?? {}, n) ? c.env![n] : undefined),
        readFile: (p) => (Object.prototype.hasOwnProperty.call(files, p) ? files[p]! : null),
        glob: (pattern) => {
          const g = werfGlob(pattern);
          return Object.keys(files).filter((p) => g.test(p));
        },
        now: () => new Date(Date.UTC(2025, 0, 15, 12, 0, 0)),
      },
    });
    return { ok: true, text: out.text };
  } catch (e) {
    // A parse error inside a `tpl` string happens while the config executes, as in Go.
    const inTpl = e instanceof TemplateError && e.message.includes('of the template string');
    if (e instanceof TemplateError) return { ok: false, error: e.message, class: PARSE_CODES.has(e.code) && !inTpl ? 'parse' : 'exec' };
    return { ok: false, error: `crash: ${e instanceof Error ? e.stack : String(e)}`, class: 'exec' };
  }
}

