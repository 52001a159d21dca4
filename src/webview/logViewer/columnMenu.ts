/**
 * The column menu: which of the optional columns (the source IP's country and network) the table
 * shows. Opened from the header's "Columns" button or a right-click on the header; a list of
 * checkboxes, closed by Escape, a click elsewhere, or choosing again.
 */
import { OPTIONAL_COLUMNS, type OptionalColumn } from '../../protocol/logViewer';
import { el } from '../shared/dom';

export const OPTIONAL_TITLES: Record<OptionalColumn, { title: string; tip: string }> = {
  country: {
    title: 'Country',
    tip: 'Where the source IP is (the shipped country data, or your own MMDB); private ranges and AWS service names say what they are',
  },
  asn: {
    title: 'Network (ASN)',
    tip: "The source IP's autonomous system and its owner, and AWS's service and region for AWS's own ranges",
  },
};

export class ColumnMenu {
  readonly button: HTMLButtonElement;
  readonly menu: HTMLElement;
  private readonly boxes = new Map<OptionalColumn, HTMLInputElement>();

  constructor(
    shown: readonly OptionalColumn[],
    private readonly onChange: (shown: OptionalColumn[]) => void,
  ) {
    this.button = el('button', {
      type: 'button',
      className: 'column-button',
      textContent: '⋯',
      title: 'Columns: show or hide the Country and Network (ASN) columns',
    });
    this.button.setAttribute('aria-label', 'Columns');
    this.button.setAttribute('aria-haspopup', 'true');
    this.button.setAttribute('aria-expanded', 'false');
    this.menu = el('div', { className: 'column-menu', role: 'menu', hidden: true });
    this.menu.setAttribute('aria-label', 'Columns');
    this.menu.append(el('div', { className: 'column-menu-title', textContent: 'Columns' }));
    for (const key of OPTIONAL_COLUMNS) {
      const box = el('input', { type: 'checkbox' });
      box.checked = shown.includes(key);
      box.addEventListener('change', () => this.onChange(this.shown()));
      this.boxes.set(key, box);
      const label = el(
        'label',
        { className: 'column-option', title: OPTIONAL_TITLES[key].tip, role: 'menuitemcheckbox' },
        [box, document.createTextNode(` ${OPTIONAL_TITLES[key].title}`)],
      );
      label.dataset.column = key;
      this.menu.append(label);
    }
    this.button.addEventListener('click', (e) => {
      e.stopPropagation();
      this.toggle();
    });
    this.menu.addEventListener('click', (e) => e.stopPropagation());
    this.menu.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.close();
        this.button.focus();
      }
    });
    document.addEventListener('click', () => this.close());
  }

  shown(): OptionalColumn[] {
    return OPTIONAL_COLUMNS.filter((k) => this.boxes.get(k)!.checked);
  }

  toggle(): void {
    if (this.menu.hidden) this.open();
    else this.close();
  }

  open(): void {
    this.menu.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.boxes.get(OPTIONAL_COLUMNS[0])!.focus();
  }

  close(): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }
}
