import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Investigation } from '../../../src/core/engine/investigation';
import { IpEnricher } from '../../../src/core/enrich/enricher';
import { loadEnrichSources } from '../../../src/core/enrich/loadSources';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { parseQuery } from '../../../src/core/query/query';
import { remoteTerms } from '../../../src/core/query/remoteFilter';
import { aLogFile, anEvent } from '../../builders/events';

const enricher = new IpEnricher(loadEnrichSources({ dataDir: join(process.cwd(), 'dist', 'ipdata') }));

function investigation(ips: string[]): { inv: Investigation; made: () => number } {
  let made = 0;
  const inv = new Investigation(() => {
    made++;
    return enricher;
  });
  inv.addFile('a.json', decodeLogBytes(Buffer.from(aLogFile(ips.map((ip) => anEvent({ sourceIPAddress: ip }))))));
  return { inv, made: () => made };
}

const IPS = [
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '3.225.16.109',
  '10.0.0.1',
  'ec2.amazonaws.com',
  'garbage',
  '2001:4860:4860::8888',
];

test('country:, asn:, org:, aws:, awsService: select by where the source IP is', () => {
  const { inv } = investigation(IPS);
  const count = (q: string): number => inv.query(q, 'newest').total;
  assert.equal(count('country:us'), count('country:US'));
  assert.ok(count('country:us') >= 4);
  assert.equal(count('asn:15169'), 3);
  assert.equal(count('org:*google*'), 3);
  assert.equal(count('asn:13335'), 1);
  assert.equal(count('aws:true'), 2, 'the AWS address and the service name');
  assert.equal(count('aws:false'), 4, 'public addresses outside AWS');
  assert.equal(count('awsService:ec2'), 1);
  assert.equal(count('-country:us'), IPS.length - count('country:us'));
  assert.equal(count('asn:15169 country:us'), 3);
  // A country or network no event came from selects nothing (it is not an unknown id to drop).
  assert.equal(count('country:kp'), 0);
  assert.equal(count('asn:4242424242'), 0);
  assert.equal(count('asn:4242424242,13335'), 1);
  assert.deepEqual(inv.query('country:kp', 'newest').errors, []);
});

test('enrichment is made once per distinct IP, only when first asked', () => {
  const { inv, made } = investigation(IPS);
  assert.equal(made(), 0, 'loading does not open the data sets');
  inv.query('', 'newest');
  assert.equal(made(), 0);
  const facets = inv.overview().facets;
  assert.equal(made(), 1);
  const country = facets.find((f) => f.name === 'country')!;
  const asn = facets.find((f) => f.name === 'asn')!;
  assert.equal(asn.values[0].value, '15169');
  assert.equal(asn.values[0].count, 3);
  assert.ok(country.values.some((v) => v.value === 'US'));
  assert.equal(asn.missing, 3, 'the private address, the service name and the garbage');
});

test('the remote back ends (Athena, Logs Insights: remoteTerms is their first step) refuse the IP terms by name', () => {
  const c = remoteTerms(parseQuery('country:us eventName:GetObject'));
  assert.equal(c.terms.length, 1, 'eventName: still goes remote');
  assert.ok(
    c.unsupported.some((u) => u.startsWith('country:') && /IP data sets/.test(u)),
    c.unsupported.join('\n'),
  );
});

test("the rows' Country and ASN cells say where each source IP is; setIpData looks them up again", () => {
  const { inv } = investigation(IPS);
  inv.query('', 'oldest');
  const byIp = (): Map<string, { country: string; asn: string; ipDetail: string }> =>
    new Map(inv.rows(0, IPS.length).map((r) => [r.sourceIp, r]));
  const rows = byIp();
  assert.equal(rows.get('8.8.8.8')!.country, 'US · United States');
  assert.match(rows.get('8.8.8.8')!.asn, /^AS15169 Google/);
  assert.match(rows.get('3.225.16.109')!.asn, /· AWS \S+ us-east-1$/);
  assert.equal(rows.get('10.0.0.1')!.country, 'Private (RFC 1918)');
  assert.equal(rows.get('10.0.0.1')!.asn, '');
  assert.equal(rows.get('ec2.amazonaws.com')!.country, 'AWS service');
  assert.equal(rows.get('garbage')!.country, 'not an address');
  assert.match(rows.get('8.8.8.8')!.ipDetail, /Data: .*CC BY 4\.0/);

  // No data sets at all (a broken install): the cells go quiet and the hover says why.
  inv.setIpData(() => new IpEnricher(loadEnrichSources({ dataDir: '/nonexistent' })));
  assert.equal(inv.query('asn:15169', 'oldest').total, 0, 'the IP terms use the new data too');
  inv.query('', 'oldest');
  const after = byIp();
  assert.equal(after.get('8.8.8.8')!.country, '');
  assert.equal(after.get('8.8.8.8')!.asn, '');
  assert.match(
    after.get('8.8.8.8')!.ipDetail,
    /Not available: .*country data: \/nonexistent\/country\.mmdb does not exist/,
  );
  assert.equal(after.get('10.0.0.1')!.country, 'Private (RFC 1918)', 'special ranges need no data');
});
