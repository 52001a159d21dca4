/**
 * Validation of messages from the integrity report webview: the page shows attacker-influenced
 * file names and reasons, so the host acts only on a message exactly of a known shape.
 */
import type { FromIntegrityView } from '../../protocol/integrity';
import { bareMessage, fieldsOf } from './messageFields';

/** Returns the message if it is a well-formed FromIntegrityView, else undefined. */
export function parseIntegrityViewMessage(msg: unknown): FromIntegrityView | undefined {
  const m = fieldsOf(msg);
  return m && bareMessage(m, ['ready', 'export'] as const);
}
