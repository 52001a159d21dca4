/**
 * DOM helpers for webviews. Text goes in through text nodes only: nothing here ever parses a
 * string as HTML, so attacker-controlled event values stay inert.
 */
import { reveal } from '../../core/model/visible';

export { reveal };

type Props<K extends keyof HTMLElementTagNameMap> = Partial<
  Pick<
    HTMLElementTagNameMap[K],
    Extract<
      keyof HTMLElementTagNameMap[K],
      | 'className'
      | 'textContent'
      | 'title'
      | 'hidden'
      | 'type'
      | 'placeholder'
      | 'value'
      | 'spellcheck'
      | 'tabIndex'
      | 'open'
    >
  >
> & { role?: string };

/** Creates an element with a few safe properties (never innerHTML) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<K> = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { role, ...rest } = props;
  Object.assign(node, rest);
  if (role) node.setAttribute('role', role);
  node.append(...children);
  return node;
}

/**
 * Fills `target` with `text`, wrapping the given half-open ranges in <mark>. Ranges may overlap
 * or run past the text; they are clipped and merged.
 */
export function setHighlighted(
  target: HTMLElement,
  text: string,
  ranges: ReadonlyArray<readonly [number, number]>,
): void {
  const clean = ranges
    .map(([a, b]) => [Math.max(0, Math.min(a, text.length)), Math.max(0, Math.min(b, text.length))] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const r of clean) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  const parts: Node[] = [];
  let at = 0;
  // Reveal per segment, after the ranges are applied, so the ranges keep their offsets.
  for (const [a, b] of merged) {
    if (a > at) parts.push(document.createTextNode(reveal(text.slice(at, a))));
    const mark = document.createElement('mark');
    mark.textContent = reveal(text.slice(a, b));
    parts.push(mark);
    at = b;
  }
  if (at < text.length) parts.push(document.createTextNode(reveal(text.slice(at))));
  target.replaceChildren(...parts);
}

/** Long values are cut for display (copying still takes them whole). */
export const MAX_SHOWN = 2000;

/** `text` revealed, and cut to its first `max` characters with a note of how many more there are. */
export function clip(text: string, max = MAX_SHOWN): string {
  const cut =
    text.length > max ? `${text.slice(0, max)}… (${(text.length - max).toLocaleString()} more characters)` : text;
  return reveal(cut);
}
