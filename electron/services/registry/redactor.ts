import { Secret } from '../credentials/secret';

const REDACTED = '[redacted]';

/**
 * Exact-match scrubbing of every secret a check has handled (passwords, Basic header values,
 * tokens it was issued). Step texts are built without secrets; this is the second fence, for text
 * that came from outside (a registry echoing a header, an SDK error quoting a request).
 */
export class Redactor {
  readonly #known = new Set<string>();

  add(value: Secret | string | undefined): void {
    const text = value instanceof Secret ? value.reveal() : value;
    // Very short values would blank ordinary words; no real secret is that short.
    if (text !== undefined && text.length >= 6) this.#known.add(text);
  }

  scrub(text: string): string {
    let out = text;
    for (const known of [...this.#known].sort((a, b) => b.length - a.length)) {
      if (out.includes(known)) out = out.split(known).join(REDACTED);
    }
    return out;
  }

  /** A deep copy with every string scrubbed. */
  scrubDeep<T>(value: T): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.scrubDeep(v)) as T;
    if (value !== null && typeof value === 'object' && !(value instanceof Secret)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.scrubDeep(v);
      return out as T;
    }
    return value;
  }
}
