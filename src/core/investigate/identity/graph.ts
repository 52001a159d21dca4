/**
 * The identity graph of an investigation: who became whom. Nodes are the principals that made
 * calls — IAM users, root, roles (a role's sessions together), federated users, AWS services,
 * other accounts, Identity Center / SAML / web-identity users — with their event and error
 * counts; edges are the credential-issuing calls (issuers.ts) from caller to the identity
 * created, counted by success and failure, cross-account ones marked. Each node and edge carries
 * the search that shows its events in the log view (undefined where the language cannot say it
 * exactly). Only the top `maxNodes` nodes are kept for display; the rest fold into one "other".
 *
 * Cost: one pass over the rows' columns (a node per distinct principal ARN or name, memoized per
 * value id) plus the issuing calls the chain index already parsed: no raw event is read here.
 */
import { assumedRoleParts } from '../../model/principal';
import { fieldTerm } from '../../query/query';
import type { EventStore } from '../../store/store';
import type { ChainIndex } from './chains';
import { hopOf } from './chains';

/**
 * The graph's shapes are the protocol's (the identity view draws exactly what is computed here):
 * nodes with their events and the query that shows them, edges with ok and failed counts.
 */
export type {
  GraphNodeKind,
  GraphNodeView as GraphNode,
  GraphEdgeView as GraphEdge,
  IdentityGraphView as IdentityGraph,
} from '../../../protocol/identity';
import type {
  GraphNodeKind,
  GraphNodeView as GraphNode,
  GraphEdgeView as GraphEdge,
  IdentityGraphView as IdentityGraph,
} from '../../../protocol/identity';

export interface GraphOptions {
  /** Rows to count (default: every row). Edges always come from every issuing call loaded. */
  rows?: Uint32Array;
  /** Most nodes shown, "other" included (default 60). */
  maxNodes?: number;
}

/** IAM names: what a role or user name may hold, so that a glob query can be written unquoted. */
const SAFE_NAME = /^[\w+=,.@-]+$/;

const accountOfArn = (arn: string): string => /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? '';

/** The node a caller is, from its identity type, ARN, short name and account. */
function nodeFor(type: string, arn: string, name: string, account: string): GraphNode | undefined {
  const base = { arn, account: accountOfArn(arn) || account, events: 0, errors: 0 };
  const principal = arn
    ? fieldTerm('principal', arn)
    : name
      ? `${fieldTerm('principal', name)} principal:""`
      : undefined;
  switch (type) {
    case 'AssumedRole': {
      const role = assumedRoleParts(arn)?.[0] ?? name.split('/')[0];
      if (!role) return undefined;
      return roleNode(base.account, role, arn ? (/^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws') : 'aws');
    }
    case 'IAMUser':
      return { ...base, id: `user:${arn || name}`, kind: 'user', label: name || arn, query: principal };
    case 'Root':
      return {
        ...base,
        id: `root:${base.account}`,
        kind: 'root',
        label: `root (${base.account})`,
        query: `type:Root ${fieldTerm('account', base.account)}`,
      };
    case 'FederatedUser':
      return { ...base, id: `federated:${arn || name}`, kind: 'federated', label: name, query: principal };
    case 'AWSAccount':
      return {
        ...base,
        id: `account:${account}`,
        kind: 'account',
        label: `account ${account}`,
        query: `type:AWSAccount ${fieldTerm('userIdentity.accountId', account)}`,
      };
    case 'AWSService':
      return serviceNode(name);
    case '':
      if (!name) return undefined;
      // Service events often carry no type, only invokedBy: the same service as its typed calls.
      if (/\.amazonaws\.com$/.test(name)) return serviceNode(name);
      return {
        ...base,
        id: `unknown::${name}`,
        kind: 'unknown',
        label: name,
        query: `${fieldTerm('principal', name)} type:""`,
      };
    default: {
      const kind: GraphNodeKind =
        type === 'IdentityCenterUser'
          ? 'identityCenter'
          : type === 'SAMLUser'
            ? 'saml'
            : type === 'WebIdentityUser'
              ? 'webIdentity'
              : 'unknown';
      if (!name && !arn) return undefined;
      return {
        ...base,
        id: `${kind}:${type}:${arn || name}`,
        kind,
        label: name || arn,
        query: `${fieldTerm('type', type)} ${principal}`,
      };
    }
  }
}

function serviceNode(name: string): GraphNode {
  return {
    id: `service:${name}`,
    kind: 'service',
    label: name,
    arn: '',
    account: '',
    events: 0,
    errors: 0,
    query: `type:AWSService,"" ${fieldTerm('principal', name)}`,
  };
}

function roleNode(account: string, role: string, partition = 'aws'): GraphNode {
  const glob =
    account && SAFE_NAME.test(role) ? `principal:arn:${partition}:sts::${account}:assumed-role/${role}/*` : undefined;
  return {
    id: `role:${account}:${role}`,
    kind: 'role',
    label: role,
    arn: account ? `arn:${partition}:iam::${account}:role/${role}` : '',
    account,
    events: 0,
    errors: 0,
    query: glob,
  };
}

/** The graph over `options.rows` (default all), the top `maxNodes` nodes kept. */
export function identityGraph(index: ChainIndex, options: GraphOptions = {}): IdentityGraph {
  index.update();
  const store = index.store;
  const maxNodes = Math.max(2, options.maxNodes ?? 60);
  const nodes = new Map<string, GraphNode>();
  const intern = (n: GraphNode): GraphNode => {
    const known = nodes.get(n.id);
    if (known) return known;
    nodes.set(n.id, n);
    return n;
  };
  const anonymous = countEvents(store, options.rows, intern);
  const edges = new Map<string, GraphEdge>();
  const selectors = new Map<string, { base?: string; role: string; byResource: boolean; byMessage: boolean }>();
  for (const iss of index.issuances()) {
    if (iss.eventName === 'GetSessionToken') continue; // a user's own session: no new identity
    const from = nodeOfRow(store, iss.row);
    if (!from) continue;
    const src = intern(from);
    let to: GraphNode | undefined;
    if (iss.eventName === 'GetFederationToken') {
      const arn =
        iss.sessionArn || (iss.account ? `arn:aws:sts::${iss.account}:federated-user/${iss.sessionName}` : '');
      to = nodeFor('FederatedUser', arn, `federated/${iss.sessionName}`, iss.account);
    } else if (iss.eventName === 'GetRoleCredentials') {
      // The portal names the permission set; its role is AWSReservedSSO_<set>_<hash>.
      const prefix = `role:${iss.account}:AWSReservedSSO_${iss.roleArn}_`;
      to = [...nodes.values()].find((n) => n.id.startsWith(prefix)) ?? {
        ...roleNode(iss.account, `AWSReservedSSO_${iss.roleArn}_…`),
        query: undefined,
      };
    } else {
      const role = assumedRoleParts(iss.sessionArn)?.[0] || iss.roleArn.slice(iss.roleArn.lastIndexOf('/') + 1);
      if (role) to = roleNode(iss.account, role);
    }
    if (!to) continue;
    const dst = intern(to);
    const id = `${src.id}→${dst.id}:${iss.eventName}`;
    let e = edges.get(id);
    if (!e) {
      edges.set(
        id,
        (e = { id, from: src.id, to: dst.id, eventName: iss.eventName, ok: 0, failed: 0, crossAccount: false }),
      );
      selectors.set(id, {
        base: src.query ? `${fieldTerm('eventName', iss.eventName)} ${src.query}` : undefined,
        role: iss.eventName === 'GetRoleCredentials' ? '' : iss.roleArn,
        byResource: true,
        byMessage: true,
      });
    }
    const sel = selectors.get(id)!;
    if (iss.errorCode) {
      e.failed++;
      // A denied AssumeRole keeps no parameters: its role is only in the error message.
      sel.byResource &&= hasResource(store, iss.row, sel.role);
      sel.byMessage &&= sel.role !== '' && store.value('errorMessage', iss.row).endsWith(sel.role);
    } else e.ok++;
    if (hopOf(iss).crossAccount) e.crossAccount = true;
  }
  for (const [id, e] of edges) {
    const { base, role, byResource, byMessage } = selectors.get(id)!;
    if (!base) continue;
    const resource = role ? ` ${fieldTerm('resource', role)}` : '';
    e.query = `${base}${resource} error:""`;
    // `*` then the ARN, unquoted: a glob on the message's end (role ARNs hold no spaces or quotes).
    if (!role) e.failedQuery = `${base} error:*`;
    else if (byResource) e.failedQuery = `${base}${resource} error:*`;
    else if (byMessage && /^[^\s",*\\]+$/.test(role)) e.failedQuery = `${base} error:* errorMessage:*${role}`;
  }
  return fold(nodes, edges, maxNodes, anonymous);
}

/** True when `row`'s resource names include `value` exactly. */
function hasResource(store: EventStore, row: number, value: string): boolean {
  const id = value ? store.dictionary('resources').idOf(value) : undefined;
  return id !== undefined && store.resourceValueIds(row).includes(id);
}

/** The node of the principal that made `row`. */
function nodeOfRow(store: EventStore, row: number): GraphNode | undefined {
  return nodeFor(
    store.value('identityType', row),
    store.value('principalArn', row),
    store.value('principal', row),
    store.value('account', row),
  );
}

/** Counts each row's events and errors on its node; answers the rows with no principal. */
function countEvents(store: EventStore, rows: Uint32Array | undefined, intern: (n: GraphNode) => GraphNode): number {
  const arnCol = store.column('principalArn');
  const nameCol = store.column('principal');
  const errCol = store.column('errorCode');
  const noError = store.dictionary('errorCode').idOf('');
  // Node per ARN value id (most rows), else per identity type and name.
  const byArn: Array<GraphNode | null | undefined> = [];
  const byName = new Map<string, GraphNode | null>();
  const emptyArn = store.dictionary('principalArn').idOf('');
  let anonymous = 0;
  const n = rows ? rows.length : store.size;
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    const arnId = arnCol[r];
    let node: GraphNode | null | undefined;
    if (arnId !== emptyArn) {
      node = byArn[arnId];
      if (node === undefined) {
        const made = nodeOfRow(store, r);
        byArn[arnId] = node = made ? intern(made) : null;
      }
    } else {
      const key = `${store.valueId('identityType', r)}:${nameCol[r]}`;
      node = byName.get(key);
      if (node === undefined) {
        const made = nodeOfRow(store, r);
        byName.set(key, (node = made ? intern(made) : null));
      }
    }
    if (!node) {
      anonymous++;
      continue;
    }
    node.events++;
    if (errCol[r] !== noError) node.errors++;
  }
  return anonymous;
}

/** The `maxNodes - 1` busiest nodes (events, then edge traffic), the rest merged into "other". */
function fold(
  nodes: Map<string, GraphNode>,
  edges: Map<string, GraphEdge>,
  maxNodes: number,
  anonymous: number,
): IdentityGraph {
  const traffic = new Map<string, number>();
  for (const e of edges.values())
    for (const id of [e.from, e.to]) traffic.set(id, (traffic.get(id) ?? 0) + e.ok + e.failed);
  const ranked = [...nodes.values()].sort(
    (a, b) => b.events - a.events || (traffic.get(b.id) ?? 0) - (traffic.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1),
  );
  if (ranked.length <= maxNodes) return { nodes: ranked, edges: [...edges.values()], folded: 0, anonymous };
  const kept = ranked.slice(0, maxNodes - 1);
  const keep = new Set(kept.map((n) => n.id));
  const other: GraphNode = {
    id: 'other',
    kind: 'other',
    label: `${ranked.length - kept.length} others`,
    arn: '',
    account: '',
    events: 0,
    errors: 0,
  };
  for (const n of ranked.slice(maxNodes - 1)) {
    other.events += n.events;
    other.errors += n.errors;
  }
  const merged = new Map<string, GraphEdge>();
  for (const e of edges.values()) {
    const from = keep.has(e.from) ? e.from : 'other';
    const to = keep.has(e.to) ? e.to : 'other';
    const folded = from !== e.from || to !== e.to;
    const id = folded ? `${from}→${to}:${e.eventName}` : e.id;
    const m = merged.get(id);
    if (!m) merged.set(id, folded ? { ...e, id, from, to, query: undefined, failedQuery: undefined } : { ...e });
    else {
      m.ok += e.ok;
      m.failed += e.failed;
      m.crossAccount ||= e.crossAccount;
    }
  }
  return { nodes: [...kept, other], edges: [...merged.values()], folded: ranked.length - kept.length, anonymous };
}
