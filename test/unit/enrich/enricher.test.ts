import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Reader } from 'mmdb-lib';
import { classifySource, formatAddress, isAddress, parseIpv6 } from '../../../src/core/enrich/address';
import { AsnTable } from '../../../src/core/enrich/asnTable';
import { loadAwsRanges } from '../../../src/core/enrich/awsRanges';
import { describeEnrichment, IpEnricher } from '../../../src/core/enrich/enricher';
import { GeoDb } from '../../../src/core/enrich/geoDb';
import { loadEnrichSources } from '../../../src/core/enrich/loadSources';
import { samplesDir } from '../../builders/events';

const root = process.cwd();
const dataDir = join(root, 'dist', 'ipdata');
const countryMmdb = join(
  root,
  'node_modules',
  '@ip-location-db',
  'geo-whois-asn-country-mmdb',
  'geo-whois-asn-country.mmdb',
);
const asnCsvDir = join(root, 'node_modules', '@ip-location-db', 'asn');

const sources = loadEnrichSources({ dataDir });
const enricher = new IpEnricher(sources);

/** Every sourceIPAddress value in the shared samples. */
function sampleSources(): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(json|jsonl|ndjson)$/.test(name))
        for (const m of readFileSync(p, 'utf8').matchAll(/"sourceIPAddress"\s*:\s*"([^"]{1,80})"/g)) out.add(m[1]);
    }
  };
  walk(samplesDir());
  return [...out];
}

/** The ASN CSV row covering an address, found by a linear scan with BigInt (independent of asnTable.ts). */
function asnFromCsv(ip: string): { asn: number; org: string } | undefined {
  const toBig = (t: string): bigint => {
    if (t.includes('.')) return t.split('.').reduce((n, p) => (n << 8n) | BigInt(p), 0n);
    const w = parseIpv6(t)!;
    return w.reduce((n, x) => (n << 32n) | BigInt(x), 0n);
  };
  const file = ip.includes(':') ? 'asn-ipv6.csv' : 'asn-ipv4.csv';
  const target = toBig(ip);
  for (const line of readFileSync(join(asnCsvDir, file), 'utf8').split('\n')) {
    if (!line) continue;
    const [start, end, asn, ...rest] = line.split(',');
    if (toBig(start) <= target && target <= toBig(end)) {
      let org = rest.join(',');
      if (org.startsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
      return { asn: Number(asn), org };
    }
  }
  return undefined;
}

describe('the shipped data sets', () => {
  test('all load, with no problem', () => {
    assert.deepEqual(sources.problems, []);
    assert.ok(sources.country && sources.asn && sources.aws);
    assert.deepEqual(sources.info.map((i) => i.role).sort(), ['asn', 'aws', 'country']);
    for (const i of sources.info) {
      assert.notEqual(i.licence, 'unknown');
      assert.match(i.date, /^\d{4}-\d{2}-\d{2}/);
    }
  });

  test('real addresses from ../shared/samples: country and ASN as the data sets say', () => {
    const reader = new Reader<Record<string, unknown>>(readFileSync(countryMmdb));
    const publics = sampleSources().filter((s) => enricher.enrich(s).kind === 'public');
    assert.ok(publics.length >= 10, `only ${publics.length} public addresses in the samples`);
    for (const ip of publics) {
      const e = enricher.enrich(ip);
      const expectCountry = (reader.get(ip) as { country_code?: string } | null)?.country_code;
      assert.equal(e.country, expectCountry, `country of ${ip}`);
      const row = asnFromCsv(ip);
      assert.equal(e.asn, row?.asn, `ASN of ${ip}`);
      assert.equal(e.org, row?.org, `org of ${ip}`);
    }
  });

  test('known public addresses, IPv4 and IPv6', () => {
    assert.equal(enricher.enrich('8.8.8.8').asn, 15169);
    assert.equal(enricher.enrich('8.8.8.8').country, 'US');
    assert.equal(enricher.enrich('1.1.1.1').asn, 13335);
    const g6 = enricher.enrich('2001:4860:4860::8888');
    assert.equal(g6.kind, 'public');
    assert.equal(g6.asn, 15169);
    assert.equal(g6.country, 'US');
    assert.equal(enricher.enrich('::ffff:8.8.8.8').asn, 15169, 'IPv4-mapped IPv6 is the IPv4 address');
  });

  test('AWS addresses name their service and region', () => {
    const j = JSON.parse(readFileSync(join(root, 'data', 'aws-ip-ranges.json'), 'utf8')) as {
      prefixes: { ip_prefix: string; service: string; region: string }[];
      ipv6_prefixes: { ipv6_prefix: string; service: string; region: string }[];
    };
    const ec2 = j.prefixes.find((p) => p.service === 'EC2' && p.region === 'eu-west-1')!;
    const ip = ec2.ip_prefix.split('/')[0];
    const e = enricher.enrich(ip);
    assert.equal(e.aws?.service, 'EC2');
    assert.equal(e.aws?.region, 'eu-west-1');
    assert.ok(e.aws?.services.includes('EC2'));
    assert.match(describeEnrichment(e), /^AWS \(EC2, eu-west-1\)/);
    const v6 = j.ipv6_prefixes.find((p) => p.service === 'EC2')!;
    assert.equal(enricher.enrich(v6.ipv6_prefix.split('/')[0]).aws?.service, 'EC2');
    assert.equal(enricher.enrich('3.225.16.109').aws?.region, 'us-east-1');
    assert.equal(enricher.enrich('8.8.8.8').aws, undefined);
  });
});

describe('special ranges are named, never looked up', () => {
  const cases: [string, string][] = [
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.10.20', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['192.0.2.0', 'documentation'],
    ['198.51.100.50', 'documentation'],
    ['203.0.113.42', 'documentation'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['2001:db8::1', 'documentation'],
    ['::', 'unspecified'],
  ];
  for (const [ip, kind] of cases)
    test(ip, () => {
      const e = enricher.enrich(ip);
      assert.equal(e.kind, 'special');
      assert.equal(e.special, kind);
      assert.equal(e.country, undefined);
      assert.ok(describeEnrichment(e).length > 0);
    });
  test('the edges of a range', () => {
    assert.equal(enricher.enrich('100.63.255.255').kind, 'public');
    assert.equal(enricher.enrich('172.32.0.0').kind, 'public');
    assert.equal(enricher.enrich('11.0.0.0').kind, 'public');
  });
});

describe('hostile and odd values', () => {
  test('service names CloudTrail writes instead of an address', () => {
    assert.deepEqual(enricher.enrich('ec2.amazonaws.com'), { kind: 'service', label: 'ec2.amazonaws.com' });
    assert.deepEqual(enricher.enrich('AWS Internal'), { kind: 'service', label: 'AWS Internal' });
  });
  test('a hostname, garbage, the empty string, near-addresses', () => {
    assert.equal(enricher.enrich('evil.example.com').kind, 'hostname');
    for (const g of [
      '<script>alert(1)</script>',
      '1.2.3',
      '1.2.3.256',
      '01.2.3.4',
      '1::2::3',
      'gggg::',
      '::ffff:1.2.3.999',
      'x'.repeat(10_000),
      '__proto__',
    ])
      assert.equal(enricher.enrich(g).kind, 'invalid', g.slice(0, 30));
    assert.equal(enricher.enrich('').kind, 'empty');
    assert.equal(describeEnrichment(enricher.enrich('garbage')), 'not an address');
  });
  test('IPv6 parsing and formatting', () => {
    const c = classifySource('2001:DB8:0:0:0:0:0:1');
    assert.ok(isAddress(c));
    assert.equal(formatAddress(c), '2001:db8::1');
    assert.deepEqual(parseIpv6('::'), [0, 0, 0, 0]);
    assert.deepEqual(parseIpv6('fe80::1%eth0'), [0xfe800000, 0, 0, 1]);
    assert.equal(parseIpv6('1:2:3:4:5:6:7:8:9'), undefined);
  });
});

describe('broken data files give a reason, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enrich-'));
  test('a missing folder', () => {
    const s = loadEnrichSources({ dataDir: join(dir, 'nope') });
    assert.equal(s.country, undefined);
    assert.equal(s.asn, undefined);
    assert.equal(s.aws, undefined);
    assert.ok(s.problems.some((p) => /country data: .*does not exist/.test(p)));
    const e = new IpEnricher(s).enrich('8.8.8.8');
    assert.deepEqual(e, { kind: 'public' });
  });
  test('a corrupt MMDB, a truncated one, an MMDB of the wrong type', () => {
    assert.equal(GeoDb.load(Buffer.from('garbage')).ok, false);
    const real = readFileSync(countryMmdb);
    const cut = GeoDb.load(real.subarray(0, 1000));
    assert.equal(cut.ok, false);
    const noFields = GeoDb.load(real.subarray(0, real.length), '10.0.0.1');
    assert.equal(noFields.ok, true, 'a probe with no answer falls back to the type name');
    const userPath = join(dir, 'user.mmdb');
    writeFileSync(userPath, Buffer.concat([Buffer.alloc(64, 7), Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1')]));
    const s = loadEnrichSources({ dataDir, userMmdb: userPath });
    assert.equal(s.user, undefined);
    assert.ok(
      s.problems.some((p) => p.startsWith('your MMDB')),
      s.problems.join('; '),
    );
    assert.ok(s.country, 'the shipped data still works');
  });
  test('an ASN table that is corrupt or of the wrong kind', () => {
    assert.match((AsnTable.load(Buffer.from('short')) as { reason: string }).reason, /truncated/);
    assert.match((AsnTable.load(Buffer.alloc(64)) as { reason: string }).reason, /not a CloudTrail Lens ASN table/);
    const real = readFileSync(join(dataDir, 'asn.bin'));
    assert.match((AsnTable.load(real.subarray(0, real.length - 3)) as { reason: string }).reason, /corrupt/);
  });
  test('an unparseable or odd ip-ranges.json', () => {
    assert.match((loadAwsRanges('{not json') as { reason: string }).reason, /not JSON/);
    assert.match((loadAwsRanges('[]') as { reason: string }).reason, /not an object/);
    assert.match((loadAwsRanges('{"prefixes": 3}') as { reason: string }).reason, /no "prefixes"/);
    assert.match((loadAwsRanges('{"prefixes": [{"ip_prefix": "x"}]}') as { reason: string }).reason, /no prefix/);
    const ok = loadAwsRanges(
      '{"createDate":"d","prefixes":[{"ip_prefix":"9.9.9.0/24","service":"EC2","region":"r"}, 5]}',
    );
    assert.ok(ok.ok);
    const refreshed = join(dir, 'ranges.json');
    writeFileSync(refreshed, '{broken');
    const s = loadEnrichSources({ dataDir, awsRanges: refreshed });
    assert.ok(s.aws, 'falls back to the shipped snapshot');
    assert.ok(s.problems.some((p) => /not JSON/.test(p)));
  });
});
