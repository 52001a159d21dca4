/**
 * What the log view's Country and ASN cells and the event view's "From where" card say about a
 * source IP, and the tooltip behind them: what the value is, what each data set said, and why a
 * data set said nothing (a missing or broken file). Strings only; the webviews set them as text.
 */
import type { IpPlace } from '../../protocol/eventView';
import { describeEnrichment, type DataSetInfo, type Enrichment, type EnrichSources } from './enricher';

const regionNames = ((): Intl.DisplayNames | undefined => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  } catch {
    return undefined;
  }
})();

/** `US` → `United States`; a code Intl does not know (or `ZZ`) stays the code. */
export function countryName(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  try {
    const name = regionNames?.of(code.toUpperCase());
    // ZZ (and codes no region has) come back as "Unknown Region": the code says as much.
    return name && name !== 'Unknown Region' ? name : code;
  } catch {
    return code;
  }
}

/** `US · United States`, the code first: the column is narrow and `country:US` is what a search takes. */
export function countryText(code: string | undefined): string {
  if (!code) return '';
  const name = countryName(code);
  return name === code ? code : `${code.toUpperCase()} · ${name}`;
}

/** `AWS (EC2, eu-west-1)`: the range's most specific service, and its region (`GLOBAL` for CloudFront and the like). */
export function awsText(e: Enrichment): string {
  return e.aws ? `AWS (${e.aws.service}, ${e.aws.region})` : '';
}

/** `AS16509 Amazon.com, Inc.` */
export function asnText(e: Enrichment): string {
  return e.asn === undefined ? '' : `AS${e.asn}${e.org ? ` ${e.org}` : ''}`;
}

/** A data set as the hover names it: `ip-location-db geo-whois-asn-country (2026-06-17, CC BY 4.0)`. */
export function dataSetText(d: DataSetInfo): string {
  return `${d.name} (${[d.version && d.version !== d.date ? d.version : '', d.date, d.licence].filter(Boolean).join(', ')})`;
}

export interface IpCells {
  /** The Country cell. */
  country: string;
  /** The ASN cell (with AWS's service and region for AWS's ranges). */
  asn: string;
  /** The tooltip of both: what the value is, where, and from which data. */
  detail: string;
}

/** What a source value's cells say. Hostnames, service names and garbage say what they are; '' says nothing is known. */
export function ipCells(e: Enrichment, sources: Pick<EnrichSources, 'info' | 'problems'>): IpCells {
  let country = '';
  let asn = '';
  switch (e.kind) {
    case 'public':
      country = countryText(e.country);
      asn = [asnText(e), e.aws ? `AWS ${e.aws.service} ${e.aws.region}` : ''].filter(Boolean).join(' · ');
      break;
    case 'special':
      country = e.label ?? '';
      break;
    case 'service':
      country = 'AWS service';
      break;
    case 'hostname':
      country = 'hostname';
      break;
    case 'invalid':
      country = 'not an address';
      break;
    case 'empty':
      break;
  }
  return { country, asn, detail: ipDetail(e, sources) };
}

/** The hover: the enrichment in words, each data set named with its date and licence, and what is missing and why. */
export function ipDetail(e: Enrichment, sources: Pick<EnrichSources, 'info' | 'problems'>): string {
  if (e.kind === 'empty') return '';
  const lines: string[] = [];
  const what = describeEnrichment(e);
  if (e.kind === 'public') {
    // describeEnrichment's line, with the country's name beside its code.
    const place = [e.city, e.country ? countryText(e.country) : ''].filter(Boolean).join(', ');
    const parts = [awsText(e), place, asnText(e)].filter(Boolean);
    lines.push(parts.length > 0 ? parts.join(' · ') : 'a public address no data set places');
  } else if (e.kind === 'service') {
    lines.push(`${what}: an AWS service called on the principal's behalf (CloudTrail writes its name, not an address)`);
  } else if (e.kind === 'special') {
    lines.push(`${what}: a special-purpose range, not on the public internet; no data set is asked`);
  } else lines.push(what);
  if (e.kind === 'public' || e.kind === 'special') {
    if (sources.info.length > 0) lines.push(`Data: ${sources.info.map(dataSetText).join('; ')}`);
    if (sources.problems.length > 0) lines.push(`Not available: ${sources.problems.join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The event view's "From where" rows about one source value: `Sydney, AU · Australia` (or what the
 * Country cell says), `AS16509 Amazon.com, Inc.`, `AWS (EC2, eu-west-1)`, and the cells' hover.
 */
export function ipCard(e: Enrichment, sources: Pick<EnrichSources, 'info' | 'problems'>): IpPlace {
  const { country, detail } = ipCells(e, sources);
  const place = e.kind === 'public' ? [e.city, countryText(e.country)].filter(Boolean).join(', ') : country;
  return { place, network: asnText(e), aws: awsText(e), detail };
}
