import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisTicks, type AxisTick } from '../../../src/core/investigate/timeline';
import { stepZoom, zoomedSize } from '../../../src/webview/identity/layout';

/** The pixel span a tick's label covers. */
function span(t: AxisTick, w: number): [number, number] {
  return t.anchor === 'start' ? [t.x, t.x + w] : t.anchor === 'end' ? [t.x - w, t.x] : [t.x - w / 2, t.x + w / 2];
}

test('timeline axis labels never overlap and stay inside the chart, at any width', () => {
  const labelWidth = 16 * 6.5; // "2023-07-10 12:05"
  for (const n of [1, 2, 3, 7, 24, 120]) {
    for (let width = 40; width <= 1600; width += 17) {
      const ticks = axisTicks(n, width, () => labelWidth);
      const spans = ticks.map((t) => span(t, labelWidth)).sort((a, b) => a[0] - b[0]);
      for (const [a, b] of spans) assert.ok(a >= 0 && b <= width, `n=${n} width=${width}: a label outside the chart`);
      for (let i = 1; i < spans.length; i++)
        assert.ok(spans[i - 1][1] + 12 <= spans[i][0], `n=${n} width=${width}: labels ${i - 1} and ${i} overlap`);
      assert.deepEqual(
        ticks.map((t) => t.index),
        [...new Set(ticks.map((t) => t.index))].sort((a, b) => a - b),
        'each boundary at most once, in order',
      );
    }
  }
});

test('a wide chart gets start, end and labels between; a narrow one fewer; too narrow none', () => {
  const w = (): number => 104;
  const wide = axisTicks(120, 1200, w).map((t) => t.index);
  assert.equal(wide[0], 0);
  assert.equal(wide.at(-1), 120);
  assert.ok(wide.length >= 5, `wide: ${wide.join(',')}`);
  assert.deepEqual(
    axisTicks(120, 300, w).map((t) => t.index),
    [0, 120],
  );
  assert.deepEqual(
    axisTicks(120, 150, w).map((t) => t.index),
    [0],
  );
  assert.deepEqual(axisTicks(120, 60, w), []);
  assert.deepEqual(axisTicks(0, 600, w), []);
});

test('the identity graph fits its panel by default and zooms within bounds', () => {
  const graph = { width: 1500, height: 900 };
  const fit = zoomedSize(graph, 'fit', 602);
  assert.ok(fit.width <= 602, 'fitted, it is never wider than the panel');
  assert.equal(fit.scale, 0.4);
  assert.equal(zoomedSize({ width: 300, height: 200 }, 'fit', 900).scale, 1, 'a small graph is not blown up');
  assert.equal(zoomedSize(graph, 10, 600).scale, 3);
  assert.equal(zoomedSize(graph, 0.01, 600).scale, 0.25);
  assert.equal(stepZoom(1, 1), 1.25);
  assert.equal(stepZoom(1, -1), 0.8);
  assert.equal(stepZoom(3, 1), 3);
  assert.equal(stepZoom(0.25, -1), 0.25);
});
