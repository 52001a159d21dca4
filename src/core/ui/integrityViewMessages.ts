/**
 * Validation of messages from the integrity report webview: the page shows attacker-influenced
 * file names and reasons, so the host acts only on a message exactly of a known shape.
 */
import type { FromIntegrityView } from '../../protocol/integrity';

/** Returns the message if it is a well-formed FromIntegrityView, else undefined. */
export function parseIntegrityViewMessage(msg: unknown): FromIntegrityView | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  return m.type === 'ready' || m.type === 'export' ? { type: m.type } : undefined;
}
