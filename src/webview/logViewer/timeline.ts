/**
 * The timeline: a histogram of the result set over time, drawn as SVG (crisp at any zoom, colored
 * by the theme through CSS), errors stacked at the bottom of each bar. Drag across it to filter
 * to a time range; click a bar to zoom into it. Built with DOM APIs only.
 */
import type { Timeline } from '../../protocol/logViewer';
import {
  axisTicks,
  describeBucket,
  hasTimeRange,
  withoutTimeRange,
  withTimeRange,
} from '../../core/investigate/timeline';
import { el } from '../shared/dom';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 84;
const AXIS = 16;
const MIN_DRAG_PX = 4;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** "2023-07-10 11:45" (UTC), shortened to what the bucket size needs. */
/** A tick label's width per character: 10px monospace (media/logViewer.css .tick) is about 6 px, with room to spare. */
const TICK_CHAR_PX = 6.5;

function label(ms: number, bucketMs: number): string {
  const iso = new Date(ms).toISOString();
  if (bucketMs >= 86_400_000) return iso.slice(0, 10);
  if (bucketMs >= 60_000) return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export class TimelineView {
  readonly element: HTMLElement;
  private readonly caption = el('span', { className: 'timeline-caption' });
  private readonly reset = el('button', {
    type: 'button',
    className: 'link-button',
    textContent: 'Show all times',
    hidden: true,
  });
  private readonly chart = svg('svg', { class: 'timeline-chart', height: HEIGHT, role: 'img' });
  private data: Timeline | undefined;
  private query = '';
  private drag: { x0: number; x1: number; rect: SVGRectElement } | undefined;
  /** The bar the keyboard is on (-1: none yet). */
  private focused = -1;

  /** `onQuery` receives the query a selection, zoom or reset produces. */
  constructor(private readonly onQuery: (query: string) => void) {
    const legend = el('span', { className: 'timeline-legend' }, [
      el('span', { className: 'swatch swatch-ok' }),
      el('span', { textContent: 'events' }),
      el('span', { className: 'swatch swatch-error' }),
      el('span', { textContent: 'errors' }),
    ]);
    this.element = el('div', { className: 'timeline' }, [
      el('div', { className: 'timeline-head' }, [this.caption, legend, this.reset]),
      this.chart,
    ]);
    this.element.setAttribute(
      'aria-label',
      'Events over time. Drag to filter to a time range, click a bar to zoom in.',
    );
    this.reset.addEventListener('click', () => this.onQuery(withoutTimeRange(this.query)));
    this.chart.addEventListener('mousedown', (e) => this.startDrag(e));
    // Keyboard: arrows move between bars, Home/End jump, Enter zooms into the bar.
    this.chart.setAttribute('tabindex', '0');
    this.chart.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('mousemove', (e) => this.moveDrag(e));
    window.addEventListener('mouseup', (e) => this.endDrag(e));
    window.addEventListener('resize', () => this.draw());
  }

  /** Shows `timeline` for the results of `query`. */
  update(timeline: Timeline, query: string): void {
    this.data = timeline;
    this.query = query;
    this.reset.hidden = !hasTimeRange(query);
    this.draw();
  }

  private width(): number {
    return Math.max(200, this.element.clientWidth - 24);
  }

  private draw(): void {
    const t = this.data;
    if (!t) return;
    const width = this.width();
    this.chart.setAttribute('width', String(width));
    this.chart.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    const total = t.counts.reduce((a, b) => a + b, 0);
    const errors = t.errors.reduce((a, b) => a + b, 0);
    const parts = [`${total.toLocaleString()} event${total === 1 ? '' : 's'} over time`];
    if (t.bucketMs) parts.push(`${describeBucket(t.bucketMs)} bars`);
    if (errors) parts.push(`${errors.toLocaleString()} errors`);
    if (t.noTime) parts.push(`${t.noTime.toLocaleString()} without a time (not drawn)`);
    this.caption.textContent = parts.join(' · ');
    const nodes: SVGElement[] = [];
    const n = t.counts.length;
    if (n === 0) {
      this.chart.replaceChildren();
      return;
    }
    const plot = HEIGHT - AXIS;
    const max = Math.max(...t.counts);
    const slot = width / n;
    const gap = slot > 4 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const count = t.counts[i];
      const x = i * slot;
      const g = svg('g', { class: 'bucket', 'data-index': i });
      const from = t.start + i * t.bucketMs;
      const tip = svg('title', {});
      tip.textContent = `${label(from, t.bucketMs)} – ${label(from + t.bucketMs, t.bucketMs)} UTC: ${count.toLocaleString()} event${count === 1 ? '' : 's'}${t.errors[i] ? `, ${t.errors[i].toLocaleString()} error${t.errors[i] === 1 ? '' : 's'}` : ''}. Click (or Enter) to zoom in.`;
      g.append(tip, svg('rect', { class: 'hit', x, y: 0, width: slot, height: plot }));
      if (count > 0) {
        // At least one pixel, so a lone event in a busy range is still visible.
        const h = Math.max(1, (count / max) * (plot - 4));
        const eh = t.errors[i] ? Math.max(1, (t.errors[i] / max) * (plot - 4)) : 0;
        g.append(
          svg('rect', { class: 'bar', x: x + gap / 2, y: plot - h, width: Math.max(1, slot - gap), height: h - eh }),
        );
        if (eh)
          g.append(
            svg('rect', {
              class: 'bar-error',
              x: x + gap / 2,
              y: plot - eh,
              width: Math.max(1, slot - gap),
              height: eh,
            }),
          );
      }
      nodes.push(g);
    }
    nodes.push(svg('line', { class: 'axis', x1: 0, x2: width, y1: plot + 0.5, y2: plot + 0.5 }));
    // As many labels as fit without overlapping (start and end first): a narrow panel gets fewer.
    const text = (i: number): string => label(t.start + i * t.bucketMs, t.bucketMs);
    for (const tick of axisTicks(n, width, (i) => text(i).length * TICK_CHAR_PX)) {
      const node = svg('text', { class: 'tick', x: tick.x, y: HEIGHT - 3, 'text-anchor': tick.anchor });
      node.textContent = text(tick.index);
      nodes.push(node);
    }
    this.chart.replaceChildren(...nodes);
    if (this.focused > n - 1) this.focused = -1;
    if (this.focused >= 0) this.focusBar(this.focused);
  }

  private onKey(e: KeyboardEvent): void {
    const t = this.data;
    if (!t?.counts.length) return;
    const last = t.counts.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: this.focused + 1,
      ArrowLeft: this.focused - 1,
      Home: 0,
      End: last,
    };
    if (e.key in moves)
      this.focusBar(Math.max(0, Math.min(last, this.focused < 0 && e.key === 'ArrowLeft' ? last : moves[e.key])));
    else if (e.key === 'Enter' && this.focused >= 0 && t.counts[this.focused] > 0) {
      const from = t.start + this.focused * t.bucketMs;
      this.onQuery(withTimeRange(this.query, from, from + t.bucketMs));
    } else return;
    e.preventDefault();
  }

  /** Marks bar `i` as the keyboard's and says what it holds (for screen readers too). */
  private focusBar(i: number): void {
    this.focused = i;
    for (const g of Array.from(this.chart.querySelectorAll('.bucket.focused'))) g.classList.remove('focused');
    const g = this.chart.querySelector(`.bucket[data-index="${i}"]`);
    g?.classList.add('focused');
    this.chart.setAttribute('aria-label', g?.querySelector('title')?.textContent ?? '');
  }

  private x(e: MouseEvent): number {
    const box = this.chart.getBoundingClientRect();
    return Math.max(0, Math.min(box.width, e.clientX - box.left));
  }

  private startDrag(e: MouseEvent): void {
    if (!this.data?.counts.length || e.button !== 0) return;
    e.preventDefault();
    const x0 = this.x(e);
    const rect = svg('rect', { class: 'selection', x: x0, y: 0, width: 0, height: HEIGHT - AXIS });
    this.chart.append(rect);
    this.drag = { x0, x1: x0, rect };
  }

  private moveDrag(e: MouseEvent): void {
    if (!this.drag) return;
    this.drag.x1 = this.x(e);
    const a = Math.min(this.drag.x0, this.drag.x1);
    this.drag.rect.setAttribute('x', String(a));
    this.drag.rect.setAttribute('width', String(Math.abs(this.drag.x1 - this.drag.x0)));
  }

  private endDrag(e: MouseEvent): void {
    const drag = this.drag;
    const t = this.data;
    if (!drag || !t) return;
    this.drag = undefined;
    drag.rect.remove();
    drag.x1 = this.x(e);
    const width = this.chart.getBoundingClientRect().width || this.width();
    const span = t.counts.length * t.bucketMs;
    const at = (x: number): number => t.start + (x / width) * span;
    if (Math.abs(drag.x1 - drag.x0) < MIN_DRAG_PX) {
      const i = Math.min(t.counts.length - 1, Math.floor((drag.x0 / width) * t.counts.length));
      if (t.counts[i] === 0) return;
      const from = t.start + i * t.bucketMs;
      this.onQuery(withTimeRange(this.query, from, from + t.bucketMs));
      return;
    }
    this.onQuery(withTimeRange(this.query, at(Math.min(drag.x0, drag.x1)), at(Math.max(drag.x0, drag.x1))));
  }
}
