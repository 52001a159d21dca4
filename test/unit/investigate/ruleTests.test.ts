/**
 * Every built-in rule against its own cases (`tests` in its file) and over the shared samples.
 * Each case becomes a real investigation in a StoreService (the code the store worker runs),
 * fed as the log view feeds it (a decoded log file) and asked for detections as the log view
 * asks; the events flagged are read back through `detection:<id>`. So rule kinds the service
 * learns to run are covered here without change.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { decodeToBatch } from '../../../src/core/ingest/decode';
import { StoreClient } from '../../../src/core/engine/storeClient';
import { StoreService } from '../../../src/core/engine/storeService';
import { loadRules, type DetectionRule } from '../../../src/core/investigate/detections/rules';
import { parseRuleTests } from '../../../src/core/investigate/detections/ruleTests';
import { aLogFile, samplesDir } from '../../builders/events';
import { loadFolder } from '../../support/loadFolder';
import { builtInRuleFiles, builtInRuleTests } from '../../support/ruleLibrary';

const library = loadRules(builtInRuleFiles());
const cases = builtInRuleTests();

/** A store service and its client over a MessageChannel, as a log view has them. */
function service(): { client: StoreClient; service: StoreService; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const svc = new StoreService(port2);
  const client = new StoreClient(port1, () => undefined);
  return { client, service: svc, close: () => (port1.close(), port2.close()) };
}

/** The eventIDs the rules flag in `rule`'s detection set, oldest first. */
async function flagged(s: ReturnType<typeof service>, rule: DetectionRule): Promise<string[]> {
  const q = await s.client.query(`detection:${rule.id}`, 'oldest');
  assert.deepEqual(q?.errors, [], 'the detection set is known');
  const inv = s.service.investigation;
  return Array.from(inv.engine.search(`detection:${rule.id}`, 'oldest').rows, (row) =>
    String(JSON.parse(inv.store.raw(row)).eventID),
  );
}

describe('rule self-tests (the tests key)', () => {
  test('a case is checked: shape, eventIDs, fires naming its own events', () => {
    const p = (v: unknown): string => {
      const problems: string[] = [];
      parseRuleTests(v, problems);
      return problems.join(' | ');
    };
    assert.equal(p([{ name: 'ok', events: [{ eventID: 'a' }], fires: ['a'] }]), '');
    assert.match(p({}), /"tests" is a list/);
    assert.match(p([{ name: 'x', events: [], fires: [] }]), /"events" is a list of 1 to 200/);
    assert.match(p([{ name: 'x', events: [{ eventName: 'A' }], fires: [] }]), /needs an "eventID"/);
    assert.match(p([{ name: 'x', events: [{ eventID: 'a' }, { eventID: 'a' }], fires: [] }]), /share an eventID/);
    assert.match(
      p([{ name: 'x', events: [{ eventID: 'a' }], fires: ['b'] }]),
      /"fires" names "b", which is not one of its events/,
    );
    assert.match(
      p([{ name: '', events: [{ eventID: 'a' }], fires: [], extra: 1 }]),
      /unknown key "extra".*"name" says/,
    );
  });

  test('every built-in JSON rule has a case that fires and a near miss', () => {
    assert.deepEqual(library.problems, []);
    for (const r of library.rules.filter((x) => x.origin === 'built-in' && x.file.endsWith('.json'))) {
      const own = cases.get(r.file) ?? [];
      assert.ok(
        own.some((c) => c.fires.length > 0),
        `${r.file}: no case where the rule fires`,
      );
      assert.ok(
        own.some((c) => c.fires.length === 0),
        `${r.file}: no near miss`,
      );
    }
  });

  for (const r of library.rules.filter((x) => cases.has(x.file))) {
    test(`${r.id}: its own cases`, async () => {
      for (const c of cases.get(r.file)!) {
        const s = service();
        try {
          await s.client.addFile(
            `${r.id}.json`,
            decodeToBatch(new TextEncoder().encode(aLogFile(c.events)), { maxBytes: 1 << 22 }),
          );
          assert.equal((await s.client.status()).events, c.events.length, `${c.name}: every event loads`);
          const d = await s.client.detections([r]);
          assert.deepEqual(d.problems, [], c.name);
          assert.deepEqual(await flagged(s, r), c.fires, c.name);
        } finally {
          s.close();
        }
      }
    });
  }
});

describe('every rule over every sample', () => {
  const root = samplesDir();
  const folders = readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory());

  for (const folder of folders) {
    test(`${folder}: every rule runs without a problem`, async () => {
      const s = service();
      try {
        await loadFolder((label, r) => s.client.addFile(label, r), join(root, folder));
        const d = await s.client.detections(library.rules);
        assert.deepEqual(d.problems, []);
        assert.equal(d.items.length, library.rules.length);
      } finally {
        s.close();
      }
    });
  }
});
