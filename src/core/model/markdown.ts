/**
 * Untrusted text in the Markdown documents the extension opens (alert exports, access-key
 * reports, policy notes): always as code, never as Markdown, so an event's or a rule file's
 * strings cannot become links, images or HTML in a preview. Hidden and direction-changing
 * characters are made visible.
 */
import { reveal } from './visible';

const longestRun = (text: string): number => Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));

/**
 * `text` as an inline code span that its backticks and line breaks cannot close, cut to `max`
 * characters; `inTable` also escapes `|`, on which GitHub-style tables split cells even inside
 * code. An empty text is `(none)`.
 */
export function codeSpan(text: string, opts: { max?: number; inTable?: boolean } = {}): string {
  const cut = opts.max !== undefined && text.length > opts.max ? `${text.slice(0, opts.max)}…` : text;
  let t = reveal(cut.replace(/[\r\n]+/g, ' '));
  if (t === '') return '(none)';
  if (opts.inTable) t = t.replace(/\|/g, '\\|');
  const ticks = '`'.repeat(longestRun(t) + 1);
  // CommonMark strips one space each side: needed only where the text starts or ends with a backtick.
  const pad = /^`|`$/.test(t) ? ' ' : '';
  return `${ticks}${pad}${t}${pad}${ticks}`;
}

/** `text` as a fenced block that no run of backticks in it can close. */
export function codeFence(text: string, lang = ''): string {
  const f = '`'.repeat(Math.max(3, longestRun(text) + 1));
  return `${f}${lang}\n${text}\n${f}`;
}
