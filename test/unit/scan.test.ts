import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeToBatch } from '../../src/core/decode';
import { scanLogFile } from '../../src/core/scan';
import { F_NAMES } from '../../src/core/scanBatch';
import { STRING_FIELDS } from '../../src/core/store';
import { assertSameResult, LIMITS, slowDecodeToBatch } from '../builders/batchReference';
import { samplesDir } from '../builders/events';

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

const CORPUS = join(__dirname, '../../../.cache/bench/corpus-100000-20261121');

describe('scan: the byte scanner gives the JSON.parse path\'s batches', () => {
  test('its columns are STRING_FIELDS, in order', () => {
    assert.deepEqual(F_NAMES, [...STRING_FIELDS]);
  });

  test('every file of the shared samples', () => {
    let scanned = 0;
    for (const file of filesUnder(samplesDir())) {
      const bytes = readFileSync(file);
      const fast = decodeToBatch(bytes, LIMITS);
      assertSameResult(fast, slowDecodeToBatch(bytes), file);
      if (/\.json(\.gz)?$/.test(file) && fast.kind === 'batch') {
        const data = file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
        if (scanLogFile(data, 'utf8')) scanned++;
      }
    }
    // The invictus files (plain and gzipped) are what CloudTrail writes: the scanner reads them.
    assert.ok(scanned >= 110, `scanned ${scanned}`);
  });

  test('every file of the 100k bench corpus', { skip: !existsSync(CORPUS) && 'no bench corpus (npm run bench generates it)' }, () => {
    const files = filesUnder(CORPUS).filter((f) => f.endsWith('.json.gz'));
    assert.equal(files.length, 200);
    for (const file of files) {
      const bytes = readFileSync(file);
      assert.ok(scanLogFile(gunzipSync(bytes), 'strings'), `${file} is scanned`);
      assertSameResult(decodeToBatch(bytes, LIMITS), slowDecodeToBatch(bytes), file);
    }
  });
});
