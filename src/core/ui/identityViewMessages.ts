/**
 * Validation of messages from the identity graph webview: anything not exactly of a known shape
 * is dropped before the host acts on it. A filter names a node or edge by id; the host looks the
 * query up in the graph it sent, so the page cannot make the log view run text of its own.
 */
import type { FromIdentityView } from '../../protocol/identity';
import { bareMessage, fieldsOf } from './messageFields';

/** Ids hold principal ARNs and names: generous, but bounded. */
const MAX_ID = 8192;

export function parseIdentityViewMessage(msg: unknown): FromIdentityView | undefined {
  const m = fieldsOf(msg);
  if (!m) return undefined;
  const bare = bareMessage(m, ['ready', 'refresh'] as const);
  if (bare) return bare;
  switch (m.type) {
    case 'filter':
      if (m.target !== 'node' && m.target !== 'edge') return undefined;
      if (typeof m.id !== 'string' || m.id === '' || m.id.length > MAX_ID) return undefined;
      if (m.failed !== undefined && typeof m.failed !== 'boolean') return undefined;
      if (m.failed === true && m.target !== 'edge') return undefined;
      return { type: 'filter', target: m.target, id: m.id, failed: m.failed === true };
    default:
      return undefined;
  }
}
