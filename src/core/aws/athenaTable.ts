/**
 * The Athena table over a trail's S3 files (AWS docs, "Create the table for CloudTrail logs in
 * Athena using partition projection"): the JSON SerDe over CloudTrailInputFormat, `userIdentity`
 * and the other objects of known shape as structs, the objects of per-service shape
 * (`requestParameters`, `responseElements`, `additionalEventData`…) as strings of JSON, and
 * partitions projected from the key layout (`AWSLogs/[<org>/]<account>/CloudTrail/<region>/
 * YYYY/MM/DD/`), so no partition is ever added by hand. An existing table over the same bucket
 * and prefix is recognised from its metadata and reused, whatever it names its partitions.
 */
import type { TableLayout } from './scanEstimate';
import type { TrailLocation } from './s3Layout';

/** A Hive column type: a string, a struct (canonical camelCase field names), an array or a map. */
export type HiveType =
  | 'string'
  | { struct: ReadonlyArray<readonly [string, HiveType]> }
  | { array: HiveType }
  | { map: readonly [HiveType, HiveType] };

const S = 'string' as const;
const struct = (...fields: Array<readonly [string, HiveType]>): HiveType => ({ struct: fields });

/**
 * The table's columns, named as CloudTrail writes them (Hive lower-cases names; the rebuilt
 * events get these spellings back). AWS's documented columns, plus `userIdentity.credentialId`
 * and `managementEvent`, which the principal name and path terms read.
 */
export const CLOUDTRAIL_COLUMNS: ReadonlyArray<readonly [string, HiveType]> = [
  ['eventVersion', S],
  [
    'userIdentity',
    struct(
      ['type', S],
      ['principalId', S],
      ['arn', S],
      ['accountId', S],
      ['invokedBy', S],
      ['accessKeyId', S],
      ['userName', S],
      ['credentialId', S],
      ['onBehalfOf', struct(['userId', S], ['identityStoreArn', S])],
      [
        'sessionContext',
        struct(
          ['attributes', struct(['mfaAuthenticated', S], ['creationDate', S])],
          ['sessionIssuer', struct(['type', S], ['principalId', S], ['arn', S], ['accountId', S], ['userName', S])],
          ['sourceIdentity', S],
          ['ec2RoleDelivery', S],
          ['webIdFederationData', struct(['federatedProvider', S], ['attributes', { map: [S, S] }])],
        ),
      ],
    ),
  ],
  ['eventTime', S],
  ['eventSource', S],
  ['eventName', S],
  ['awsRegion', S],
  ['sourceIPAddress', S],
  ['userAgent', S],
  ['errorCode', S],
  ['errorMessage', S],
  ['requestParameters', S],
  ['responseElements', S],
  ['additionalEventData', S],
  ['requestID', S],
  ['eventID', S],
  ['readOnly', S],
  ['resources', { array: struct(['ARN', S], ['accountId', S], ['type', S]) }],
  ['eventType', S],
  ['apiVersion', S],
  ['managementEvent', S],
  ['recipientAccountId', S],
  ['serviceEventDetails', S],
  ['sharedEventID', S],
  ['vpcEndpointId', S],
  ['vpcEndpointAccountId', S],
  ['eventCategory', S],
  ['addendum', struct(['reason', S], ['updatedFields', S], ['originalRequestID', S], ['originalEventID', S])],
  ['sessionCredentialFromConsole', S],
  ['edgeDeviceDetails', S],
  ['tlsDetails', struct(['tlsVersion', S], ['cipherSuite', S], ['clientProvidedHostHeader', S])],
];

/** STRING columns whose value is an object in the event: read back as JSON. */
export const JSON_TEXT_COLUMNS: ReadonlySet<string> = new Set([
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'edgeDeviceDetails',
]);

/** How a table's partitions map onto the key layout. Absent: that part is not a partition. */
export interface PartitionScheme {
  account?: string;
  region?: string;
  /** One date partition and its projection format (`yyyy/MM/dd`). */
  day?: { column: string; format: string };
}

/** A table the compiler can query. */
export interface AthenaTableRef {
  database: string;
  name: string;
  partitions: PartitionScheme;
  /** Lower-case column name → its Hive type text, when read from metadata (undefined: our DDL). */
  columns?: ReadonlyMap<string, string>;
  /** Where its files are and what its projection enumerates (the cost estimate's prefixes). */
  layout?: TableLayout;
}

/** What the DDL needs to know of a trail. */
export interface TrailTableSource extends TrailLocation {
  trailName: string;
  /** Accounts whose files the table covers (an organization trail: its member accounts). */
  accounts: readonly string[];
  /** Regions the trail logs (a multi-region trail: every enabled region). */
  regions: readonly string[];
  /** First day projected, epoch ms (default 2013-11-01, CloudTrail's launch). */
  since?: number;
}

/**
 * The canonical field names down a struct path to a scalar ('string'), undefined when the path
 * ends at an object, array or map, 'missing' when a segment is not in the schema. Names match
 * ignoring case, as path terms do.
 */
export function schemaLeaf(type: HiveType, path: readonly string[]): string[] | undefined | 'missing' {
  let t = type;
  const out: string[] = [];
  for (const seg of path) {
    if (t === 'string') return 'missing';
    if ('array' in t || 'map' in t) return undefined;
    const f = t.struct.find(([n]) => n.toLowerCase() === seg.toLowerCase());
    if (!f) return 'missing';
    out.push(f[0]);
    t = f[1];
  }
  return t === 'string' ? out : undefined;
}

/** `yyyy/MM/dd` as S3 keys write days. */
export const DAY_FORMAT = 'yyyy/MM/dd';

/** A table name for a trail: lower-case letters, digits and underscores, as Glue wants. */
export function tableNameFor(trailName: string): string {
  const base = trailName
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  return `cloudtrail_${base || 'trail'}`;
}

/** The DDL text of a type (lower-case field names, as AWS's examples write them). */
export function hiveTypeText(t: HiveType, indent = '    '): string {
  if (t === 'string') return 'STRING';
  if ('array' in t) return `ARRAY<${hiveTypeText(t.array, indent)}>`;
  if ('map' in t) return `MAP<${hiveTypeText(t.map[0], indent)},${hiveTypeText(t.map[1], indent)}>`;
  const inner = `${indent}    `;
  return `STRUCT<\n${t.struct.map(([n, ft]) => `${inner}${n.toLowerCase()}: ${hiveTypeText(ft, inner)}`).join(',\n')}>`;
}

/** A value for a Hive/Glue single-quoted string (DDL LOCATION and TBLPROPERTIES). */
function hiveString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `s3://bucket/prefix/AWSLogs/[org/]`: where every file of the trail lives. */
export function trailLogsBase(loc: TrailLocation): string {
  const prefix = loc.prefix.replace(/^\/+|\/+$/g, '');
  return `s3://${loc.bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/${loc.orgId ? `${loc.orgId}/` : ''}`;
}

/** Values Glue's enum projection can hold: no commas or quotes (account ids and regions never have them). */
function enumValues(values: readonly string[], what: string): string {
  const bad = values.find((v) => !/^[A-Za-z0-9-]+$/.test(v));
  if (bad !== undefined) throw new Error(`"${bad}" is not a valid ${what} for the table.`);
  if (values.length === 0) throw new Error(`The table needs at least one ${what}.`);
  return [...new Set(values)].join(',');
}

/** A day written in a projection format (yyyy, MM, dd and separators) as epoch ms, undefined when it does not fit. */
export function parseDay(text: string, format: string): number | undefined {
  const parts: string[] = [];
  const re = new RegExp(
    `^${format.replace(/yyyy|MM|dd|[^yMd]/g, (t) => (t === 'yyyy' ? (parts.push(t), '(\\d{4})') : t === 'MM' || t === 'dd' ? (parts.push(t), '(\\d{2})') : `\\${t}`))}$`,
  );
  const m = re.exec(text.trim());
  if (!m) return undefined;
  const v = (tok: string): number => Number(m[parts.indexOf(tok) + 1] ?? 1);
  const ms = Date.UTC(v('yyyy'), v('MM') - 1, v('dd'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** The layout a projected table's parameters give (enum values, the date range's start). */
function layoutOf(base: string, params: Record<string, string>, scheme: PartitionScheme): TableLayout {
  const enumOf = (col?: string): string[] | undefined =>
    col && params[`projection.${col}.type`] === 'enum'
      ? (params[`projection.${col}.values`] ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : undefined;
  const range = scheme.day ? params[`projection.${scheme.day.column}.range`] : undefined;
  const since = range && scheme.day ? parseDay(range.split(',')[0] ?? '', scheme.day.format) : undefined;
  return { base, accounts: enumOf(scheme.account), regions: enumOf(scheme.region), since };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A day in a projection format made of yyyy, MM and dd (UTC). */
export function formatDay(ms: number, format: string): string {
  const d = new Date(ms);
  return format.replace(/yyyy|MM|dd/g, (tok) =>
    tok === 'yyyy' ? String(d.getUTCFullYear()) : tok === 'MM' ? pad(d.getUTCMonth() + 1) : pad(d.getUTCDate()),
  );
}

/**
 * The CREATE EXTERNAL TABLE for a trail, partitioned by account, region and day, all projected
 * (nothing to add as data arrives), and the reference the compiler queries it by.
 */
export function cloudTrailTableDdl(
  src: TrailTableSource,
  database = 'default',
  table = tableNameFor(src.trailName),
): { ddl: string; table: AthenaTableRef } {
  if (!/^[a-z0-9_]+$/.test(table) || !/^[a-z0-9_]+$/.test(database))
    throw new Error('Table and database names are lower-case letters, digits and underscores.');
  const base = trailLogsBase(src);
  const start = formatDay(src.since ?? Date.UTC(2013, 10, 1), DAY_FORMAT);
  const props: Array<[string, string]> = [
    ['projection.enabled', 'true'],
    ['projection.account.type', 'enum'],
    ['projection.account.values', enumValues(src.accounts, 'account')],
    ['projection.region.type', 'enum'],
    ['projection.region.values', enumValues(src.regions, 'region')],
    ['projection.timestamp.type', 'date'],
    ['projection.timestamp.format', DAY_FORMAT],
    ['projection.timestamp.range', `${start},NOW`],
    ['projection.timestamp.interval', '1'],
    ['projection.timestamp.interval.unit', 'DAYS'],
    ['storage.location.template', `${base}\${account}/CloudTrail/\${region}/\${timestamp}`],
  ];
  const ddl = [
    `CREATE EXTERNAL TABLE \`${database}\`.\`${table}\` (`,
    CLOUDTRAIL_COLUMNS.map(([n, t]) => `    ${n.toLowerCase()} ${hiveTypeText(t)}`).join(',\n'),
    ')',
    'PARTITIONED BY (`account` string, `region` string, `timestamp` string)',
    "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
    "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
    "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
    `LOCATION ${hiveString(base)}`,
    'TBLPROPERTIES (',
    props.map(([k, v]) => `    ${hiveString(k)}=${hiveString(v)}`).join(',\n'),
    ')',
  ].join('\n');
  return {
    ddl,
    table: {
      database,
      name: table,
      partitions: { account: 'account', region: 'region', day: { column: 'timestamp', format: DAY_FORMAT } },
      layout: {
        base,
        accounts: [...new Set(src.accounts)],
        regions: [...new Set(src.regions)],
        since: Math.floor((src.since ?? Date.UTC(2013, 10, 1)) / 86_400_000) * 86_400_000,
      },
    },
  };
}

/** Athena's TableMetadata, the fields used (ListTableMetadata / GetTableMetadata). */
export interface TableMetadataLike {
  Name?: string;
  Columns?: Array<{ Name?: string; Type?: string }>;
  PartitionKeys?: Array<{ Name?: string; Type?: string }>;
  Parameters?: Record<string, string>;
}

const PLACEHOLDER = /^\$\{([A-Za-z_][\w]*)\}$/;

/**
 * How a table's location template maps onto the trail's layout under `base`, or undefined when it
 * points elsewhere. Literal accounts or regions (a table for one of them) are not reused: the
 * trail's other files would be missing from it.
 */
function schemeOf(
  where: string,
  base: string,
  params: Record<string, string>,
  partitionNames: Set<string>,
): PartitionScheme | undefined {
  const norm = where.replace(/\/+$/, '');
  const baseNorm = base.replace(/\/+$/, '');
  if (norm === baseNorm) return {};
  if (!norm.startsWith(`${baseNorm}/`)) return undefined;
  const rest = norm.slice(baseNorm.length + 1).split('/');
  const [acct, ct, region, ...day] = rest;
  const col = (seg: string | undefined): string | undefined => {
    const m = seg ? PLACEHOLDER.exec(seg) : null;
    return m && partitionNames.has(m[1].toLowerCase()) ? m[1].toLowerCase() : undefined;
  };
  const account = col(acct);
  if (!account || ct !== 'CloudTrail') return undefined;
  const regionCol = col(region);
  if (!regionCol) return undefined;
  const scheme: PartitionScheme = { account, region: regionCol };
  const dayCol = day.length === 1 ? col(day[0]) : undefined;
  const format = dayCol ? params[`projection.${dayCol}.format`] : undefined;
  if (dayCol && format && /^(yyyy|MM|dd|[/_.-])+$/.test(format) && params[`projection.${dayCol}.type`] === 'date')
    scheme.day = { column: dayCol, format };
  return scheme;
}

/**
 * An existing table over the trail's files (its template, or its location when it has no
 * projection, under `s3://bucket/prefix/AWSLogs/[org/]`), preferring one whose partitions prune by
 * day; undefined when there is none. Only tables with CloudTrail's columns count.
 */
export function findTrailTable(
  tables: readonly TableMetadataLike[],
  loc: TrailLocation,
  database: string,
): AthenaTableRef | undefined {
  const base = trailLogsBase(loc);
  let best: { ref: AthenaTableRef; score: number } | undefined;
  for (const t of tables) {
    const columns = new Map((t.Columns ?? []).map((c) => [String(c.Name).toLowerCase(), String(c.Type ?? '')]));
    if (!t.Name || !['eventname', 'eventtime', 'eventid', 'useridentity'].every((c) => columns.has(c))) continue;
    const params = t.Parameters ?? {};
    const partitionNames = new Set((t.PartitionKeys ?? []).map((p) => String(p.Name).toLowerCase()));
    const projected = params['projection.enabled'] === 'true' && params['storage.location.template'];
    const scheme = projected
      ? schemeOf(params['storage.location.template'], base, params, partitionNames)
      : params.location && partitionNames.size === 0
        ? schemeOf(params.location, base, params, partitionNames)
        : undefined;
    if (!scheme) continue;
    const score = (scheme.day ? 2 : 0) + (scheme.account ? 1 : 0);
    if (!best || score > best.score)
      best = {
        ref: {
          database,
          name: t.Name,
          partitions: scheme,
          columns,
          layout: layoutOf(base, projected ? params : {}, scheme),
        },
        score,
      };
  }
  return best?.ref;
}
