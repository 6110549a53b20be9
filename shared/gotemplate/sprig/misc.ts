/** sprig regex, semver, path, environment, date, URL, UUID and unsupported crypto functions. */
import { ErrorCodes, FuncError } from '../errors';
import { fn, fnc, type FuncDef } from '../funcs';
import { compileGoRegexp, findAll, GoRegexpError, matchString, quoteMeta, replaceAll, split as reSplit, type GoRegexp } from '../../go/regexp';
import { durationString, GoTime, isValidLocation, parseDuration, parseTime, ZERO_TIME_MS } from '../gotime';
import { semverSatisfies, SemverVersion } from '../semver';
import { isInt, mapGet, mapSet, newMap, type GoMap } from '../values';
import { strval, toInt64 } from './convert';

// --- paths (Go's path package) --------------------------------------------------------------------

/** path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts = p.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

export function basePath(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  const i = t.lastIndexOf('/');
  return i >= 0 ? t.slice(i + 1) : t;
}

export function dirPath(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}

export function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// --- environment --------------------------------------------------------------------------------

/** os.Expand with a lookup; $VAR and ${VAR}, Go's rules for what a name is. */
export function expandEnv(s: string, lookup: (name: string) => string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const d = s.indexOf('$', i);
    if (d < 0 || d + 1 >= s.length) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, d);
    const rest = s.slice(d + 1);
    let name = '';
    let w = 0;
    if (rest[0] === '{') {
      if (rest.length > 1 && isShellSpecial(rest[1]) && rest[2] === '}') {
        name = rest[1];
        w = 3;
      } else {
        const close = rest.indexOf('}');
        if (close < 0) {
          // Go drops a bad "${" and keeps what follows.
          i = d + 2;
          continue;
        }
        name = rest.slice(1, close);
        w = close + 1;
        if (name === '') {
          i = d + 1 + w;
          continue;
        }
      }
    } else if (isShellSpecial(rest[0])) {
      name = rest[0];
      w = 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(rest);
      if (!m) {
        out += '$';
        i = d + 1;
        continue;
      }
      name = m[0];
      w = name.length;
    }
    out += lookup(name);
    i = d + 1 + w;
  }
  return out;
}

function isShellSpecial(c: string | undefined): boolean {
  return c !== undefined && '*#$@!?-0123456789'.includes(c) && c.length === 1;
}

// --- dates --------------------------------------------------------------------------------------

function toGoTime(v: unknown, now: () => Date): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof Date) return GoTime.fromDate(v);
  if (isInt(v)) return GoTime.at(v * 1000, 'Local');
  return GoTime.fromDate(now());
}

function formatDate(layout: string, date: unknown, zone: string, now: () => Date): string {
  const t = toGoTime(date, now);
  const loc = isValidLocation(zone) ? zone : 'UTC';
  return t.in(loc).format(layout);
}

function zeroTime(): GoTime {
  return new GoTime(ZERO_TIME_MS, 0, 0, 'UTC', 'UTC');
}

function durationRound(v: unknown, now: () => Date): string {
  let ns = 0;
  if (typeof v === 'string') {
    try {
      ns = parseDuration(v);
    } catch {
      ns = 0;
    }
  } else if (isInt(v)) ns = v;
  else if (v instanceof GoTime) ns = (now().getTime() - v.ms) * 1e6;
  const u = Math.abs(ns);
  const units: [number, string][] = [
    [365 * 24 * 3600e9, 'y'],
    [30 * 24 * 3600e9, 'mo'],
    [24 * 3600e9, 'd'],
    [3600e9, 'h'],
    [60e9, 'm'],
    [1e9, 's'],
  ];
  for (const [size, unit] of units) if (u > size) return `${Math.floor(u / size)}${unit}`;
  return '0s';
}

// --- URLs -----------------------------------------------------------------------------------------

function urlParse(v: string): GoMap {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(v);
  if (!m) throw new FuncError(`unable to parse url: ${v}`);
  const authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  const scheme = m[1] ?? '';
  let path = m[3] ?? '';
  let opaque = '';
  if (scheme !== '' && m[2] === undefined && !path.startsWith('/')) {
    opaque = path;
    path = '';
  }
  const out = newMap();
  mapSet(out, 'scheme', scheme);
  mapSet(out, 'host', host);
  mapSet(out, 'hostname', hostname);
  mapSet(out, 'path', decodeURIComponentSafe(path));
  mapSet(out, 'query', m[4] ?? '');
  mapSet(out, 'opaque', opaque);
  mapSet(out, 'fragment', decodeURIComponentSafe(m[5] ?? ''));
  mapSet(out, 'userinfo', userinfo);
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function urlJoin(d: GoMap | null): string {
  const get = (k: string): string => {
    const v = d ? mapGet(d, k) : undefined;
    return typeof v === 'string' ? v : v === undefined || v === null ? '' : strval(v);
  };
  let s = '';
  const scheme = get('scheme');
  if (scheme !== '') s += scheme + ':';
  const opaque = get('opaque');
  if (opaque !== '') s += opaque;
  else {
    const host = get('host');
    const userinfo = get('userinfo');
    if (scheme !== '' || host !== '' || userinfo !== '') {
      if (host !== '' || get('path') !== '' || userinfo !== '') s += '//';
      if (userinfo !== '') s += userinfo + '@';
      s += host;
    }
    let path = get('path');
    if (path !== '' && !path.startsWith('/') && host !== '') path = '/' + path;
    s += encodeURI(path).replace(/%25/g, '%');
  }
  const q = get('query');
  if (q !== '') s += '?' + q;
  const frag = get('fragment');
  if (frag !== '') s += '#' + encodeURIComponent(frag).replace(/%2F/gi, '/');
  return s;
}

function uuidv4(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function unsupported(name: string): FuncDef {
  return {
    params: [],
    variadic: 'any',
    call: () => {
      throw new FuncError(`${name} is not supported by the preview engine`, ErrorCodes.unsupported);
    },
  };
}

/** regexp.Compile; what Go rejects (or the preview cannot evaluate) fails the template call. */
function goRegexp(pattern: string): GoRegexp {
  try {
    return compileGoRegexp(pattern);
  } catch (e) {
    if (e instanceof GoRegexpError) throw new FuncError(e.message);
    throw e;
  }
}

export const MISC_FUNCS: [string, FuncDef][] = [
  // regex
  [
    'regexMatch',
    fn(['string', 'string'], (re, s) => {
      try {
        return matchString(goRegexp(re), s);
      } catch {
        return false;
      }
    }),
  ],
  ['mustRegexMatch', fn(['string', 'string'], (re, s) => matchString(goRegexp(re), s))],
  ['regexFindAll', fn(['string', 'string', 'int'], (re, s, n) => findAll(goRegexp(re), s, n).map((m) => m.texts[0]!))],
  ['mustRegexFindAll', fn(['string', 'string', 'int'], (re, s, n) => findAll(goRegexp(re), s, n).map((m) => m.texts[0]!))],
  ['regexFind', fn(['string', 'string'], (re, s) => findAll(goRegexp(re), s, 1)[0]?.texts[0] ?? '')],
  ['mustRegexFind', fn(['string', 'string'], (re, s) => findAll(goRegexp(re), s, 1)[0]?.texts[0] ?? '')],
  ['regexReplaceAll', fn(['string', 'string', 'string'], (re, s, r) => replaceAll(goRegexp(re), s, r, false))],
  ['mustRegexReplaceAll', fn(['string', 'string', 'string'], (re, s, r) => replaceAll(goRegexp(re), s, r, false))],
  ['regexReplaceAllLiteral', fn(['string', 'string', 'string'], (re, s, r) => replaceAll(goRegexp(re), s, r, true))],
  ['mustRegexReplaceAllLiteral', fn(['string', 'string', 'string'], (re, s, r) => replaceAll(goRegexp(re), s, r, true))],
  ['regexSplit', fn(['string', 'string', 'int'], (re, s, n) => reSplit(goRegexp(re), s, n))],
  ['mustRegexSplit', fn(['string', 'string', 'int'], (re, s, n) => reSplit(goRegexp(re), s, n))],
  ['regexQuoteMeta', fn(['string'], quoteMeta)],
  // semver
  ['semver', fn(['string'], (v) => SemverVersion.parse(v))],
  ['semverCompare', fn(['string', 'string'], semverSatisfies)],
  // paths
  ['base', fn(['string'], basePath)],
  ['dir', fn(['string'], dirPath)],
  ['clean', fn(['string'], cleanPath)],
  ['ext', fn(['string'], extPath)],
  ['isAbs', fn(['string'], (p) => p.startsWith('/'))],
  ['osBase', fn(['string'], basePath)],
  ['osDir', fn(['string'], dirPath)],
  ['osClean', fn(['string'], cleanPath)],
  ['osExt', fn(['string'], extPath)],
  ['osIsAbs', fn(['string'], (p) => p.startsWith('/'))],
  // environment
  ['env', fnc(['string'], (ctx, name) => ctx.env(name) ?? '')],
  ['expandenv', fnc(['string'], (ctx, s) => expandEnv(s, (n) => ctx.env(n) ?? ''))],
  ['getHostByName', unsupported('getHostByName')],
  // dates
  ['now', fnc([], (ctx) => GoTime.fromDate(ctx.now()))],
  ['date', fnc(['string', 'any'], (ctx, layout, d) => formatDate(layout, d, 'Local', () => ctx.now()))],
  ['dateInZone', fnc(['string', 'any', 'string'], (ctx, layout, d, z) => formatDate(layout, d, z, () => ctx.now()))],
  ['date_in_zone', fnc(['string', 'any', 'string'], (ctx, layout, d, z) => formatDate(layout, d, z, () => ctx.now()))],
  ['htmlDate', fnc(['any'], (ctx, d) => formatDate('2006-01-02', d, 'Local', () => ctx.now()))],
  ['htmlDateInZone', fnc(['any', 'string'], (ctx, d, z) => formatDate('2006-01-02', d, z, () => ctx.now()))],
  [
    'dateModify',
    fnc(['string', 'any'], (ctx, f, d) => {
      const t = toGoTime(d, () => ctx.now());
      try {
        return t.Add(parseDuration(f));
      } catch {
        return t;
      }
    }),
  ],
  ['date_modify', fnc(['string', 'any'], (ctx, f, d) => toGoTime(d, () => ctx.now()).Add(safeDuration(f)))],
  ['mustDateModify', fnc(['string', 'any'], (ctx, f, d) => toGoTime(d, () => ctx.now()).Add(parseDuration(f)))],
  ['must_date_modify', fnc(['string', 'any'], (ctx, f, d) => toGoTime(d, () => ctx.now()).Add(parseDuration(f)))],
  [
    'toDate',
    fn(['string', 'string'], (layout, s) => {
      try {
        return parseTime(layout, s, 'Local');
      } catch {
        return zeroTime();
      }
    }),
  ],
  ['mustToDate', fn(['string', 'string'], (layout, s) => parseTime(layout, s, 'Local'))],
  ['unixEpoch', fnc(['any'], (ctx, d) => String(toGoTime(d, () => ctx.now()).unixSeconds()))],
  ['duration', fn(['any'], (v) => durationString(toInt64(v) * 1e9))],
  ['durationRound', fnc(['any'], (ctx, v) => durationRound(v, () => ctx.now()))],
  [
    'ago',
    fnc(['any'], (ctx, d) => {
      const t = toGoTime(d, () => ctx.now());
      const ms = ctx.now().getTime() - t.ms;
      return durationString(Math.round(ms / 1000) * 1e9);
    }),
  ],
  // urls
  ['urlParse', fn(['string'], urlParse)],
  ['urlJoin', fn(['map'], urlJoin)],
  ['uuidv4', fn([], uuidv4)],
  [
    'randBytes',
    fn(['int'], (n) => {
      const b = new Uint8Array(Math.max(0, n));
      crypto.getRandomValues(b);
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      return btoa(s);
    }),
  ],
  // crypto helpers that need key material or network access are not reproduced in previews
  ...(
    [
      'bcrypt',
      'htpasswd',
      'genPrivateKey',
      'derivePassword',
      'buildCustomCert',
      'genCA',
      'genCAWithKey',
      'genSelfSignedCert',
      'genSelfSignedCertWithKey',
      'genSignedCert',
      'genSignedCertWithKey',
      'encryptAES',
      'decryptAES',
    ] as const
  ).map((n): [string, FuncDef] => [n, unsupported(n)]),
];

function safeDuration(f: string): number {
  try {
    return parseDuration(f);
  } catch {
    return 0;
  }
}

