/**
 * Validation of messages from the log viewer webview. The webview renders attacker-influenced
 * strings, so the host trusts nothing it says: anything not exactly of a known shape is dropped.
 */
import type { FromWebview, SortOrder } from '../../protocol/logViewer';
import { RULE_ID } from '../investigate/detections/rules';
import { bareMessage, fieldsOf } from './messageFields';

const SORTS: readonly SortOrder[] = ['relevance', 'newest', 'oldest'];
/** Room for a pivot on the longest value the event view sends (2,048) with its field name and quotes. */
const MAX_QUERY = 10_000;
const MAX_WINDOW = 500;

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Returns the message if it is a well-formed FromWebview, else undefined. */
export function parseViewerMessage(msg: unknown): FromWebview | undefined {
  const m = fieldsOf(msg);
  if (!m) return undefined;
  const bare = bareMessage(m, ['ready', 'cancel', 'export', 'add', 'stopDetections', 'coverage'] as const);
  if (bare) return bare;
  switch (m.type) {
    case 'query':
      if (typeof m.text !== 'string' || m.text.length > MAX_QUERY) return undefined;
      if (!SORTS.includes(m.sort as SortOrder)) return undefined;
      return { type: 'query', text: m.text, sort: m.sort as SortOrder };
    case 'rows':
      if (!isIndex(m.version) || !isIndex(m.start) || !isIndex(m.count) || m.count > MAX_WINDOW) return undefined;
      return { type: 'rows', version: m.version, start: m.start, count: m.count };
    case 'open':
      return isIndex(m.id) ? { type: 'open', id: m.id } : undefined;
    case 'remote':
      return typeof m.text === 'string' && m.text.length <= MAX_QUERY ? { type: 'remote', text: m.text } : undefined;
    case 'exportAlert':
    case 'addDetectionToNotebook':
      // A rule id as rules.ts allows them; the host looks it up, so nothing else is trusted.
      return typeof m.id === 'string' && RULE_ID.test(m.id) ? { type: m.type, id: m.id } : undefined;
    default:
      return undefined;
  }
}
