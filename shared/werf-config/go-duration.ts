/**
 * Go's time.ParseDuration, which is what go-yaml uses for keep-policy `in:` values. Returns
 * milliseconds (fractional below 1 ms), or null for text Go would reject.
 */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go durations are int64 nanoseconds. */
const MAX_NS = 9223372036854775807;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function parseGoDuration(input: string): number | null {
  if (typeof input !== 'string') return null;
  let s = input;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return null;
  let totalNs = 0;
  let p = 0;
  while (p < s.length) {
    const c0 = s.charCodeAt(p);
    if (!(c0 === 46 || isDigit(c0))) return null;
    let intStart = p;
    while (p < s.length && isDigit(s.charCodeAt(p))) p++;
    const intPart = s.slice(intStart, p);
    let fracPart = '';
    if (s[p] === '.') {
      p++;
      intStart = p;
      while (p < s.length && isDigit(s.charCodeAt(p))) p++;
      fracPart = s.slice(intStart, p);
    }
    if (intPart === '' && fracPart === '') return null;
    const unitStart = p;
    while (p < s.length && s[p] !== '.' && !isDigit(s.charCodeAt(p))) p++;
    const unit = s.slice(unitStart, p);
    if (unit === '') return null;
    const scale = UNIT_NS[unit];
    if (scale === undefined) return null;
    const value = Number(intPart || '0') + (fracPart ? Number(`0.${fracPart}`) : 0);
    totalNs += value * scale;
    if (totalNs > MAX_NS) return null;
  }
  const ms = totalNs / 1e6;
  return negative && ms !== 0 ? -ms : ms;
}
