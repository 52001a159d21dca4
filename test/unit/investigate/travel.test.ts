/**
 * Impossible travel (detections/travel.ts) and the IP-derived first-seen keys (country, asn),
 * through an Investigation as the store worker runs them: the places come from the shipped
 * country points, or from a City MMDB's coordinates where one answers.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Investigation } from '../../../src/core/engine/investigation';
import { type Address, formatAddress } from '../../../src/core/enrich/address';
import { distanceKm, loadCentroids, placeOf } from '../../../src/core/enrich/centroids';
import { IpEnricher } from '../../../src/core/enrich/enricher';
import type { GeoDb } from '../../../src/core/enrich/geoDb';
import { loadEnrichSources } from '../../../src/core/enrich/loadSources';
import { decodeLogBytes } from '../../../src/core/ingest/decode';
import { parseRule, type DetectionRule } from '../../../src/core/investigate/detections/rules';
import { runRule } from '../../../src/core/investigate/detections/run';
import { aLogFile, anEvent } from '../../builders/events';

const sources = loadEnrichSources({ dataDir: join(process.cwd(), 'dist', 'ipdata') });
const shipped = new IpEnricher(sources);

/** A City MMDB stand-in: every public address of `cities` gets that city's coordinates. */
function withCities(cities: Record<string, { city: string; country: string; lat: number; lon: number }>): IpEnricher {
  const user = { lookup: (a: Address) => cities[formatAddress(a)] } as unknown as GeoDb;
  return new IpEnricher({ ...sources, user });
}

function rule(extra: Record<string, unknown>): DetectionRule {
  const r = parseRule(
    JSON.stringify({ id: 'travel-test', title: 'Travel', severity: 'medium', query: 'aws:false', ...extra }),
    'test.json',
    'user',
  );
  assert.deepEqual(r.problems, []);
  return r.rule!;
}

const call = (user: string, time: string, ip: string): Record<string, unknown> =>
  anEvent({
    eventTime: time,
    sourceIPAddress: ip,
    eventID: `${user}-${time}-${ip}`,
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${user.toUpperCase()}`,
      arn: `arn:aws:iam::111122223333:user/${user}`,
      accountId: '111122223333',
      accessKeyId: `AKIA${user.toUpperCase()}0000000000`.slice(0, 20),
      userName: user,
    },
  });

function investigate(events: Array<Record<string, unknown>>, enricher = shipped): Investigation {
  const inv = new Investigation(() => enricher);
  inv.addFile('a.json', decodeLogBytes(Buffer.from(aLogFile(events))));
  inv.nameIpSets();
  return inv;
}

function fired(inv: Investigation, r: DetectionRule): { ids: string[]; notes: string[] } {
  const res = runRule(inv.engine, inv.store, r);
  assert.deepEqual(res.errors, []);
  const rows = Array.from(res.rows).reverse();
  return {
    ids: rows.map((row) => String(JSON.parse(inv.store.raw(row)).eventID)),
    notes: rows.map((row) => res.notes?.get(row) ?? ''),
  };
}

describe('places and distances', () => {
  test('great-circle distances match published figures', () => {
    // Frankfurt–New York JFK is about 6,200 km; London–Paris about 344 km.
    const km = distanceKm({ lat: 50.0379, lon: 8.5622 }, { lat: 40.6413, lon: -73.7781 });
    assert.ok(Math.abs(km - 6200) < 60, String(km));
    assert.ok(Math.abs(distanceKm({ lat: 51.5074, lon: -0.1278 }, { lat: 48.8566, lon: 2.3522 }) - 344) < 5);
    assert.equal(distanceKm({ lat: 10, lon: 20 }, { lat: 10, lon: 20 }), 0);
  });

  test("public addresses get their country's point; special ranges and service names none", () => {
    const de = placeOf(shipped.enrich('185.220.101.45'), sources.centroids)!;
    assert.equal(de.precision, 'country');
    assert.equal(de.label, 'DE');
    assert.ok(de.lat > 47 && de.lat < 55 && de.lon > 5 && de.lon < 15, 'a point inside Germany');
    assert.equal(placeOf(shipped.enrich('10.0.0.1'), sources.centroids), undefined);
    assert.equal(placeOf(shipped.enrich('ec2.amazonaws.com'), sources.centroids), undefined);
    assert.equal(placeOf(shipped.enrich('not an ip'), sources.centroids), undefined);
  });

  test('a broken centroids file is a reason, not a crash', () => {
    assert.equal(loadCentroids('nope').ok, false);
    assert.equal(loadCentroids('{"points": {"DE": [200, 9], "x": [1, 2]}}').ok, false);
    const ok = loadCentroids('{"points": {"DE": [51, 9]}}');
    assert.ok(ok.ok && ok.centroids.get('DE')?.[0] === 51);
  });
});

describe('impossible travel', () => {
  const travel = rule({ travel: { by: ['principal'] } });

  test('Germany then the United States 40 minutes later fires on the second, with distance and speed', () => {
    const inv = investigate([
      call('erin', '2026-03-02T09:00:00Z', '185.220.101.45'),
      call('erin', '2026-03-02T09:40:00Z', '8.8.8.8'),
      call('erin', '2026-03-02T09:50:00Z', '8.8.4.4'),
    ]);
    const f = fired(inv, travel);
    assert.deepEqual(f.ids, ['erin-2026-03-02T09:40:00Z-8.8.8.8']);
    assert.match(
      f.notes[0],
      /^7,\d{3} km in 40 min \(1\d,\d{3} km\/h\): DE \(185\.220\.101\.45\) → US; country points/,
    );
  });

  test('slow enough, too close, another principal, AWS and private addresses: nothing fires', () => {
    const inv = investigate([
      call('erin', '2026-03-02T09:00:00Z', '185.220.101.45'),
      call('erin', '2026-03-02T21:00:00Z', '8.8.8.8'), // 12 h: a flight
      call('frank', '2026-03-02T09:00:00Z', '202.12.27.33'), // Japan, another principal
      call('frank', '2026-03-02T09:05:00Z', '202.12.27.34'), // Japan again
      call('frank', '2026-03-02T09:10:00Z', '3.248.0.10'), // AWS eu-west-1: not a candidate
      call('frank', '2026-03-02T09:15:00Z', '10.1.2.3'), // private
    ]);
    assert.deepEqual(fired(inv, travel).ids, []);
  });

  test('the same second in two countries is "at the same moment"', () => {
    const inv = investigate([
      call('gina', '2026-03-02T09:00:00Z', '81.2.69.142'),
      call('gina', '2026-03-02T09:00:00Z', '200.160.2.3'),
    ]);
    const f = fired(inv, travel);
    assert.equal(f.ids.length, 1);
    assert.match(f.notes[0], /in 0 s \(at the same moment\)/);
  });

  test("a City MMDB's coordinates see trips inside one country, which country points cannot", () => {
    const events = [call('hal', '2026-03-02T09:00:00Z', '8.8.8.8'), call('hal', '2026-03-02T09:30:00Z', '8.8.4.4')];
    assert.deepEqual(fired(investigate(events), travel).ids, [], 'one country, one point');
    const cities = withCities({
      '8.8.8.8': { city: 'New York', country: 'US', lat: 40.7128, lon: -74.006 },
      '8.8.4.4': { city: 'Los Angeles', country: 'US', lat: 34.0522, lon: -118.2437 },
    });
    const f = fired(investigate(events, cities), travel);
    assert.deepEqual(f.ids, ['hal-2026-03-02T09:30:00Z-8.8.4.4']);
    assert.match(f.notes[0], /^3,9\d\d km in 30 min \(7,8\d\d km\/h\): New York, US \(8\.8\.8\.8\) → Los Angeles, US$/);
  });

  test('the rule model: defaults, limits, one kind per rule', () => {
    assert.deepEqual(travel.travel, { by: ['principal'], minKm: 500, maxKmh: 1000 });
    const problems = (extra: Record<string, unknown>): string =>
      parseRule(
        JSON.stringify({ id: 'x', title: 'X', severity: 'low', query: 'aws:false', ...extra }),
        'x.json',
        'user',
      ).problems.join(' | ');
    assert.match(problems({ travel: { minKm: -1 } }), /"travel.minKm" is a number above 0/);
    assert.match(problems({ travel: { by: ['resource'] } }), /not a single-valued field/);
    assert.match(problems({ travel: { speed: 1 } }), /unknown key "speed"/);
    assert.match(problems({ travel: {}, firstSeen: { fields: ['ip'], baselineDays: 1 } }), /cannot go together/);
    assert.equal(problems({ travel: { by: ['accessKey'], minKm: 800, maxKmh: 900 } }), '');
  });
});

describe('first seen by country and network', () => {
  test('a new country fires; a new address in a known country does not', () => {
    const r = rule({ firstSeen: { fields: ['principal', 'country'], baselineDays: 7 } });
    const inv = investigate([
      call('ida', '2026-03-01T09:00:00Z', '81.2.69.142'),
      call('ida', '2026-03-05T09:00:00Z', '81.2.69.160'), // GB, the same network
      call('ida', '2026-03-09T09:00:00Z', '212.58.244.20'), // GB again, another network
      call('ida', '2026-03-10T09:00:00Z', '200.160.2.3'), // BR: new
      call('ida', '2026-03-10T10:00:00Z', '200.160.2.3'),
    ]);
    assert.deepEqual(fired(inv, r).ids, ['ida-2026-03-10T09:00:00Z-200.160.2.3']);
    const byAsn = rule({ firstSeen: { fields: ['principal', 'asn'], baselineDays: 7 } });
    assert.deepEqual(fired(inv, byAsn).ids, [
      'ida-2026-03-09T09:00:00Z-212.58.244.20',
      'ida-2026-03-10T09:00:00Z-200.160.2.3',
    ]);
  });
});
