/**
 * Value patterns beyond plain text (README "Search"): regular expressions (`/re/i`), CIDR ranges
 * (`10.0.0.0/8`) and wildcard values with literal pieces (`*"S3 Browser"*`), parsed from a term's
 * value and matched. Every value they test
 * is attacker-written, so regular expressions run on RE2 (re2js: linear time in the value, no
 * backtracking) and everything else is a plain scan.
 */
import { RE2JS } from 're2js';
import { globMatch } from './glob';
import type { CidrPattern, RegexPattern, ValuePattern } from './query';

/** Longest pattern accepted: Sigma's longest CloudTrail regex is well under 300 characters. */
export const MAX_REGEX_LENGTH = 1000;

/** Constructs RE2 leaves out (they need backtracking), by what they start with, for messages. */
const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/^\(\?<?[=!]/, 'lookaround'],
  [/^\(\?>/, 'atomic groups'],
  [/^\\[1-9]/, 'backreferences'],
  [/^\\k[<{']/, 'named backreferences'],
  [/^[*+?}][+]/, 'possessive quantifiers'],
  [/^\(\?[a-zA-Z]*[^a-zA-Z:)P<-]/, 'this inline flag group'],
];

/** The construct at the start of `rest` that RE2 cannot do, if any. */
function unsupportedAt(rest: string): string | undefined {
  for (const [re, name] of UNSUPPORTED) if (re.test(rest)) return name;
  return undefined;
}

/**
 * Compiles a regular expression with RE2 semantics (`flags` ⊆ "ims"); a sentence naming the
 * problem instead when it is too long, uses a construct RE2 leaves out, or is malformed.
 */
export function compileRegex(source: string, flags: string): { re: RE2JS } | { error: string } {
  const shown = `/${source.length > 60 ? `${source.slice(0, 60)}…` : source}/${flags}`;
  if (source.length > MAX_REGEX_LENGTH)
    return { error: `The regular expression ${shown} is ${source.length} characters; at most ${MAX_REGEX_LENGTH}.` };
  if (!/^[ims]*$/.test(flags))
    return { error: `The regular expression ${shown} has unknown flags "${flags}": use i, m or s.` };
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (inClass) {
      if (c === '\\') i++;
      else if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A "]" (or "^]") right after "[" is a member, not the end.
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
      continue;
    }
    if (c === '\\' || c === '(' || '*+?}'.includes(c)) {
      const construct = unsupportedAt(source.slice(i, i + 6));
      if (construct)
        return {
          error: `The regular expression ${shown} uses ${construct} (${JSON.stringify(source.slice(i, i + 4))}), which RE2 does not support: matching must stay linear in the value.`,
        };
      if (c === '\\') i++;
    }
  }
  let bits = 0;
  if (flags.includes('i')) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) bits |= RE2JS.MULTILINE;
  if (flags.includes('s')) bits |= RE2JS.DOTALL;
  try {
    return { re: RE2JS.compile(source, bits) };
  } catch (e) {
    return {
      error: `The regular expression ${shown} is not valid: ${(e as Error).message.replace(/^error parsing regexp: /, '')}.`,
    };
  }
}

/** Reads `/pattern/flags` (the whole value); undefined when the value is not written that way. */
export function regexLiteral(value: string): { source: string; flags: string } | undefined {
  const m = /^\/([^]+)\/([ims]*)$/.exec(value);
  return m ? { source: m[1], flags: m[2] } : undefined;
}

/** An address as 16-bit groups (IPv4: two groups), with its family. */
interface Address {
  version: 4 | 6;
  groups: number[];
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  const n = parts.map(Number);
  return [(n[0] << 8) | n[1], (n[2] << 8) | n[3]];
}

function parseIpv6(text: string): number[] | undefined {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push(...v4);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - tail.length;
  return fill >= 1 ? [...head, ...new Array<number>(fill).fill(0), ...tail] : undefined;
}

/** Parses an IPv4 or IPv6 address (no zone, no brackets); undefined for anything else. */
export function parseAddress(text: string): Address | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, groups: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 ? { version: 6, groups: v6 } : undefined;
}

function formatAddress(a: Address): string {
  if (a.version === 4) return [a.groups[0] >> 8, a.groups[0] & 255, a.groups[1] >> 8, a.groups[1] & 255].join('.');
  // The longest run of zero groups (two or more) becomes "::", as RFC 5952 writes it.
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && a.groups[j] === 0) j++;
    if (j - i > best[1] && j - i >= 2) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = a.groups.map((g) => g.toString(16));
  if (best[0] < 0) return hex.join(':');
  return `${hex.slice(0, best[0]).join(':')}::${hex.slice(best[0] + best[1]).join(':')}`;
}

function masked(groups: readonly number[], bits: number): number[] {
  return groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
}

/** What a CIDR-looking value holds: a range, an error for a broken one, or nothing (plain text). */
export function parseCidr(text: string): CidrPattern | { error: string } | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const ipv4ish = /^\d+\.\d+\.\d+\.\d+$/.test(m[1]);
  if (!ipv4ish && !m[1].includes(':')) return undefined;
  const addr = parseAddress(m[1]);
  const bits = Number(m[2]);
  if (!addr || bits > (addr.version === 4 ? 32 : 128)) {
    // An IPv6-looking value with letters could be anything (a hash); only name clear mistakes.
    return ipv4ish || addr
      ? {
          error: `"${text}" is not a CIDR range: write an IPv4 or IPv6 address, "/", and a prefix length of at most ${addr?.version === 6 ? 128 : 32}.`,
        }
      : undefined;
  }
  const network = { version: addr.version, groups: masked(addr.groups, bits) };
  return { kind: 'cidr', version: addr.version, network: formatAddress(network), bits, text };
}

/** Whether `value` is an address inside the range (or the range's own text, as a cidrIp field holds it). */
export function cidrContains(p: CidrPattern, value: string): boolean {
  if (value.toLowerCase() === p.text.toLowerCase()) return true;
  const a = parseAddress(value);
  if (!a || a.version !== p.version) return false;
  const net = parseAddress(p.network)!;
  const m = masked(a.groups, p.bits);
  return m.every((g, i) => g === net.groups[i]);
}

/** A piece of a value: bare text (where `*` and `,` are syntax) or a quoted piece (all literal). */
export interface Piece {
  text: string;
  quoted: boolean;
  closed: boolean;
}

/** A value's pieces, as TERM split them: a quote opens a piece at the start or after `*` or `,`. */
export function valuePieces(value: string): Piece[] {
  const pieces: Piece[] = [];
  let bare = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '"' && (i === 0 || value[i - 1] === '*' || value[i - 1] === ',')) {
      if (bare) pieces.push({ text: bare, quoted: false, closed: true });
      bare = '';
      let text = '';
      let j = i + 1;
      for (; j < value.length && value[j] !== '"'; j++)
        text += value[j] === '\\' && j + 1 < value.length ? value[++j] : value[j];
      pieces.push({ text, quoted: true, closed: j < value.length });
      i = j;
    } else bare += value[i];
  }
  if (bare) pieces.push({ text: bare, quoted: false, closed: true });
  return pieces;
}

/**
 * A value mixing bare and quoted pieces (`*"S3 Browser"*`): alternatives split at bare commas,
 * wildcards at bare `*`s. Alternatives that need no literal `*` stay plain values.
 */
export function mixedAlternatives(pieces: readonly Piece[]): { values: string[]; patterns: ValuePattern[] } {
  const alts: string[][] = [];
  let parts = [''];
  let any = false;
  for (const p of pieces) {
    if (p.quoted) {
      parts[parts.length - 1] += p.text;
      any = true;
      continue;
    }
    for (const c of p.text) {
      if (c === ',') {
        if (any) alts.push(parts);
        parts = [''];
        any = false;
      } else if (c === '*') {
        parts.push('');
        any = true;
      } else {
        parts[parts.length - 1] += c;
        any = true;
      }
    }
  }
  if (any) alts.push(parts);
  const values: string[] = [];
  const patterns: ValuePattern[] = [];
  for (const a of alts) {
    if (!a.some((x) => x.includes('*'))) values.push(a.join('*'));
    else patterns.push({ kind: 'glob', parts: a });
  }
  return { values, patterns };
}

/** Comma-separated alternatives of an unquoted value ('' kept only alone: "empty"). */
function splitAlternatives(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v, _i, all) => v !== '' || all.length === 1);
}

/**
 * An unquoted value's alternatives: a whole `/regex/flags`, or comma-separated values of which
 * CIDR-looking ones are ranges. Undefined (after a note) when a regex or range is broken.
 */
export function bareAlternatives(
  note: (m: string) => void,
  value: string,
): { values: string[]; patterns: ValuePattern[] } | undefined {
  const re = regexLiteral(value.trim());
  if (re) {
    const compiled = compileRegex(re.source, re.flags);
    if ('error' in compiled) {
      note(compiled.error);
      return undefined;
    }
    return {
      values: [],
      patterns: [{ kind: 'regex', source: re.source, flags: [...'ims'].filter((f) => re.flags.includes(f)).join('') }],
    };
  }
  const values: string[] = [];
  const patterns: ValuePattern[] = [];
  for (const v of splitAlternatives(value)) {
    const cidr = parseCidr(v);
    if (cidr === undefined) values.push(v);
    else if ('error' in cidr) {
      note(cidr.error);
      return undefined;
    } else patterns.push(cidr);
  }
  return { values, patterns };
}

/** Whether `lower` (lowercase) matches glob parts (lowercase text between wildcards); one part is equality. */
const compiled = new WeakMap<RegexPattern, RE2JS>();

/** The RE2 program of a parsed regex pattern (validated by the parser), compiled once. */
export function regexOf(p: RegexPattern): RE2JS {
  let re = compiled.get(p);
  if (!re) {
    const r = compileRegex(p.source, p.flags);
    // The parser validated it; a hand-built invalid pattern matches nothing.
    re = 're' in r ? r.re : RE2JS.compile('[^\\x00-\\x{10FFFF}]');
    compiled.set(p, re);
  }
  return re;
}

/** A test of one value (a string as the event holds it) against a pattern. */
export function patternTest(p: ValuePattern): (value: string) => boolean {
  if (p.kind === 'regex') {
    const re = regexOf(p);
    return (v) => re.test(v);
  }
  if (p.kind === 'cidr') return (v) => cidrContains(p, v);
  const parts = p.parts.map((s) => s.toLowerCase());
  // A wildcard needs a value: `*` does not match an empty one.
  return (v) => {
    const lower = v.toLowerCase();
    return (parts.length === 1 || lower !== '') && globMatch(parts, lower);
  };
}
