/**
 * The log viewer's load status: the progress bar while files load (with Cancel), and the notes
 * per file (failed, digest, other) once they have something to say. Note texts name files and
 * quote parsers' errors: attacker-influenced, so set with textContent only.
 */
import type { FileNote, LoadStatus } from '../../protocol/logViewer';
import { el } from '../shared/dom';

function renderNote(n: FileNote): HTMLElement {
  const li = el('li', { className: `note note-${n.state}` });
  li.append(
    el('span', { className: 'note-state', textContent: n.state === 'failed' ? 'failed' : n.state }),
    el('span', { className: 'note-label', textContent: n.label }),
    el('span', { className: 'note-message', textContent: n.message }),
  );
  return li;
}

export class LoadStatusView {
  private readonly progressText = el('span', { className: 'progress-text' });
  private readonly progressBar = el('div', { className: 'progress-bar' });
  private readonly cancelButton = el('button', { className: 'cancel', textContent: 'Cancel', type: 'button' });
  /** The progress bar, shown while loading. */
  readonly progress = el('div', { className: 'progress', hidden: true }, [
    this.progressText,
    this.cancelButton,
    el('div', { className: 'progress-track' }, [this.progressBar]),
  ]);
  private readonly notesSummary = el('summary');
  private readonly notesList = el('ul', { className: 'notes-list' });
  /** The notes, shown when a file failed or has a message, or loading was cancelled. */
  readonly notes = el('details', { className: 'notes', hidden: true }, [this.notesSummary, this.notesList]);
  /** The newest status shown, if any. */
  last: LoadStatus | undefined;

  constructor(onCancel: () => void) {
    this.cancelButton.addEventListener('click', onCancel);
  }

  show(s: LoadStatus): void {
    this.last = s;
    this.progress.hidden = !s.loading;
    if (s.loading) {
      this.progressText.textContent = `Loading ${s.filesDone.toLocaleString()} of ${s.filesTotal.toLocaleString()} files${s.current ? ` — ${s.current}` : ''}`;
      this.progressBar.style.width = `${s.filesTotal ? Math.round((s.filesDone / s.filesTotal) * 100) : 0}%`;
    }
    const problems = s.notes.filter((n) => n.state !== 'loaded' || n.message).length + s.notesOmitted;
    this.notes.hidden = problems === 0 && !s.cancelled;
    const bits: string[] = [];
    if (s.filesFailed) bits.push(`${s.filesFailed} file${s.filesFailed === 1 ? '' : 's'} could not be read`);
    if (s.digests) bits.push(`${s.digests} digest file${s.digests === 1 ? '' : 's'}`);
    const other = s.notes.length - s.notes.filter((n) => n.state === 'failed' || n.state === 'digest').length;
    if (other) bits.push(`${other} other note${other === 1 ? '' : 's'}`);
    if (s.cancelled) bits.push('loading was cancelled');
    this.notesSummary.textContent = bits.join(' · ') || 'Notes';
    this.notes.classList.toggle('has-failures', s.filesFailed > 0);
    const items = s.notes.map(renderNote);
    if (s.notesOmitted)
      items.unshift(
        el('li', {
          className: 'note',
          textContent: `${s.notesOmitted} earlier notes not shown (see the CloudTrail Lens output).`,
        }),
      );
    this.notesList.replaceChildren(...items);
  }
}
