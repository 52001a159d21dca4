/**
 * Case-insensitive compares on Athena agree with the local engine's (JavaScript toLowerCase: İ →
 * i + U+0307, a final Σ → ς), where Trino's lower maps code point by code point (İ → i, Σ → σ),
 * as DuckDB's lower does (the fake Athena's engine; checked here too). The compiled predicates run
 * in DuckDB with the Trino shim over values that differ between the two lowerings: an exact term
 * keeps exactly the local matches, a narrowing one (non-ASCII value) at least all of them, and the
 * SQL is read: both sides lowered in the one engine.
 */
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { test } from 'node:test';
import { cloudTrailTableDdl } from '../../../src/core/aws/athenaTable';
import { compileAthena } from '../../../src/core/query/athenaSql';
import { parseQuery } from '../../../src/core/query/query';
import { sqlString } from '../../../src/core/query/sqlText';
import { TRINO_SHIM } from '../../support/athenaDuck';

const table = cloudTrailTableDdl({
  trailName: 'main',
  bucket: 'b',
  prefix: '',
  accounts: ['111122223333'],
  regions: ['us-east-1'],
}).table;
const VALUES = [
  'İstanbul',
  'i\u0307stanbul',
  'istanbul',
  'Istanbul',
  'ISTANBUL',
  'xİi',
  'ΟΔΟΣ',
  'οδος',
  'οδοσ',
  'Οδος',
  'ΟΔΟΣ ΟΔΟΣ',
  'K',
  'k',
  'Straße',
  'STRASSE',
  '',
];

/** What the local engine keeps: JavaScript's lowering, equality or substring. */
const local: Record<string, (v: string) => boolean> = {
  'eventName:"İstanbul"': (v) => v.toLowerCase() === 'İstanbul'.toLowerCase(),
  'eventName:"ΟΔΟΣ"': (v) => v.toLowerCase() === 'ΟΔΟΣ'.toLowerCase(),
  'eventName:istanbul': (v) => v.toLowerCase() === 'istanbul',
  'eventName:*i*': (v) => v.toLowerCase().includes('i'),
  'eventName:οδ*': (v) => v.toLowerCase().startsWith('οδ'),
  'eventName:k': (v) => v.toLowerCase() === 'k',
};

test('lower-casing: İ and final Σ find on Athena what they find locally; both sides lowered in one engine', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const m of TRINO_SHIM) await conn.run(m);
  const lowered = (await conn.runAndReadAll(`SELECT lower('İ'), lower('ΟΔΟΣ')`)).getRows()[0];
  assert.deepEqual(lowered, ['i', 'οδοσ'], 'DuckDB lowers code point by code point, as Java (Trino) does');
  await conn.run(
    `CREATE TABLE t AS SELECT * FROM (VALUES ${VALUES.map((v) => `(${sqlString(v)})`).join(', ')}) AS v(eventname)`,
  );
  for (const [q, keep] of Object.entries(local)) {
    const c = compileAthena(parseQuery(q), { table });
    const where = c.sql.split('\nWHERE ')[1]?.split('\nORDER BY')[0];
    assert.ok(where, `${q}: ${c.sql} ${c.unsupported.join(' ')}`);
    assert.doesNotMatch(where, /= '[^']*[^\x00-\x7f]/, `${q}: a non-ASCII value is never lowered in JavaScript alone`);
    const rows = (
      await conn.runAndReadAll(
        `SELECT eventname FROM t WHERE ${where.replace(/COALESCE\(NULLIF\([^]*?\)\)/g, 'eventname')}`,
      )
    )
      .getRows()
      .map((r) => r[0] as string);
    const want = VALUES.filter(keep);
    for (const v of want)
      assert.ok(rows.includes(v), `${q}: Athena keeps ${JSON.stringify(v)} (found ${JSON.stringify(rows)})`);
    if (c.residual.length === 0) assert.deepEqual(rows.sort(), want.sort(), `${q} is exact`);
  }
  assert.equal(
    compileAthena(parseQuery('eventName:"ΟΔΟΣ"'), { table }).residual.length,
    1,
    'non-ASCII: a narrowing, re-checked',
  );
  assert.match(
    compileAthena(parseQuery('eventName:"ΟΔΟΣ"'), { table }).sql,
    /replace\(lower\(replace\(COALESCE\("eventname", ''\), 'İ', 'i̇'\)\), 'ς', 'σ'\) = replace\(lower\(replace\('ΟΔΟΣ', 'İ', 'i̇'\)\), 'ς', 'σ'\)/,
  );
  assert.equal(compileAthena(parseQuery('eventName:istanbul'), { table }).residual.length, 0, 'ASCII: exact');
  conn.closeSync();
});
