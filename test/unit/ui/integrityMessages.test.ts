/** The integrity report webview's messages: only `ready` and `export`, exactly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIntegrityViewMessage } from '../../../src/core/ui/integrityViewMessages';

test('integrity report messages are validated before the host acts on them', () => {
  assert.deepEqual(parseIntegrityViewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseIntegrityViewMessage({ type: 'export', path: '/etc/passwd' }), { type: 'export' });
  for (const bad of [
    null,
    undefined,
    'export',
    42,
    [],
    { type: 'EXPORT' },
    { type: 'init' },
    { type: 'toast', text: 'x' },
    { type: { toString: () => 'export' } },
    JSON.parse('{"__proto__":{"type":"export"}}'),
  ]) {
    assert.equal(parseIntegrityViewMessage(bad), undefined, String(JSON.stringify(bad)));
  }
});
