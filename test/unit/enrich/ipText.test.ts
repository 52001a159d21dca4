import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkRangesDownload } from '../../../src/core/enrich/awsRanges';
import { IpEnricher } from '../../../src/core/enrich/enricher';
import { countryName, countryText, ipCard, ipCells, ipDetail } from '../../../src/core/enrich/ipText';
import { loadEnrichSources } from '../../../src/core/enrich/loadSources';

const dataDir = join(process.cwd(), 'dist', 'ipdata');
const sources = loadEnrichSources({ dataDir });
const enricher = new IpEnricher(sources);
const cells = (ip: string): ReturnType<typeof ipCells> => ipCells(enricher.enrich(ip), sources);

describe('the Country and ASN cells', () => {
  test('country codes get their English names; unknown codes stay codes', () => {
    assert.equal(countryName('DE'), 'Germany');
    assert.equal(countryName('gb'), 'United Kingdom');
    assert.equal(countryText('AU'), 'AU · Australia');
    assert.equal(countryText('ZZ'), 'ZZ');
    assert.equal(countryText('<b>'), '<b>');
    assert.equal(countryText(undefined), '');
  });

  test('public addresses: country, ASN and owner; AWS ranges add service and region', () => {
    assert.deepEqual([cells('1.1.1.1').country, cells('1.1.1.1').asn.split(' ')[0]], ['AU · Australia', 'AS13335']);
    const aws = cells('3.225.16.109');
    assert.equal(aws.country, 'US · United States');
    assert.match(aws.asn, /^AS14618 Amazon.* · AWS (AMAZON|EC2) us-east-1$/);
    const v6 = cells('2001:4860:4860::8888');
    assert.match(v6.asn, /^AS15169 Google/);
  });

  test('what is not a public address says what it is, and asks no data set', () => {
    assert.equal(cells('192.168.1.10').country, 'Private (RFC 1918)');
    assert.equal(cells('127.0.0.1').country, 'Loopback');
    assert.equal(cells('100.64.1.1').country, 'Carrier-grade NAT (RFC 6598)');
    assert.equal(cells('169.254.169.254').country, 'Link-local');
    assert.equal(cells('fe80::1').country, 'Link-local');
    assert.equal(cells('198.51.100.7').country, 'Documentation (TEST-NET-2)');
    assert.equal(cells('10.0.0.1').asn, '');
    assert.equal(cells('cloudformation.amazonaws.com').country, 'AWS service');
    assert.equal(cells('AWS Internal').country, 'AWS service');
    assert.equal(cells('evil.example.com').country, 'hostname');
    assert.equal(cells('<img src=x onerror=alert(1)>').country, 'not an address');
    assert.deepEqual(cells(''), { country: '', asn: '', detail: '' });
  });

  test('the hover names the data sets with dates and licences, and why one is missing', () => {
    const d = cells('8.8.8.8').detail;
    assert.match(d, /^US · United States · AS15169 Google/);
    for (const info of sources.info) assert.ok(d.includes(info.name) && d.includes(info.licence), info.name);
    const broken = loadEnrichSources({ dataDir, userMmdb: join(dataDir, 'sources.json') });
    const withBroken = ipDetail(new IpEnricher(broken).enrich('8.8.8.8'), broken);
    assert.match(withBroken, /Not available: your MMDB \(.*sources\.json\): /);
    assert.match(ipDetail(enricher.enrich('ec2.amazonaws.com'), sources), /CloudTrail writes its name, not an address/);
  });

  test('the event card: place, network and AWS on their own rows', () => {
    const card = ipCard(enricher.enrich('3.225.16.109'), sources);
    assert.equal(card.place, 'US · United States');
    assert.match(card.network, /^AS14618 /);
    assert.match(card.aws, /^AWS \((AMAZON|EC2), us-east-1\)$/);
    assert.deepEqual(
      { ...ipCard(enricher.enrich('10.1.2.3'), sources), detail: '' },
      { place: 'Private (RFC 1918)', network: '', aws: '', detail: '' },
    );
  });
});

describe('a downloaded ip-ranges.json', () => {
  test("AWS's file (the shipped snapshot) is taken", () => {
    const r = checkRangesDownload(readFileSync(join(process.cwd(), 'data', 'aws-ip-ranges.json'), 'utf8'));
    assert.ok(r.ok);
    assert.match(r.createDate, /^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$/);
    assert.ok(r.prefixCount > 5000);
  });

  test('a portal page, other JSON, or a file with no prefixes is refused with a reason', () => {
    const reason = (t: string): string => {
      const r = checkRangesDownload(t);
      assert.equal(r.ok, false, t);
      return (r as { reason: string }).reason;
    };
    assert.match(reason('<html><body>Sign in to the Wi-Fi</body></html>'), /not JSON/);
    assert.match(reason('{"hello": 1}'), /no "prefixes"/);
    assert.match(reason('{"createDate": "yesterday", "prefixes": [{"ip_prefix": "3.0.0.0/8"}]}'), /createDate/);
    assert.match(reason('{"createDate": "2026-12-01-00-00-00", "prefixes": []}'), /no prefixes/);
    assert.match(
      reason('{"createDate": "2026-12-01-00-00-00", "prefixes": [{"ip_prefix": "nope"}]}'),
      /no prefix that parses/,
    );
  });
});
