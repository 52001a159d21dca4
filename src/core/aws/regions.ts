/**
 * AWS region codes and their console names, for region pickers and labels. Taken from the SDK's
 * partition data (botocore 1.43, 2026): the commercial, GovCloud and China partitions only, since
 * those are the ones a CloudTrail user can sign in to with ordinary credentials.
 */

/** The partitions listed here; `aws-eusc` (European Sovereign Cloud) and the ISO ones are left out. */
export type RegionPartition = 'aws' | 'aws-us-gov' | 'aws-cn';

/** One region. */
export interface Region {
  code: string;
  name: string;
  partition: RegionPartition;
}

const region =
  (partition: RegionPartition) =>
  (code: string, name: string): Region =>
    Object.freeze({ code, name, partition });
const aws = region('aws');
const gov = region('aws-us-gov');
const cn = region('aws-cn');

/** Every known region, commercial first, in code order within each partition. */
export const REGIONS: ReadonlyArray<Region> = Object.freeze([
  aws('af-south-1', 'Africa (Cape Town)'),
  aws('ap-east-1', 'Asia Pacific (Hong Kong)'),
  aws('ap-east-2', 'Asia Pacific (Taipei)'),
  aws('ap-northeast-1', 'Asia Pacific (Tokyo)'),
  aws('ap-northeast-2', 'Asia Pacific (Seoul)'),
  aws('ap-northeast-3', 'Asia Pacific (Osaka)'),
  aws('ap-south-1', 'Asia Pacific (Mumbai)'),
  aws('ap-south-2', 'Asia Pacific (Hyderabad)'),
  aws('ap-southeast-1', 'Asia Pacific (Singapore)'),
  aws('ap-southeast-2', 'Asia Pacific (Sydney)'),
  aws('ap-southeast-3', 'Asia Pacific (Jakarta)'),
  aws('ap-southeast-4', 'Asia Pacific (Melbourne)'),
  aws('ap-southeast-5', 'Asia Pacific (Malaysia)'),
  aws('ap-southeast-6', 'Asia Pacific (New Zealand)'),
  aws('ap-southeast-7', 'Asia Pacific (Thailand)'),
  aws('ca-central-1', 'Canada (Central)'),
  aws('ca-west-1', 'Canada West (Calgary)'),
  aws('eu-central-1', 'Europe (Frankfurt)'),
  aws('eu-central-2', 'Europe (Zurich)'),
  aws('eu-north-1', 'Europe (Stockholm)'),
  aws('eu-south-1', 'Europe (Milan)'),
  aws('eu-south-2', 'Europe (Spain)'),
  aws('eu-west-1', 'Europe (Ireland)'),
  aws('eu-west-2', 'Europe (London)'),
  aws('eu-west-3', 'Europe (Paris)'),
  aws('il-central-1', 'Israel (Tel Aviv)'),
  aws('me-central-1', 'Middle East (UAE)'),
  aws('me-south-1', 'Middle East (Bahrain)'),
  aws('mx-central-1', 'Mexico (Central)'),
  aws('sa-east-1', 'South America (São Paulo)'),
  aws('us-east-1', 'US East (N. Virginia)'),
  aws('us-east-2', 'US East (Ohio)'),
  aws('us-west-1', 'US West (N. California)'),
  aws('us-west-2', 'US West (Oregon)'),
  gov('us-gov-east-1', 'AWS GovCloud (US-East)'),
  gov('us-gov-west-1', 'AWS GovCloud (US-West)'),
  cn('cn-north-1', 'China (Beijing)'),
  cn('cn-northwest-1', 'China (Ningxia)'),
]);

const byCode = new Map(REGIONS.map((r) => [r.code, r.name]));

/** The console name of a known region ('us-east-1' → 'US East (N. Virginia)'), else undefined. */
export function regionName(code: string): string | undefined {
  return byCode.get(code);
}

/**
 * Whether `code` looks like a region code. Syntactic on purpose, so regions launched after this
 * list (or in partitions it leaves out, like `eusc-de-east-1`) are still accepted.
 */
export function isRegionCode(code: string): boolean {
  return code.length <= 32 && /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/.test(code);
}
