/**
 * The identity graph webview: shows the graph the host sends (checked first), and sends back
 * which node or edge was clicked; the host turns that into a search in the log view.
 */
import type { FromIdentityView } from '../../protocol/identity';
import { clip, el } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { renderGraphPage } from './render';
import { parseGraph } from './validate';

const vscode = vscodeApi<FromIdentityView>();
const app = document.getElementById('app')!;

const hooks = {
  filter: (target: 'node' | 'edge', id: string, failed: boolean) =>
    vscode.postMessage({ type: 'filter', target, id, failed }),
  refresh: () => vscode.postMessage({ type: 'refresh' }),
};

function status(text: string, className: string): void {
  app.replaceChildren(el('main', { className: 'identity-page' }, [el('p', { className, textContent: text })]));
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) return;
  if (m.type === 'loading' && typeof m.title === 'string') {
    // Keep the last graph on screen while a refresh runs.
    if (!app.querySelector('.graph-header')) status(`Building the identity graph of ${clip(m.title, 300)}…`, 'loading');
  } else if (m.type === 'error' && typeof m.message === 'string') {
    status(clip(m.message, 2000), 'error');
  } else if (
    m.type === 'graph' &&
    typeof m.title === 'string' &&
    typeof m.events === 'number' &&
    typeof m.ms === 'number'
  ) {
    const graph = parseGraph(m.graph);
    if (graph) app.replaceChildren(renderGraphPage({ title: m.title, graph, events: m.events, ms: m.ms }, hooks));
  }
});
vscode.postMessage({ type: 'ready' });
