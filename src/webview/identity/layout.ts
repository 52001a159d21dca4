/**
 * A layered layout of the identity graph: who assumed nothing before (origins: users, root,
 * Identity Center, services…) on the left, each identity a column right of whoever became it
 * (longest path from an origin), busiest first within a column. Cycles (a role assuming a role
 * that assumes it back) stop growing after MAX_COLUMNS. Principals that took part in no
 * assumption are listed apart, not drawn. Pure arithmetic: no DOM.
 */
import type { GraphEdgeView, GraphNodeView, IdentityGraphView } from '../../protocol/identity';

export const NODE_W = 230;
export const NODE_H = 46;
const COL_GAP = 150;
const ROW_GAP = 18;
const PAD = 16;
/** Columns past this are folded into the last (a hostile chain of hundreds of roles stays on screen). */
export const MAX_COLUMNS = 8;

export interface PlacedNode {
  node: GraphNodeView;
  column: number;
  x: number;
  y: number;
}

export interface GraphLayout {
  placed: Map<string, PlacedNode>;
  /** Edges whose two ends are drawn. */
  edges: GraphEdgeView[];
  /** Nodes in no edge, busiest first. */
  isolated: GraphNodeView[];
  width: number;
  height: number;
}

const KIND_ORDER = [
  'user',
  'root',
  'identityCenter',
  'saml',
  'webIdentity',
  'federated',
  'account',
  'service',
  'role',
  'unknown',
  'other',
];

export function layoutGraph(g: IdentityGraphView): GraphLayout {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const edges = g.edges.filter((e) => byId.has(e.from) && byId.has(e.to));
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  const column = new Map<string, number>();
  for (const id of linked) column.set(id, 0);
  // Longest path by relaxation; each pass can only push a node right, and at most MAX_COLUMNS passes matter.
  for (let pass = 0; pass < MAX_COLUMNS; pass++) {
    let moved = false;
    for (const e of edges) {
      if (e.from === e.to) continue;
      const want = Math.min(MAX_COLUMNS - 1, column.get(e.from)! + 1);
      if (want > column.get(e.to)!) {
        column.set(e.to, want);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const columns: GraphNodeView[][] = [];
  for (const [id, c] of column) (columns[c] ??= []).push(byId.get(id)!);
  const rank = (n: GraphNodeView): number => KIND_ORDER.indexOf(n.kind);
  const placed = new Map<string, PlacedNode>();
  let rows = 0;
  columns.forEach((list, c) => {
    list.sort(
      (a, b) => rank(a) - rank(b) || b.events - a.events || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
    );
    list.forEach((node, i) =>
      placed.set(node.id, { node, column: c, x: PAD + c * (NODE_W + COL_GAP), y: PAD + i * (NODE_H + ROW_GAP) }),
    );
    rows = Math.max(rows, list.length);
  });
  const used = columns.length;
  return {
    placed,
    edges,
    isolated: g.nodes.filter((n) => !linked.has(n.id)).sort((a, b) => b.events - a.events),
    width: used ? 2 * PAD + used * NODE_W + (used - 1) * COL_GAP : 0,
    height: rows ? 2 * PAD + rows * NODE_H + (rows - 1) * ROW_GAP : 0,
  };
}

/** How the graph is shown: fitted to the panel's width, or at a scale (1 = actual size). */
export type Zoom = 'fit' | number;

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 3;

/**
 * The graph's drawn size at `zoom` in a panel `available` pixels wide: fitted, it is never wider
 * than the panel (and never larger than actual size); a scale is clamped to [MIN_ZOOM, MAX_ZOOM].
 */
export function zoomedSize(
  graph: { width: number; height: number },
  zoom: Zoom,
  available: number,
): { width: number; height: number; scale: number } {
  const fitted = graph.width > 0 ? Math.min(1, Math.max(1, available - 2) / graph.width) : 1;
  const scale = zoom === 'fit' ? fitted : Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
  return { width: Math.floor(graph.width * scale), height: Math.floor(graph.height * scale), scale };
}

/** The next zoom step from `scale` (×1.25 in, ÷1.25 out), clamped. */
export function stepZoom(scale: number, direction: 1 | -1): number {
  const next = direction > 0 ? scale * 1.25 : scale / 1.25;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(next * 100) / 100));
}
