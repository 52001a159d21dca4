/**
 * ZIP archives (zipArchive.ts, and the loader reading zipped logs): a real archive from the
 * samples, bombs that lie about their size, names that climb out, damaged archives. Each bad
 * member is named with its reason and the others are still read.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { inlineDecoder } from '../../../src/core/ingest/decoderPool';
import { expandRoots, loadFiles, type LogFileSystem } from '../../../src/core/ingest/loader';
import type { LoadResult } from '../../../src/core/ingest/decode';
import { readZip, unsafeZipName, type ZipMember } from '../../../src/core/ingest/zipArchive';
import { aLogFile, anEvent, gz, samplesDir } from '../../builders/events';
import { zipOf } from '../../support/zipWriter';

const limits = { maxEntries: 100, maxEntryBytes: 1 << 20, maxTotalBytes: 4 << 20 };
async function members(
  bytes: Uint8Array,
  opts: Parameters<typeof readZip>[2] = { limits },
): Promise<{ got: ZipMember[]; problems: Awaited<ReturnType<typeof readZip>> }> {
  const got: ZipMember[] = [];
  const problems = await readZip(bytes, (m) => void got.push(m), opts);
  return { got, problems };
}

/** An in-memory file system holding `files` (name → bytes) in one folder. */
function memFs(files: Record<string, Uint8Array>): LogFileSystem<string> {
  return {
    stat: async (p) => (p === '/' ? { kind: 'directory', size: 0 } : { kind: 'file', size: files[p.slice(1)].length }),
    list: async () => Object.keys(files).map((n) => ({ loc: `/${n}`, name: n, kind: 'file' as const })),
    read: async (p) => files[p.slice(1)],
    label: (p) => p.slice(1),
  };
}
async function load(files: Record<string, Uint8Array>): Promise<Array<[string, string]>> {
  const fs = memFs(files);
  const out: Array<[string, string]> = [];
  const { files: list } = await expandRoots(fs, ['/']);
  await loadFiles(fs, inlineDecoder, list, {
    limits: { maxBytes: 1 << 20 },
    concurrency: 1,
    onFile: (_l, label, r: LoadResult) =>
      void out.push([label, r.kind === 'error' ? r.reason : `${r.kind}:${r.kind === 'batch' ? r.batch.count : ''}`]),
  });
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('ZIP archives', () => {
  test('a real archive (the OTRF data set) reads like the file beside it', async () => {
    const dir = join(samplesDir(), 'otrf_security-datasets');
    const { got, problems } = await members(readFileSync(join(dir, 'ec2_proxy_s3_exfiltration.zip')), {});
    assert.deepEqual(problems, []);
    const json = got.find((m) => m.name.endsWith('.json'))!;
    assert.deepEqual(
      Buffer.from(json.bytes),
      readFileSync(join(dir, 'ec2_proxy_s3_exfiltration_2020-09-14011940.json')),
    );
  });

  test('names that leave the folder are refused, the others read', async () => {
    const zip = zipOf([
      { name: '../../etc/passwd.json', data: 'x' },
      { name: '/abs.json', data: 'x' },
      { name: 'C:\\win.json', data: 'x' },
      { name: 'a/../../b.json', data: 'x' },
      { name: 'logs/ok.json', data: 'fine' },
      { name: 'logs/', data: '', deflate: false },
    ]);
    const { got, problems } = await members(zip);
    assert.deepEqual(
      got.map((m) => [m.name, Buffer.from(m.bytes).toString()]),
      [['logs/ok.json', 'fine']],
    );
    assert.deepEqual(
      problems.map((p) => p.name),
      ['../../etc/passwd.json', '/abs.json', 'C:\\win.json', 'a/../../b.json'],
    );
    assert.match(problems[0].reason, /Refused: its name climbs out of the archive/);
    assert.match(problems[1].reason, /absolute path/);
    assert.equal(unsafeZipName('a/b..c.json'), undefined, 'dots inside a name are fine');
  });

  test('a bomb stops at the bound: declared sizes past it, and a member inflating past what it declared', async () => {
    const zeros = new Uint8Array(3 << 20); // 3 MB of zeros deflate to a few KB
    const zip = zipOf([
      { name: 'big.json', data: zeros },
      { name: 'liar.json', data: zeros, declaredSize: 100 },
      { name: 'small.json', data: 'ok' },
    ]);
    assert.ok(zip.length < 64 * 1024, 'the archive itself is small');
    const { got, problems } = await members(zip);
    assert.deepEqual(
      got.map((m) => m.name),
      ['small.json'],
    );
    assert.match(
      problems.find((p) => p.name === 'big.json')!.reason,
      /inflates to 3 MB, past the 1 MB limit for one member/,
    );
    assert.match(
      problems.find((p) => p.name === 'liar.json')!.reason,
      /^It could not be inflated: too many bytes in the stream. expected 100/,
      'stopped at the size it declared',
    );
    const total = await members(
      zipOf([1, 2, 3, 4, 5].map((i) => ({ name: `${i}.json`, data: new Uint8Array(900 * 1024) }))),
    );
    assert.equal(total.got.length, 4, 'four 900 KB members fit in 4 MB');
    assert.match(total.problems[0].reason, /inflates past 4 MB in all/);
    const many = await members(zipOf(Array.from({ length: 103 }, (_, i) => ({ name: `${i}.json`, data: 'x' }))));
    assert.equal(many.got.length, 100);
    assert.match(many.problems[0].reason, /more than 100 members/);
  });

  test('a file that is not a ZIP, or a damaged one, rejects with the reason', async () => {
    await assert.rejects(
      readZip(Buffer.from('not a zip at all, just text'), () => undefined),
      /Not a readable ZIP archive/,
    );
    const zip = zipOf([{ name: 'a.json', data: 'aaaaaaaaaaaaaaaaaaaa' }]);
    zip[40] ^= 0xff; // inside the deflated body
    const { problems } = await members(zip);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].name, 'a.json');
  });

  test('the log loader opens zipped logs: each member decoded like a file, errors per member, nothing lost', async () => {
    const log = (n: number): string => aLogFile(Array.from({ length: n }, () => anEvent()));
    const out = await load({
      'handover.zip': zipOf([
        { name: 'AWSLogs/1/CloudTrail/eu-west-1/a.json', data: log(2) },
        { name: 'AWSLogs/1/CloudTrail/eu-west-1/b.json.gz', data: gz(log(3)), deflate: false },
        { name: 'notes.txt', data: 'not a log: skipped' },
        { name: 'broken.json', data: '{"Records": [' },
        { name: '../evil.json', data: log(1) },
      ]),
      'empty.zip': zipOf([{ name: 'readme.txt', data: 'nothing' }]),
      'fake.zip': Buffer.from('plain text'),
      'plain.json': Buffer.from(log(1)),
    });
    assert.deepEqual(
      out.map(([l]) => l),
      [
        'empty.zip',
        'fake.zip',
        'handover.zip/../evil.json',
        'handover.zip/AWSLogs/1/CloudTrail/eu-west-1/a.json',
        'handover.zip/AWSLogs/1/CloudTrail/eu-west-1/b.json.gz',
        'handover.zip/broken.json',
        'plain.json',
      ],
    );
    const by = Object.fromEntries(out);
    assert.equal(by['handover.zip/AWSLogs/1/CloudTrail/eu-west-1/a.json'], 'batch:2');
    assert.equal(by['handover.zip/AWSLogs/1/CloudTrail/eu-west-1/b.json.gz'], 'batch:3');
    assert.match(by['handover.zip/../evil.json'], /Refused/);
    assert.match(by['handover.zip/broken.json'], /./);
    assert.match(by['empty.zip'], /holds no log files/);
    assert.match(by['fake.zip'], /Not a readable ZIP archive/);
    assert.equal(by['plain.json'], 'batch:1');
  });
});
