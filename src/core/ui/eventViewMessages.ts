/**
 * Validation of messages from the event view webview: anything not exactly of a known shape is
 * dropped before the host acts on it.
 */
import { type FromEventView, PIVOT_FIELDS, type PivotField } from '../../protocol/eventView';
import { bareMessage, fieldsOf } from './messageFields';

const PIVOTS: readonly string[] = PIVOT_FIELDS;
/** Copies of a whole event can be large; past this the webview is not trusted with the clipboard. */
const MAX_COPY = 5 * 1024 * 1024;

export function parseEventViewMessage(msg: unknown): FromEventView | undefined {
  const m = fieldsOf(msg);
  if (!m) return undefined;
  const bare = bareMessage(m, ['ready', 'openJson', 'keyReport'] as const);
  if (bare) return bare;
  switch (m.type) {
    case 'openHop':
      // A store row: the host also checks it is a hop of the chain it showed.
      return typeof m.row === 'number' && Number.isSafeInteger(m.row) && m.row >= 0
        ? { type: 'openHop', row: m.row }
        : undefined;
    case 'policy':
      return m.scope === 'principal' || m.scope === 'session' ? { type: 'policy', scope: m.scope } : undefined;
    case 'pivot':
      if (!PIVOTS.includes(m.field as PivotField) || typeof m.value !== 'string' || !m.value || m.value.length > 2048)
        return undefined;
      return { type: 'pivot', field: m.field as PivotField, value: m.value };
    case 'session':
      return m.by === 'principal' || m.by === 'accessKey' ? { type: 'session', by: m.by } : undefined;
    case 'copy':
      if (typeof m.text !== 'string' || m.text.length > MAX_COPY || typeof m.what !== 'string' || m.what.length > 40)
        return undefined;
      return { type: 'copy', text: m.text, what: m.what };
    default:
      return undefined;
  }
}
