/**
 * The identity page's check of what the host sends: a graph is laid out only from nodes and edges
 * of the expected shape (others are dropped one by one), so a malformed message cannot break
 * the page or reach the DOM as anything but text.
 */
import type { GraphEdgeView, GraphNodeView, IdentityGraphView } from '../../protocol/identity';

const isStr = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isNode(x: unknown): x is GraphNodeView {
  const n = x as Record<string, unknown> | null;
  return (
    !!n &&
    typeof n === 'object' &&
    [n.id, n.kind, n.label, n.arn, n.account].every(isStr) &&
    isCount(n.events) &&
    isCount(n.errors) &&
    optStr(n.query)
  );
}

function isEdge(x: unknown): x is GraphEdgeView {
  const e = x as Record<string, unknown> | null;
  return (
    !!e &&
    typeof e === 'object' &&
    [e.id, e.from, e.to, e.eventName].every(isStr) &&
    isCount(e.ok) &&
    isCount(e.failed) &&
    typeof e.crossAccount === 'boolean' &&
    optStr(e.query) &&
    optStr(e.failedQuery)
  );
}

/** The graph in a `graph` message, checked; undefined when it is not one. */
export function parseGraph(g: unknown): IdentityGraphView | undefined {
  if (typeof g !== 'object' || g === null) return undefined;
  const x = g as Record<string, unknown>;
  if (!Array.isArray(x.nodes) || !Array.isArray(x.edges)) return undefined;
  return {
    nodes: x.nodes.filter(isNode),
    edges: x.edges.filter(isEdge),
    folded: isCount(x.folded) ? x.folded : 0,
    anonymous: isCount(x.anonymous) ? x.anonymous : 0,
  };
}
