// Lays out the IP enrichment data the extension ships (data/README.md): the country MMDB copied from its npm
// package, the ASN CSV packed into the table src/core/enrich/asnTable.ts reads, AWS's ip-ranges.json snapshot
// from data/, and sources.json naming each file's source, version, date and licence (shown in the event view).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';

const COUNTRY_PKG = '@ip-location-db/geo-whois-asn-country-mmdb';
const ASN_PKG = '@ip-location-db/asn';
const CENTROIDS_PKG = 'world-countries';

/** IPv4 text to an unsigned 32-bit number. */
function v4(text) {
  const p = text.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** IPv6 text to four unsigned 32-bit words, most significant first. */
function v6(text) {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const a = head ? head.split(':') : [];
  const b = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = [...a, ...Array(8 - a.length - b.length).fill('0'), ...b].map((g) => parseInt(g, 16));
  return [0, 1, 2, 3].map((i) => ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0);
}

/** One CSV line of `start,end,asn,org` (org may be quoted with "" escapes). */
function parseLine(line) {
  const first = line.indexOf(',');
  const second = line.indexOf(',', first + 1);
  const third = line.indexOf(',', second + 1);
  let org = line.slice(third + 1);
  if (org.startsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
  return {
    start: line.slice(0, first),
    end: line.slice(first + 1, second),
    asn: Number(line.slice(second + 1, third)),
    org,
  };
}

/**
 * The ASN table's binary layout (little-endian u32 words; asnTable.ts is its reader):
 * magic "CTLASN01", then counts [v4Rows, v6Rows, entries, orgBytes], v4 starts, v4 ends, v4 entry indexes,
 * v6 starts (4 words each), v6 ends (4 words each), v6 entry indexes, entry ASNs, entry org offsets (entries + 1),
 * then the org names as UTF-8, one after another.
 */
function packAsn(dir) {
  const entries = new Map();
  const entryOf = (asn, org) => {
    const key = `${asn}\u0000${org}`;
    let i = entries.get(key);
    if (i === undefined) entries.set(key, (i = entries.size));
    return i;
  };
  const rows = (file, conv) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const r = parseLine(l);
        return { start: conv(r.start), end: conv(r.end), entry: entryOf(r.asn, r.org) };
      });
  const r4 = rows('asn-ipv4.csv', v4);
  const r6 = rows('asn-ipv6.csv', v6);
  const orgs = [...entries.keys()].map((k) => k.split('\u0000'));
  const orgBytes = orgs.map(([, org]) => Buffer.from(org, 'utf8'));
  const orgLen = orgBytes.reduce((n, b) => n + b.length, 0);
  const words = 2 + 4 + r4.length * 3 + r6.length * 9 + orgs.length * 2 + 1;
  const out = Buffer.alloc(words * 4 + orgLen);
  out.write('CTLASN01', 0, 'latin1');
  let o = 8;
  const put = (n) => {
    out.writeUInt32LE(n >>> 0, o);
    o += 4;
  };
  [r4.length, r6.length, orgs.length, orgLen].forEach(put);
  for (const r of r4) put(r.start);
  for (const r of r4) put(r.end);
  for (const r of r4) put(r.entry);
  for (const r of r6) r.start.forEach(put);
  for (const r of r6) r.end.forEach(put);
  for (const r of r6) put(r.entry);
  for (const [asn] of orgs) put(Number(asn));
  let at = 0;
  for (const b of orgBytes) {
    put(at);
    at += b.length;
  }
  put(at);
  for (const b of orgBytes) {
    b.copy(out, o);
    o += b.length;
  }
  return out;
}

/** Writes dist/ipdata (or `outDir`): the three data files and sources.json. Returns the file sizes. */
export function buildIpData(root, outDir = join(root, 'dist', 'ipdata')) {
  mkdirSync(outDir, { recursive: true });
  const pkgDir = (name) => join(root, 'node_modules', ...name.split('/'));
  const version = (name) => JSON.parse(readFileSync(join(pkgDir(name), 'package.json'), 'utf8')).version;
  const countryDir = pkgDir(COUNTRY_PKG);
  copyFileSync(join(countryDir, 'geo-whois-asn-country.mmdb'), join(outDir, 'country.mmdb'));
  const asnBin = join(outDir, 'asn.bin');
  const cache = join(root, 'node_modules', '.cache', `ctl-asn-${version(ASN_PKG)}.bin`);
  if (existsSync(cache)) copyFileSync(cache, asnBin);
  else {
    const packed = packAsn(pkgDir(ASN_PKG));
    writeFileSync(asnBin, packed);
    mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
    writeFileSync(cache, packed);
  }
  copyFileSync(join(root, 'data', 'aws-ip-ranges.json'), join(outDir, 'aws-ip-ranges.json'));
  // A point per country (impossible travel without a City MMDB): mledoze/countries' latlng, ODbL.
  const countries = JSON.parse(readFileSync(join(pkgDir(CENTROIDS_PKG), 'countries.json'), 'utf8'));
  const points = {};
  for (const c of countries)
    if (/^[A-Z]{2}$/.test(c.cca2) && Array.isArray(c.latlng) && c.latlng.length === 2) points[c.cca2] = c.latlng;
  writeFileSync(
    join(outDir, 'centroids.json'),
    JSON.stringify({ source: CENTROIDS_PKG, version: version(CENTROIDS_PKG), licence: 'ODbL-1.0', points }),
  );
  const dated = (v) => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  const sources = JSON.parse(readFileSync(join(root, 'data', 'sources.json'), 'utf8'));
  sources.country.version = version(COUNTRY_PKG);
  sources.country.date = dated(version(COUNTRY_PKG).split('.').pop());
  sources.asn.version = version(ASN_PKG);
  sources.asn.date = dated(version(ASN_PKG).split('.').pop());
  sources.centroids.version = version(CENTROIDS_PKG);
  writeFileSync(join(outDir, 'sources.json'), JSON.stringify(sources, null, 2));
  return Object.fromEntries(
    ['country.mmdb', 'asn.bin', 'aws-ip-ranges.json', 'centroids.json'].map((f) => [f, statSync(join(outDir, f)).size]),
  );
}
