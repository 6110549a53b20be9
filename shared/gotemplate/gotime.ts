/**
 * Go's time.Time as far as templates see it: layout-based Format/Parse ("2006-01-02 15:04:05"),
 * zones (Local, UTC and IANA names through Intl), String(), Duration formatting and parsing.
 */
import { FuncError } from './errors';
import { GO_KIND, GO_STRING, GO_TYPE } from './values';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Milliseconds of Go's zero time, January 1, year 1, 00:00:00 UTC. */
export const ZERO_TIME_MS = -62135596800000;

interface Zone {
  offset: number;
  name: string;
}

const zoneNameCache = new Map<string, Intl.DateTimeFormat>();

function shortZoneName(ms: number, timeZone: string | undefined): string {
  const key = timeZone ?? '';
  let f = zoneNameCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' });
    zoneNameCache.set(key, f);
  }
  const part = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName');
  const name = part?.value ?? '';
  // Intl falls back to "GMT+3" where tzdata has no letters; Go prints those zones as "+03".
  const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
  if (m) return m[1] + m[2].padStart(2, '0') + (m[3] && m[3] !== '00' ? m[3] : '');
  return name;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

function offsetIn(ms: number, timeZone: string): number {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    partsCache.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  let year = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  d.setUTCHours(Number(p.hour) % 24, Number(p.minute), Number(p.second), 0);
  return Math.round((d.getTime() - Math.floor(ms / 1000) * 1000) / 1000);
}

/** Resolves the zone in effect at ms for a location name; throws for unknown names. */
export function zoneAt(ms: number, loc: string): Zone {
  if (loc === 'UTC' || loc === '') return { offset: 0, name: 'UTC' };
  if (loc === 'Local') {
    const offset = -new Date(ms).getTimezoneOffset() * 60;
    return { offset, name: shortZoneName(ms, undefined) };
  }
  const offset = offsetIn(ms, loc);
  return { offset, name: shortZoneName(ms, loc) };
}

export function isValidLocation(loc: string): boolean {
  if (loc === 'UTC' || loc === 'Local' || loc === '') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: loc });
    return true;
  } catch {
    return false;
  }
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  yday: number;
}

export class GoTime {
  readonly [GO_TYPE] = 'time.Time';
  readonly [GO_KIND] = 'struct';

  constructor(
    /** Milliseconds since the Unix epoch. */
    readonly ms: number,
    /** Nanoseconds within the millisecond (0..999999), kept for sub-millisecond layouts. */
    readonly subNanos: number,
    readonly offset: number,
    readonly zoneName: string,
    readonly loc: string,
  ) {}

  static at(ms: number, loc: string, subNanos = 0): GoTime {
    const z = zoneAt(ms, loc);
    return new GoTime(ms, subNanos, z.offset, z.name, loc);
  }

  static fromDate(d: Date, loc = 'Local'): GoTime {
    return GoTime.at(d.getTime(), loc);
  }

  static fixed(ms: number, offset: number, name: string): GoTime {
    return new GoTime(ms, 0, offset, name, name === 'UTC' && offset === 0 ? 'UTC' : `fixed:${offset}`);
  }

  in(loc: string): GoTime {
    return GoTime.at(this.ms, loc, this.subNanos);
  }

  fields(): Fields {
    const d = new Date(this.ms + this.offset * 1000);
    const year = d.getUTCFullYear();
    const start = new Date(0);
    start.setUTCFullYear(year, 0, 1);
    start.setUTCHours(0, 0, 0, 0);
    const yday = Math.floor((d.getTime() - start.getTime()) / 86400000) + 1;
    return {
      year,
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
      yday,
    };
  }

  nanosecond(): number {
    const msPart = ((this.ms % 1000) + 1000) % 1000;
    return msPart * 1e6 + this.subNanos;
  }

  unixSeconds(): number {
    return Math.floor(this.ms / 1000);
  }

  format(layout: string): string {
    return formatTime(this, layout);
  }

  [GO_STRING](): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }

  toDate(): Date {
    return new Date(this.ms);
  }

  // Methods callable from templates, named as in Go.
  Year(): number {
    return this.fields().year;
  }
  Month(): number {
    return this.fields().month;
  }
  Day(): number {
    return this.fields().day;
  }
  Hour(): number {
    return this.fields().hour;
  }
  Minute(): number {
    return this.fields().minute;
  }
  Second(): number {
    return this.fields().second;
  }
  Nanosecond(): number {
    return this.nanosecond();
  }
  YearDay(): number {
    return this.fields().yday;
  }
  Weekday(): number {
    return this.fields().weekday;
  }
  Unix(): number {
    return this.unixSeconds();
  }
  UnixMilli(): number {
    return this.ms;
  }
  UnixNano(): number {
    return this.ms * 1e6 + this.subNanos;
  }
  Format(layout: unknown): string {
    return this.format(String(layout));
  }
  String(): string {
    return this[GO_STRING]();
  }
  UTC(): GoTime {
    return this.in('UTC');
  }
  Local(): GoTime {
    return this.in('Local');
  }
  IsZero(): boolean {
    return this.ms === ZERO_TIME_MS && this.subNanos === 0;
  }
  Add(ns: unknown): GoTime {
    const n = typeof ns === 'number' ? ns : 0;
    return GoTime.at(this.ms + Math.trunc(n / 1e6), this.loc.startsWith('fixed:') ? 'UTC' : this.loc, this.subNanos);
  }
  AddDate(y: unknown, m: unknown, d: unknown): GoTime {
    const f = this.fields();
    const local = new Date(0);
    local.setUTCFullYear(f.year + Number(y), f.month - 1 + Number(m), f.day + Number(d));
    local.setUTCHours(f.hour, f.minute, f.second, ((this.ms % 1000) + 1000) % 1000);
    return GoTime.at(local.getTime() - this.offset * 1000, this.loc.startsWith('fixed:') ? 'UTC' : this.loc, this.subNanos);
  }
  Before(o: unknown): boolean {
    return o instanceof GoTime && this.UnixNano() < o.UnixNano();
  }
  After(o: unknown): boolean {
    return o instanceof GoTime && this.UnixNano() > o.UnixNano();
  }
  Equal(o: unknown): boolean {
    return o instanceof GoTime && this.UnixNano() === o.UnixNano();
  }
  Sub(o: unknown): number {
    return o instanceof GoTime ? this.UnixNano() - o.UnixNano() : 0;
  }
}

// --- layouts ------------------------------------------------------------------------------------

type Std =
  | 'longMonth'
  | 'month'
  | 'numMonth'
  | 'zeroMonth'
  | 'longWeekDay'
  | 'weekDay'
  | 'day'
  | 'underDay'
  | 'zeroDay'
  | 'underYearDay'
  | 'zeroYearDay'
  | 'hour'
  | 'hour12'
  | 'zeroHour12'
  | 'minute'
  | 'zeroMinute'
  | 'second'
  | 'zeroSecond'
  | 'longYear'
  | 'year'
  | 'PM'
  | 'pm'
  | 'tz'
  | 'iso8601TZ'
  | 'iso8601SecondsTZ'
  | 'iso8601ShortTZ'
  | 'iso8601ColonTZ'
  | 'iso8601ColonSecondsTZ'
  | 'numTZ'
  | 'numSecondsTz'
  | 'numShortTZ'
  | 'numColonTZ'
  | 'numColonSecondsTZ'
  | 'frac0'
  | 'frac9';

interface Chunk {
  prefix: string;
  std: Std | null;
  suffix: string;
  /** Digits of a fractional-second element, and its separator. */
  fracDigits: number;
  fracSep: string;
}

const STD0X: Std[] = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'];

function startsWithLower(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 97 && c <= 122;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function nextStdChunk(layout: string): Chunk {
  const mk = (i: number, std: Std, rest: number, fracDigits = 0, fracSep = ''): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(rest),
    fracDigits,
    fracSep,
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const at = (s: string): boolean => layout.startsWith(s, i);
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return mk(i, 'longMonth', i + 7);
          if (!startsWithLower(layout.slice(i + 3))) return mk(i, 'month', i + 3);
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return mk(i, 'longWeekDay', i + 6);
          if (!startsWithLower(layout.slice(i + 3))) return mk(i, 'weekDay', i + 3);
        }
        if (at('MST')) return mk(i, 'tz', i + 3);
        break;
      case '0': {
        const d = layout.charCodeAt(i + 1);
        if (d >= 49 && d <= 54) return mk(i, STD0X[d - 49], i + 2);
        if (at('002')) return mk(i, 'zeroYearDay', i + 3);
        break;
      }
      case '1':
        if (layout[i + 1] === '5') return mk(i, 'hour', i + 2);
        return mk(i, 'numMonth', i + 1);
      case '2':
        if (at('2006')) return mk(i, 'longYear', i + 4);
        return mk(i, 'day', i + 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (layout.startsWith('2006', i + 1)) return { ...mk(i + 1, 'longYear', i + 5) };
          return mk(i, 'underDay', i + 2);
        }
        if (at('__2')) return mk(i, 'underYearDay', i + 3);
        break;
      case '3':
        return mk(i, 'hour12', i + 1);
      case '4':
        return mk(i, 'minute', i + 1);
      case '5':
        return mk(i, 'second', i + 1);
      case 'P':
        if (layout[i + 1] === 'M') return mk(i, 'PM', i + 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return mk(i, 'pm', i + 2);
        break;
      case '-':
        if (at('-070000')) return mk(i, 'numSecondsTz', i + 7);
        if (at('-07:00:00')) return mk(i, 'numColonSecondsTZ', i + 9);
        if (at('-0700')) return mk(i, 'numTZ', i + 5);
        if (at('-07:00')) return mk(i, 'numColonTZ', i + 6);
        if (at('-07')) return mk(i, 'numShortTZ', i + 3);
        break;
      case 'Z':
        if (at('Z070000')) return mk(i, 'iso8601SecondsTZ', i + 7);
        if (at('Z07:00:00')) return mk(i, 'iso8601ColonSecondsTZ', i + 9);
        if (at('Z0700')) return mk(i, 'iso8601TZ', i + 5);
        if (at('Z07:00')) return mk(i, 'iso8601ColonTZ', i + 6);
        if (at('Z07')) return mk(i, 'iso8601ShortTZ', i + 3);
        break;
      case '.':
      case ',': {
        const ch = layout[i + 1];
        if (ch === '0' || ch === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) return mk(i, ch === '0' ? 'frac0' : 'frac9', j, j - (i + 1), c);
        }
        break;
      }
      default:
        break;
    }
  }
  return { prefix: layout, std: null, suffix: '', fracDigits: 0, fracSep: '' };
}

function pad(n: number, width: number, ch = '0'): string {
  const s = String(Math.abs(n)).padStart(width, ch);
  return n < 0 ? '-' + s : s;
}

function formatOffset(offset: number, colon: boolean, withSeconds: boolean, short: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  let out = sign + pad(h, 2);
  if (short) return out;
  out += (colon ? ':' : '') + pad(m, 2);
  if (withSeconds) out += (colon ? ':' : '') + pad(s, 2);
  return out;
}

export function formatTime(t: GoTime, layout: string): string {
  const f = t.fields();
  let out = '';
  let rest = layout;
  while (rest.length > 0) {
    const c = nextStdChunk(rest);
    out += c.prefix;
    if (c.std === null) break;
    rest = c.suffix;
    switch (c.std) {
      case 'year':
        out += pad(((f.year % 100) + 100) % 100, 2);
        break;
      case 'longYear':
        out += pad(f.year, 4);
        break;
      case 'month':
        out += MONTHS[f.month - 1].slice(0, 3);
        break;
      case 'longMonth':
        out += MONTHS[f.month - 1];
        break;
      case 'numMonth':
        out += String(f.month);
        break;
      case 'zeroMonth':
        out += pad(f.month, 2);
        break;
      case 'weekDay':
        out += DAYS[f.weekday].slice(0, 3);
        break;
      case 'longWeekDay':
        out += DAYS[f.weekday];
        break;
      case 'day':
        out += String(f.day);
        break;
      case 'underDay':
        out += pad(f.day, 2, ' ');
        break;
      case 'zeroDay':
        out += pad(f.day, 2);
        break;
      case 'underYearDay':
        out += pad(f.yday, 3, ' ');
        break;
      case 'zeroYearDay':
        out += pad(f.yday, 3);
        break;
      case 'hour':
        out += pad(f.hour, 2);
        break;
      case 'hour12':
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case 'zeroHour12':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case 'minute':
        out += String(f.minute);
        break;
      case 'zeroMinute':
        out += pad(f.minute, 2);
        break;
      case 'second':
        out += String(f.second);
        break;
      case 'zeroSecond':
        out += pad(f.second, 2);
        break;
      case 'PM':
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case 'iso8601TZ':
      case 'iso8601ColonTZ':
      case 'iso8601SecondsTZ':
      case 'iso8601ShortTZ':
      case 'iso8601ColonSecondsTZ': {
        const s = c.std;
        out += t.offset === 0 ? 'Z' : formatOffset(t.offset, s.includes('Colon'), s.includes('Seconds'), s === 'iso8601ShortTZ');
        break;
      }
      case 'numTZ':
      case 'numSecondsTz':
      case 'numShortTZ':
      case 'numColonTZ':
      case 'numColonSecondsTZ': {
        const s = c.std;
        out += formatOffset(
          t.offset,
          s.includes('Colon'),
          s.includes('Seconds'),
          s === 'numShortTZ',
        );
        break;
      }
      case 'tz':
        out += t.zoneName !== '' ? t.zoneName : formatOffset(t.offset, false, false, false);
        break;
      case 'frac0':
      case 'frac9': {
        const digits = String(t.nanosecond()).padStart(9, '0').slice(0, c.fracDigits);
        if (c.std === 'frac0') out += c.fracSep + digits;
        else {
          const trimmed = digits.replace(/0+$/, '');
          if (trimmed !== '') out += c.fracSep + trimmed;
        }
        break;
      }
    }
  }
  return out;
}

// --- parsing ------------------------------------------------------------------------------------

class ParseFail extends Error {}

function skipPrefix(value: string, prefix: string): string {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') throw new ParseFail();
      p = p.replace(/^ +/, '');
      v = v.replace(/^ +/, '');
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) throw new ParseFail();
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

function getNum(v: string, fixed: boolean, max = 2): [number, string] {
  if (!isDigitAt(v, 0)) throw new ParseFail();
  if (!isDigitAt(v, 1) || max === 1) {
    if (fixed) throw new ParseFail();
    return [v.charCodeAt(0) - 48, v.slice(1)];
  }
  return [Number(v.slice(0, 2)), v.slice(2)];
}

function getNumN(v: string, n: number, fixed: boolean): [number, string] {
  let i = 0;
  while (i < n && isDigitAt(v, i)) i++;
  if (i === 0 || (fixed && i !== n)) throw new ParseFail();
  return [Number(v.slice(0, i)), v.slice(i)];
}

function lookupName(v: string, names: string[], len?: number): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const name = len ? names[i].slice(0, len) : names[i];
    if (v.length >= name.length && v.slice(0, name.length).toLowerCase() === name.toLowerCase()) {
      return [i, v.slice(name.length)];
    }
  }
  throw new ParseFail();
}

/** time.ParseInLocation. Throws FuncError with Go's message on mismatch. */
export function parseTime(layout: string, value: string, loc: string): GoTime {
  const fail = (): never => {
    throw new FuncError(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
  };
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pm = false;
  let am = false;
  let zoneOffset: number | null = null;
  let zoneName = '';
  let rest = layout;
  let v = value;
  try {
    while (rest.length > 0 || v.length > 0) {
      const c = nextStdChunk(rest);
      v = skipPrefix(v, c.prefix);
      if (c.std === null) {
        if (v.length > 0) throw new ParseFail();
        break;
      }
      rest = c.suffix;
      switch (c.std) {
        case 'year': {
          const [n, r] = getNumN(v, 2, true);
          year = n >= 69 ? 1900 + n : 2000 + n;
          v = r;
          break;
        }
        case 'longYear':
          [year, v] = getNumN(v, 4, true);
          break;
        case 'month':
          [month, v] = lookupName(v, MONTHS, 3);
          month++;
          break;
        case 'longMonth':
          [month, v] = lookupName(v, MONTHS);
          month++;
          break;
        case 'numMonth':
        case 'zeroMonth':
          [month, v] = getNum(v, c.std === 'zeroMonth');
          if (month < 1 || month > 12) throw new ParseFail();
          break;
        case 'weekDay':
          [, v] = lookupName(v, DAYS, 3);
          break;
        case 'longWeekDay':
          [, v] = lookupName(v, DAYS);
          break;
        case 'day':
        case 'underDay':
        case 'zeroDay':
          if (c.std === 'underDay' && v[0] === ' ') v = v.slice(1);
          [day, v] = getNum(v, c.std === 'zeroDay');
          break;
        case 'underYearDay':
        case 'zeroYearDay':
          if (c.std === 'underYearDay') v = v.replace(/^ {1,2}/, '');
          [yday, v] = getNumN(v, 3, c.std === 'zeroYearDay');
          break;
        case 'hour':
          [hour, v] = getNum(v, false);
          if (hour > 23) throw new ParseFail();
          break;
        case 'hour12':
        case 'zeroHour12':
          [hour, v] = getNum(v, c.std === 'zeroHour12');
          if (hour > 12) throw new ParseFail();
          break;
        case 'minute':
        case 'zeroMinute':
          [min, v] = getNum(v, c.std === 'zeroMinute');
          if (min > 59) throw new ParseFail();
          break;
        case 'second':
        case 'zeroSecond': {
          [sec, v] = getNum(v, c.std === 'zeroSecond');
          if (sec > 59) throw new ParseFail();
          // Go accepts fractional seconds after seconds even when the layout has none.
          const next = nextStdChunk(rest);
          if ((v[0] === '.' || v[0] === ',') && isDigitAt(v, 1) && next.std !== 'frac0' && next.std !== 'frac9') {
            const m = /^[.,](\d+)/.exec(v);
            if (m) {
              nsec = Number(m[1].slice(0, 9).padEnd(9, '0'));
              v = v.slice(m[0].length);
            }
          }
          break;
        }
        case 'PM':
        case 'pm': {
          const s = v.slice(0, 2).toUpperCase();
          if (s === 'PM') pm = true;
          else if (s === 'AM') am = true;
          else throw new ParseFail();
          v = v.slice(2);
          break;
        }
        case 'iso8601TZ':
        case 'iso8601ColonTZ':
        case 'iso8601SecondsTZ':
        case 'iso8601ShortTZ':
        case 'iso8601ColonSecondsTZ':
        case 'numTZ':
        case 'numSecondsTz':
        case 'numShortTZ':
        case 'numColonTZ':
        case 'numColonSecondsTZ': {
          if (c.std.startsWith('iso8601') && v[0] === 'Z') {
            v = v.slice(1);
            zoneOffset = 0;
            zoneName = 'UTC';
            break;
          }
          const colon = c.std.includes('Colon');
          const secs = c.std.includes('Seconds');
          const short = c.std === 'numShortTZ' || c.std === 'iso8601ShortTZ';
          const re = short
            ? /^([+-])(\d\d)/
            : colon
              ? secs
                ? /^([+-])(\d\d):(\d\d):(\d\d)/
                : /^([+-])(\d\d):(\d\d)/
              : secs
                ? /^([+-])(\d\d)(\d\d)(\d\d)/
                : /^([+-])(\d\d)(\d\d)/;
          const m = re.exec(v);
          if (!m) throw new ParseFail();
          const off = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
          zoneOffset = m[1] === '-' ? -off : off;
          v = v.slice(m[0].length);
          break;
        }
        case 'tz': {
          const m = /^(?:UTC|GMT(?:[+-]\d{1,2})?|[A-Z]{3,5}T?|[+-]\d{2,4})/.exec(v);
          if (!m) throw new ParseFail();
          zoneName = m[0];
          v = v.slice(m[0].length);
          break;
        }
        case 'frac0': {
          if (v[0] !== c.fracSep && !(v[0] === '.' || v[0] === ',')) throw new ParseFail();
          const digits = v.slice(1, 1 + c.fracDigits);
          if (!/^\d+$/.test(digits) || digits.length !== c.fracDigits) throw new ParseFail();
          nsec = Number(digits.slice(0, 9).padEnd(9, '0'));
          v = v.slice(1 + c.fracDigits);
          break;
        }
        case 'frac9': {
          const m = /^[.,](\d+)/.exec(v);
          if (m) {
            nsec = Number(m[1].slice(0, 9).padEnd(9, '0'));
            v = v.slice(m[0].length);
          }
          break;
        }
      }
    }
  } catch (e) {
    if (e instanceof ParseFail) fail();
    throw e;
  }
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;
  if (yday >= 0 && month < 0) {
    const d = new Date(0);
    d.setUTCFullYear(year, 0, yday);
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  const maxDay = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const daysIn = month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28) : maxDay;
  if (day < 1 || day > daysIn) fail();
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, min, sec, Math.floor(nsec / 1e6));
  const wallMs = wall.getTime();
  const subNanos = nsec % 1e6;
  if (zoneOffset !== null) {
    const utcMs = wallMs - zoneOffset * 1000;
    if (zoneOffset === 0 && (zoneName === 'UTC' || zoneName === '')) return new GoTime(utcMs, subNanos, 0, 'UTC', 'UTC');
    const local = zoneAt(utcMs, loc);
    if (local.offset === zoneOffset) return new GoTime(utcMs, subNanos, local.offset, local.name, loc);
    return new GoTime(utcMs, subNanos, zoneOffset, '', `fixed:${zoneOffset}`);
  }
  if (zoneName !== '') {
    if (zoneName === 'UTC' || zoneName === 'GMT') return new GoTime(wallMs, subNanos, 0, zoneName === 'GMT' ? 'GMT' : 'UTC', 'UTC');
    const guess = zoneAt(wallMs, loc);
    if (guess.name === zoneName) return new GoTime(wallMs - guess.offset * 1000, subNanos, guess.offset, guess.name, loc);
    return new GoTime(wallMs, subNanos, 0, zoneName, `fixed:0`);
  }
  // No zone in the value: interpret the wall clock in loc.
  let guess = zoneAt(wallMs, loc).offset;
  let utcMs = wallMs - guess * 1000;
  const actual = zoneAt(utcMs, loc).offset;
  if (actual !== guess) {
    guess = actual;
    utcMs = wallMs - guess * 1000;
  }
  return GoTime.at(utcMs, loc, subNanos);
}

// --- durations ----------------------------------------------------------------------------------

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  const p = 10n ** BigInt(prec);
  const digits = v % p;
  const rest = v / p;
  if (digits === 0n) return ['', rest];
  const s = digits.toString().padStart(prec, '0').replace(/0+$/, '');
  return ['.' + s, rest];
}

/** time.Duration(ns).String(). */
export function durationString(ns: number | bigint): string {
  let d = typeof ns === 'bigint' ? ns : BigInt(Math.trunc(ns));
  if (d === 0n) return '0s';
  const neg = d < 0n;
  if (neg) d = -d;
  const sign = neg ? '-' : '';
  if (d < 1000000000n) {
    if (d < 1000n) return `${sign}${d}ns`;
    const [frac, rest] = fmtFrac(d, d < 1000000n ? 3 : 6);
    return `${sign}${rest}${frac}${d < 1000000n ? 'µs' : 'ms'}`;
  }
  const [frac, secsTotal] = fmtFrac(d, 9);
  const s = secsTotal % 60n;
  let mins = secsTotal / 60n;
  let out = `${s}${frac}s`;
  if (mins > 0n) {
    const m = mins % 60n;
    mins /= 60n;
    out = `${m}m` + out;
    if (mins > 0n) out = `${mins}h` + out;
  }
  return sign + out;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration; returns nanoseconds or throws FuncError. */
export function parseDuration(s: string): number {
  const orig = s;
  const bad = (): never => {
    throw new FuncError(`time: invalid duration ${JSON.stringify(orig)}`);
  };
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') bad();
  let total = 0;
  while (s.length > 0) {
    const m = /^([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/.exec(s);
    if (!m || m[1] === '' || m[1] === '.') bad();
    const unit = (m as RegExpExecArray)[2];
    const mult = UNIT_NS[unit];
    if (mult === undefined || !Object.prototype.hasOwnProperty.call(UNIT_NS, unit)) {
      throw new FuncError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(orig)}`);
    }
    total += Number((m as RegExpExecArray)[1]) * mult;
    s = s.slice((m as RegExpExecArray)[0].length);
  }
  return Math.round(neg ? -total : total);
}
