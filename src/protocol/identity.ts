/**
 * "Who is really behind this?" as the webviews see it (types only; both sides import this): the
 * credential chain of one event (shown in the event view's Who section) and the identity graph
 * webview's messages. Shapes mirror core/investigate/identity (chains.ts, graph.ts), which the
 * protocol may not import; every string in them comes from events and is attacker-controlled.
 */

/** How a chain ends: at its origin; at a call that is not loaded (the rest inferred); in hostile data. */
export type ChainEndView = 'origin' | 'missing' | 'loop' | 'tooLong';

/** One hop: the call that minted a key, from the origin towards the event. */
export interface ChainHopView {
  /** The issuing event's row in the log view's store; null when the hop is inferred (no event). */
  row: number | null;
  inferred: boolean;
  eventName: string;
  /** The identity the hop created (`Role/session`). */
  identity: string;
  identityArn: string;
  account: string;
  callerAccount: string;
  crossAccount: boolean;
  /** The key it minted ('' when not known). */
  key: string;
  /** Epoch ms, null when not known; timeUtc '' then. */
  time: number | null;
  timeUtc: string;
  sourceIp: string;
  sourceIdentity: string;
}

export interface ChainView {
  origin: { kind: string; label: string; arn: string; account: string; inferred: boolean };
  /** Nearest the origin first; the last hop minted the event's own key. */
  hops: ChainHopView[];
  end: ChainEndView;
  notes: string[];
}

/** Which events the event view's "Draft policy" covers. */
export type PolicyScope = 'principal' | 'session';

export type GraphNodeKind =
  | 'user'
  | 'root'
  | 'role'
  | 'federated'
  | 'service'
  | 'account'
  | 'identityCenter'
  | 'saml'
  | 'webIdentity'
  | 'unknown'
  | 'other';

/** A principal of the identity graph (computed by core/investigate/identity/graph.ts). */
export interface GraphNodeView {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** The principal's ARN (a role's without its path, which sessions do not carry); '' when none. */
  arn: string;
  account: string;
  /** Events the principal made (among the rows given), and how many failed. */
  events: number;
  errors: number;
  /** Filters the log view to the node's events; absent when the language cannot say it exactly. */
  query?: string;
}

/** Assumptions from one principal to another, by one event name. */
export interface GraphEdgeView {
  id: string;
  from: string;
  to: string;
  eventName: string;
  ok: number;
  failed: number;
  crossAccount: boolean;
  /** Filters the log view to the successful calls this edge counts, and to the failed ones. */
  query?: string;
  failedQuery?: string;
}

export interface IdentityGraphView {
  nodes: GraphNodeView[];
  edges: GraphEdgeView[];
  /** Nodes folded into "other". */
  folded: number;
  /** Events with no principal at all. */
  anonymous: number;
}

/** Host → identity graph webview. */
export type ToIdentityView =
  | { type: 'graph'; title: string; graph: IdentityGraphView; events: number; ms: number }
  | { type: 'loading'; title: string }
  | { type: 'error'; message: string };

/** Identity graph webview → host (checked by src/core/ui/identityViewMessages.ts). */
export type FromIdentityView =
  | { type: 'ready' }
  | { type: 'refresh' }
  /** Filter the log view on a node's events, or an edge's successful (or failed) calls. */
  | { type: 'filter'; target: 'node' | 'edge'; id: string; failed: boolean };
