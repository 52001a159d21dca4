/**
 * A regex term's pattern (RE2 syntax, as the local engine runs it with re2js) rewritten for
 * Athena's `regexp_like`, which Trino runs on Joni with Java syntax (JoniRegexpFunctions). The two
 * read many constructs differently, so each is rewritten into a form whose meaning under Joni is
 * the RE2 meaning:
 * - `\d \w \s` (and `\D \W \S`) are ASCII in RE2, Unicode in Joni: spelt as ASCII classes
 *   (`\s` is RE2's `[\t\n\f\r ]`); `\b \B` as look-arounds on `[0-9A-Za-z_]`;
 * - `^ $` (RE2: text edges; with `m`, also at `\n`) as `\A \z` or look-arounds on `\n` (Joni's `$`
 *   also matches before a final newline); `.` as `[^\n]` (or anything with `s`), so Joni's own
 *   line-terminator and dot-all rules never apply;
 * - `\pL` as `\p{L}` (Joni reads `\pL` as nothing), `\p{^X}` as `\P{X}`, `[[:alpha:]]` as ASCII;
 * - inside a class, `&` and `[` escaped (Java reads `&&` as intersection, `[` as a union);
 * - `\x{…}`, `\xHH`, `\Q…\E` as the literal characters; `\v` `\a` as `\x0B` `\x07` (Java's `\v`
 *   is a class); `(?P<n>` as `(?<n>`; a `{` that RE2 reads as a literal escaped.
 * What neither side can be made to agree on is refused by name (`\C`, `(?U)`, a negated escape
 * inside a class). Case-insensitive patterns keep `(?i)`: Joni folds case with full Unicode
 * folding, RE2 with simple folding, so the Athena predicate is a narrowing (it keeps at least the
 * RE2 matches: full folding includes the simple one) and the rows are re-checked locally.
 * Unicode properties follow each engine's Unicode version; that difference is noted, not hidden.
 */

export type JavaRegex = { source: string; exact: boolean } | { error: string };

const WORD = '0-9A-Za-z_';
const SPACE = '\\t\\n\\f\\r ';
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@\\[-`{-~',
  space: '\\t\\n\\x0B\\f\\r ',
  upper: 'A-Z',
  word: WORD,
  xdigit: '0-9A-Fa-f',
};
const SHORT_PROPS = new Set(['L', 'M', 'N', 'P', 'S', 'Z', 'C']);

/** `c` as a literal for Joni, in or out of a class: ASCII punctuation escaped, the rest as is. */
function lit(c: string): string {
  const n = c.codePointAt(0)!;
  if (n < 0x20 || n === 0x7f) return `\\x${n.toString(16).padStart(2, '0').toUpperCase()}`;
  return /[!-/:-@[-`{-~]/.test(c) ? `\\${c}` : c;
}

/** Index of `seq` (two characters) in `chars` from `from`, or -1. */
function findSeq(chars: readonly string[], seq: string, from: number): number {
  for (let j = from; j + 1 < chars.length; j++) if (chars[j] === seq[0] && chars[j + 1] === seq[1]) return j;
  return -1;
}

interface Flags {
  m: boolean;
  s: boolean;
  i: boolean;
}

/** Rewrites `source` (RE2, flags ⊆ "ims") for Trino's regexp_like; an error names what cannot be. */
export function javaRegex(source: string, flags: string): JavaRegex {
  const chars = [...source];
  let out = '';
  let exact = !flags.includes('i');
  let f: Flags = { m: flags.includes('m'), s: flags.includes('s'), i: flags.includes('i') };
  const stack: Flags[] = [];
  const refuse = (what: string): JavaRegex => ({
    error: `uses ${what}, which Athena's regular expressions (Joni, Java syntax) cannot be made to read as RE2 does`,
  });
  let k = 0;
  /** An escape at chars[k] (the backslash), in or out of a class: [text, nextIndex] or an error. */
  const escape = (inClass: boolean): [string, number] | string => {
    const e = chars[k + 1];
    if (e === undefined) return 'a trailing backslash';
    const simple: Record<string, [string, string]> = {
      d: ['[0-9]', '0-9'],
      w: [`[${WORD}]`, WORD],
      s: [`[${SPACE}]`, SPACE],
      D: ['[^0-9]', ''],
      W: [`[^${WORD}]`, ''],
      S: [`[^${SPACE}]`, ''],
    };
    if (simple[e]) {
      if (inClass && !simple[e][1]) return `\\${e} inside a character class`;
      return [inClass ? simple[e][1] : simple[e][0], k + 2];
    }
    if (e === 'x') {
      if (chars[k + 2] === '{') {
        const close = chars.indexOf('}', k + 3);
        const hex = chars.slice(k + 3, close).join('');
        if (close < 0 || !/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return 'a malformed \\x{…}';
        return [lit(String.fromCodePoint(parseInt(hex, 16))), close + 1];
      }
      const hex = chars.slice(k + 2, k + 4).join('');
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 'a malformed \\x escape';
      return [lit(String.fromCodePoint(parseInt(hex, 16))), k + 4];
    }
    if (e === 'p' || e === 'P') {
      let name: string;
      let next: number;
      if (chars[k + 2] === '{') {
        const close = chars.indexOf('}', k + 3);
        if (close < 0) return 'a malformed \\p{…}';
        name = chars.slice(k + 3, close).join('');
        next = close + 1;
      } else {
        name = chars[k + 2] ?? '';
        next = k + 3;
        if (!SHORT_PROPS.has(name)) return `\\${e}${name}`;
      }
      let neg = e === 'P';
      if (name.startsWith('^')) {
        neg = !neg;
        name = name.slice(1);
      }
      if (!/^[A-Za-z_]+$/.test(name) || name === 'Any') return `the Unicode class \\p{${name}}`;
      return [`\\${neg ? 'P' : 'p'}{${name}}`, next];
    }
    const ctl: Record<string, string> = { t: '\\t', n: '\\n', r: '\\r', f: '\\f', v: '\\x0B', a: '\\x07' };
    if (ctl[e]) return [ctl[e], k + 2];
    if (!inClass && (e === 'A' || e === 'z')) return [`\\${e}`, k + 2];
    if (!inClass && (e === 'b' || e === 'B')) {
      const w = `[${WORD}]`;
      const b = `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
      const nb = `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
      // RE2's boundary never folds case; Joni's (?i) would fold K and ſ into the class.
      return [`${f.i ? '(?-i:' : ''}${e === 'b' ? b : nb}${f.i ? ')' : ''}`, k + 2];
    }
    if (/[!-/:-@[-`{-~]/.test(e)) return [lit(e), k + 2];
    return `the escape \\${e}`;
  };
  while (k < chars.length) {
    const c = chars[k];
    if (c === '\\' && chars[k + 1] === 'Q') {
      const end = findSeq(chars, '\\E', k + 2);
      out += chars
        .slice(k + 2, end < 0 ? chars.length : end)
        .map(lit)
        .join('');
      k = end < 0 ? chars.length : end + 2;
      continue;
    }
    if (c === '\\') {
      const r = escape(false);
      if (typeof r === 'string') return refuse(r);
      out += r[0];
      k = r[1];
      continue;
    }
    if (c === '[') {
      let body = '';
      let j = k + 1;
      let negated = false;
      if (chars[j] === '^') {
        negated = true;
        j++;
      }
      let firstMember = true;
      while (j < chars.length && (chars[j] !== ']' || firstMember)) {
        firstMember = false;
        const d = chars[j];
        if (d === '[' && chars[j + 1] === ':') {
          const close = findSeq(chars, ':]', j + 2);
          const name = close < 0 ? '' : chars.slice(j + 2, close).join('');
          if (name.startsWith('^')) return refuse(`the negated class [[:${name}:]] inside a class`);
          if (!POSIX[name]) return refuse(`the class [[:${name}:]]`);
          body += POSIX[name];
          j += 2 + name.length + 2;
          continue;
        }
        if (d === '\\') {
          k = j;
          const r = escape(true);
          if (typeof r === 'string') return refuse(r);
          body += r[0];
          j = r[1];
          continue;
        }
        body += d === '-' ? '-' : lit(d);
        j++;
      }
      if (j >= chars.length) return refuse('a class that is never closed');
      out += `[${negated ? '^' : ''}${body}]`;
      k = j + 1;
      continue;
    }
    if (c === '(') {
      const rest = chars.slice(k, k + 40).join('');
      const named = /^\(\?P?<([A-Za-z][A-Za-z0-9]*)>/.exec(rest);
      if (named) {
        stack.push({ ...f });
        out += `(?<${named[1]}>`;
        k += named[0].length;
        continue;
      }
      const flagGroup = /^\(\?(-?[imsU]+(?:-[imsU]*)?)(:|\))/.exec(rest);
      if (flagGroup) {
        if (flagGroup[1].includes('U')) return refuse('the ungreedy flag U');
        const next = { ...f };
        let on = true;
        for (const ch of flagGroup[1]) {
          if (ch === '-') on = false;
          else next[ch as 'i' | 'm' | 's'] = on;
        }
        if (next.i) exact = false;
        const iPart = next.i === f.i ? '' : next.i ? 'i' : '-i';
        if (flagGroup[2] === ':') {
          stack.push({ ...f });
          out += iPart ? `(?${iPart}:` : '(?:';
        } else if (iPart) out += `(?${iPart})`;
        f = next;
        k += flagGroup[0].length;
        continue;
      }
      if (rest.startsWith('(?:')) {
        stack.push({ ...f });
        out += '(?:';
        k += 3;
        continue;
      }
      if (rest.startsWith('(?')) return refuse(`the group ${rest.slice(0, 4)}`);
      stack.push({ ...f });
      out += '(';
      k++;
      continue;
    }
    if (c === ')') {
      f = stack.pop() ?? f;
      out += ')';
      k++;
      continue;
    }
    if (c === '^') out += f.m ? '(?:\\A|(?<=\\n))' : '\\A';
    else if (c === '$') out += f.m ? '(?=\\n|\\z)' : '\\z';
    else if (c === '.') out += f.s ? '[\\s\\S]' : '[^\\n]';
    else if (c === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(k, k + 12).join(''));
      if (rep) {
        out += rep[0];
        k += rep[0].length;
        continue;
      }
      out += '\\{';
    } else if (c === '}') out += '\\}';
    else if ('*+?|'.includes(c)) out += c;
    else out += lit(c);
    k++;
  }
  return { source: `${flags.includes('i') ? '(?i)' : ''}${out}`, exact };
}
