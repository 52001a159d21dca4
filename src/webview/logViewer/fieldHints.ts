/**
 * Field-name hints under the search box: the names completing the word being typed, taken with a
 * click or Tab. The names come from the query language itself (completeField), so a hint is
 * always a field the search understands.
 */
import { completeField } from '../../core/query/query';
import { el } from '../shared/dom';

export class FieldHints {
  readonly element = el('div', { className: 'hints', hidden: true });

  /** `onTake` runs after a hint replaced the word being typed in `input`. */
  constructor(
    private readonly input: HTMLInputElement,
    private readonly onTake: () => void,
  ) {
    this.element.setAttribute('aria-label', 'Field name suggestions');
  }

  /** Offers the field names completing the word before the caret. */
  show(): void {
    const names = completeField(this.input.value.slice(0, this.input.selectionStart ?? this.input.value.length));
    this.element.hidden = names.length === 0;
    this.element.replaceChildren(
      el('span', { className: 'hints-label', textContent: 'Fields:' }),
      ...names.map((name) => {
        const b = el('button', { type: 'button', className: 'hint', textContent: `${name}:` });
        b.addEventListener('click', () => this.take(name));
        return b;
      }),
    );
  }

  /** Takes the first hint shown (for Tab); false when none is shown. */
  takeFirst(): boolean {
    const first = this.element.hidden ? undefined : this.element.querySelector<HTMLButtonElement>('.hint');
    if (!first) return false;
    this.take(first.textContent.slice(0, -1));
    return true;
  }

  private take(name: string): void {
    this.input.value = this.input.value.replace(/(-?)[A-Za-z]+$/, `$1${name}:`);
    this.element.hidden = true;
    this.input.focus();
    this.onTake();
  }
}
