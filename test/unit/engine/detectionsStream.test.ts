/**
 * Detections stream (#23): the rules run in batches, each batch's results (and row sets) handed
 * on as it finishes, so the panel shows the first results while the rest run; a stop keeps what
 * ran. Over the Stratus sample with the whole built-in library and the SigmaHQ pack.
 */
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { Investigation } from '../../../src/core/engine/investigation';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { loadRules } from '../../../src/core/investigate/detections/rules';
import { runDetections, type DetectionBatch } from '../../../src/core/investigate/detections/run';
import { samplesDir } from '../../builders/events';
import { loadFolder } from '../../support/loadFolder';
import { builtInRuleFiles } from '../../support/ruleLibrary';

const stratus = join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail');

describe('detections in batches', () => {
  test('every batch is in place before the next runs; the batches add up to the whole run', async () => {
    const inv = new Investigation();
    await loadFolder((label, r) => inv.addFile(label, r), stratus);
    const { rules } = loadRules(builtInRuleFiles());
    const batches: DetectionBatch[] = [];
    const results = await runDetections(
      inv.engine,
      inv.store,
      rules,
      undefined,
      (b) => {
        batches.push(b);
        // Its rules' matches can be opened now, while later rules have not run.
        for (const r of b.results)
          assert.equal(inv.engine.search(`detection:${r.rule.id}`, 'newest').rows.length, r.count, r.rule.id);
      },
      0,
    );
    assert.ok(batches.length > 1, `${batches.length} batches`);
    assert.deepEqual(
      batches.flatMap((b) => b.results.map((r) => [r.rule.id, r.count])),
      results.map((r) => [r.rule.id, r.count]),
    );
    assert.deepEqual(
      batches.map((b) => b.done),
      batches.map((_, i) => batches.slice(0, i + 1).reduce((n, x) => n + x.results.length, 0)),
    );
    assert.ok(batches.every((b) => b.total === rules.length));
    assert.ok(
      results.some((r) => r.count > 0),
      'something fires on the Stratus run',
    );
  });

  test('a stop mid-run rejects, and the rules that ran keep their row sets', async () => {
    const inv = new Investigation();
    await loadFolder((label, r) => inv.addFile(label, r), stratus);
    const { rules } = loadRules(builtInRuleFiles());
    const stop = new AbortController();
    let ran: DetectionBatch['results'] = [];
    await assert.rejects(
      runDetections(
        inv.engine,
        inv.store,
        rules,
        stop.signal,
        (b) => {
          ran = ran.concat(b.results);
          if (b.done >= 5) stop.abort();
        },
        0,
      ),
    );
    assert.ok(ran.length >= 5 && ran.length < rules.length);
    for (const r of ran)
      assert.equal(inv.engine.search(`detection:${r.rule.id}`, 'newest').rows.length, r.count, r.rule.id);
  });

  test('through the store client: batches as progress, then the answer holds them all', async () => {
    const { port1, port2 } = new MessageChannel();
    new StoreService(port2);
    const client = new StoreClient(port1, () => {
      port1.close();
      port2.close();
    });
    try {
      await loadFolder((label, r) => client.addFile(label, r), stratus);
      const { rules } = loadRules(builtInRuleFiles());
      const seen: string[] = [];
      let last = 0;
      const answer = await client.detections(rules, undefined, (batch, done, total) => {
        seen.push(...batch.items.map((i) => i.id));
        assert.equal(total, rules.length);
        assert.ok(done > last);
        last = done;
      });
      assert.deepEqual(
        seen,
        answer.items.map((i) => i.id),
      );
      assert.equal(last, rules.length);
    } finally {
      client.dispose();
    }
  });
});
