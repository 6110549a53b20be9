/** A piece of problem or hint text: plain words, or a `code` span the text marked with backticks. */
export type TextPart = { code: boolean; text: string };

/**
 * Splits text written with the backtick convention the problem hints use (`werf build`,
 * `image: NAME`) into plain and code parts. A backtick without its partner is kept as written,
 * so text that merely contains one is never swallowed.
 */
export function codeSpans(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('`', i);
    if (open < 0) break;
    const close = text.indexOf('`', open + 1);
    if (close < 0) break;
    if (close === open + 1) {
      // An empty pair is not a span; keep both backticks.
      plain += text.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    plain += text.slice(i, open);
    if (plain) parts.push({ code: false, text: plain });
    plain = '';
    parts.push({ code: true, text: text.slice(open + 1, close) });
    i = close + 1;
  }
  plain += text.slice(i);
  if (plain) parts.push({ code: false, text: plain });
  return parts;
}
