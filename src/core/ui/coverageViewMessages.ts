/**
 * Validation of messages from the detection coverage webview: the host acts only on a message
 * exactly of a known shape, and on rule ids of the rule id form (they go into a search).
 */
import type { FromCoverageView } from '../../protocol/coverage';
import { RULE_ID } from '../investigate/detections/rules';

/** Returns the message if it is a well-formed FromCoverageView, else undefined. */
export function parseCoverageViewMessage(msg: unknown): FromCoverageView | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (
    m.type === 'show' &&
    Array.isArray(m.rules) &&
    m.rules.length > 0 &&
    m.rules.length <= 500 &&
    m.rules.every((r) => typeof r === 'string' && RULE_ID.test(r))
  ) {
    return { type: 'show', rules: [...(m.rules as string[])] };
  }
  return undefined;
}
