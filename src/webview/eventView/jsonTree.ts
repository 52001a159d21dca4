/**
 * A collapsible, syntax-coloured JSON tree built with DOM APIs only: keys and values become text
 * nodes, never markup, whatever they contain. Each row offers "copy value" and "copy path".
 */
import { clip, el } from '../shared/dom';
const IDENT = /^[A-Za-z_$][\w$]*$/;

export interface TreeHooks {
  copy(text: string, what: string): void;
  isCollapsed(path: string): boolean;
  /** Whether a node past the default depth was opened by the user. */
  isExpanded?(path: string): boolean;
  setCollapsed(path: string, collapsed: boolean): void;
}

/** `$.a.b[0]["odd key"]`: the path of a child, in JSONPath notation. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function scalar(value: unknown): HTMLElement {
  if (value === null) return el('span', { className: 'j-null', textContent: 'null' });
  switch (typeof value) {
    case 'string': {
      return el('span', { className: 'j-string', textContent: JSON.stringify(clip(value)) });
    }
    case 'number':
      return el('span', { className: 'j-number', textContent: String(value) });
    case 'boolean':
      return el('span', { className: 'j-boolean', textContent: String(value) });
    default:
      // Only null is left: JSON has no other value.
      return el('span', { className: 'j-null', textContent: 'null' });
  }
}

/** Nodes deeper than this start collapsed: hostile nesting cannot build a huge tree (or blow the stack) on open. */
const OPEN_DEPTH = 6;

function copyButtons(value: unknown, path: string, hooks: TreeHooks): HTMLElement {
  // Serialized on click, not for every node up front (that costs size × depth).
  const valueText = (): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  const copyValue = el('button', {
    className: 'j-copy',
    type: 'button',
    textContent: 'Copy value',
    title: `Copy the value at ${clip(path, 300)}`,
  });
  copyValue.addEventListener('click', (e) => {
    e.stopPropagation();
    hooks.copy(valueText(), 'value');
  });
  const copyPath = el('button', {
    className: 'j-copy',
    type: 'button',
    textContent: 'Copy path',
    title: clip(path, 300),
  });
  copyPath.addEventListener('click', (e) => {
    e.stopPropagation();
    hooks.copy(path, 'JSON path');
  });
  return el('span', { className: 'j-actions' }, [copyValue, copyPath]);
}

/** Renders `value` as a tree; `label` is its key in the parent (or undefined at the root). */
export function renderJson(
  value: unknown,
  path: string,
  hooks: TreeHooks,
  label?: string | number,
  depth = 0,
): HTMLElement {
  const row = el('div', { className: 'j-row' });
  row.dataset.path = path;
  const head = el('div', { className: 'j-head' });
  const keyNode =
    label === undefined
      ? undefined
      : el('span', {
          className: typeof label === 'number' ? 'j-index' : 'j-key',
          textContent: typeof label === 'number' ? `${label}` : JSON.stringify(clip(label, 500)),
        });
  const container = typeof value === 'object' && value !== null;
  if (!container) {
    head.append(el('span', { className: 'j-spacer' }));
    if (keyNode) head.append(keyNode, el('span', { className: 'j-punct', textContent: ': ' }));
    head.append(scalar(value), copyButtons(value, path, hooks));
    row.append(head);
    return row;
  }
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  const toggle = el('button', { className: 'j-toggle', type: 'button', title: 'Collapse or expand' });
  const summary = el('span', {
    className: 'j-summary',
    textContent: ` ${entries.length} ${Array.isArray(value) ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'} `,
  });
  head.append(toggle);
  if (keyNode) head.append(keyNode, el('span', { className: 'j-punct', textContent: ': ' }));
  head.append(
    el('span', { className: 'j-punct', textContent: open }),
    summary,
    el('span', { className: 'j-punct j-close-inline', textContent: close }),
    copyButtons(value, path, hooks),
  );
  const children = el('div', { className: 'j-children' });
  let built = false;
  const build = (): void => {
    if (built) return;
    built = true;
    children.append(...entries.map(([k, v]) => renderJson(v, childPath(path, k), hooks, k, depth + 1)));
    children.append(el('div', { className: 'j-punct j-close', textContent: close }));
  };
  const apply = (collapsed: boolean): void => {
    row.classList.toggle('collapsed', collapsed);
    toggle.setAttribute('aria-expanded', String(!collapsed));
    toggle.textContent = collapsed ? '▸' : '▾';
    if (!collapsed) build();
  };
  toggle.addEventListener('click', () => {
    const collapsed = !row.classList.contains('collapsed');
    hooks.setCollapsed(path, collapsed);
    apply(collapsed);
  });
  apply(entries.length === 0 || hooks.isCollapsed(path) || (depth >= OPEN_DEPTH && !hooks.isExpanded?.(path)));
  row.append(head, children);
  return row;
}
