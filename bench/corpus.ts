/**
 * A deterministic, realistic CloudTrail corpus for the benchmark: gzipped S3 log files in the
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` layout, with the value distributions of real
 * trails — a few hundred event names (Zipf), thousands of principals and IPs, long user agents,
 * nested request parameters, a few percent of errors. Callers are as in real trails: IAM users with
 * their long-lived keys, and role sessions (instances, functions, people, CI jobs, tasks) that each
 * make many calls with one temporary key a day — not a new session and key for every event.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = [
  'ec2',
  's3',
  'iam',
  'sts',
  'kms',
  'lambda',
  'rds',
  'cloudtrail',
  'logs',
  'ssm',
  'secretsmanager',
  'dynamodb',
  'sns',
  'sqs',
  'ecr',
  'ecs',
  'eks',
  'cloudwatch',
  'config',
  'guardduty',
  'organizations',
  'route53',
  'elasticloadbalancing',
  'autoscaling',
  'cloudformation',
];
const VERBS = [
  'Describe',
  'List',
  'Get',
  'Create',
  'Delete',
  'Put',
  'Update',
  'Start',
  'Stop',
  'Modify',
  'Attach',
  'Detach',
  'Tag',
  'Untag',
];
const NOUNS = [
  'Instances',
  'Buckets',
  'Object',
  'Role',
  'User',
  'Policy',
  'Key',
  'Function',
  'DBInstances',
  'Trail',
  'LogGroups',
  'Parameter',
  'SecretValue',
  'Table',
  'Topic',
  'Queue',
  'Images',
  'Cluster',
  'Alarms',
  'ConfigRule',
  'Detector',
  'Account',
  'HostedZone',
  'LoadBalancers',
  'Stack',
  'Snapshots',
  'Volumes',
  'SecurityGroups',
];
const ERRORS = [
  'AccessDenied',
  'Client.UnauthorizedOperation',
  'ThrottlingException',
  'NoSuchBucket',
  'ResourceNotFoundException',
  'ValidationException',
  'InvalidParameterValue',
];
const AGENTS = [
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0-18-cloud-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.152.0',
  'aws-sdk-java/2.25.16 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  'console.amazonaws.com',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#18.19.1 api/s3#3.540.0',
];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

export interface CorpusInfo {
  dir: string;
  files: string[];
  events: number;
}

/**
 * Where the corpus of `events` events is cached under `root`. The version changes with the shape of
 * the data (v3: instance role sessions call from EC2 addresses, as instances do; v2: role sessions
 * make many calls each; the unversioned corpus gave every assumed-role event a session and key of
 * its own, ~600k principals at 1M events instead of thousands).
 */
export const corpusDir = (root: string, events: number, seed = 20261121): string =>
  join(root, `corpus-v3-${events}-${seed}`);

/** A role's session names, shaped by what the role is for. */
function sessionNames(kind: string, role: number, count: number): string[] {
  return Array.from({ length: count }, (_, j) => {
    const h = (Math.imul(role * 64 + j + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
    switch (kind) {
      case 'app':
        return `i-0${h}${h.slice(0, 8)}`;
      case 'admin':
        return `person-${((role * 7 + j) % 90).toString(36)}@example.com`;
      case 'lambda':
        return `fn-${role}-${['ingest', 'resize', 'notify', 'sync', 'audit'][j % 5]}-${j}`;
      case 'ecs':
        return `${h}${h.split('').reverse().join('')}${h}${h.slice(4)}${h.slice(0, 4)}`;
      default:
        return `ci-job-${role}-${h}`;
    }
  });
}

/** Builds (or reuses) a corpus of `events` events in files of ~`perFile`. */
export function makeCorpus(root: string, events: number, seed = 20261121, perFile = 500): CorpusInfo {
  const dir = corpusDir(root, events, seed);
  const done = join(dir, '.complete');
  if (!existsSync(done)) {
    const next = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
    // Zipf over ~300 names: a few calls dominate, a long tail is rare, as in real trails.
    const names = Array.from(
      { length: 300 },
      (_, i) => `${VERBS[i % VERBS.length]}${NOUNS[(i * 7) % NOUNS.length]}${i >= 200 ? `V${i}` : ''}`,
    );
    const zipf = (): number => Math.min(names.length - 1, Math.floor(Math.pow(next(), 2.2) * names.length));
    const accounts = Array.from({ length: 12 }, (_, i) => String(111111111111 + i * 7919));
    const users = Array.from({ length: 1500 }, (_, i) => `user-${i.toString(36)}`);
    // 400 roles with 10 sessions each: 5,500 principals with the 1,500 users.
    const roles = Array.from({ length: 400 }, (_, i) => {
      const kind = ['ci', 'app', 'admin', 'lambda', 'ecs'][i % 5];
      return {
        name: `role-${kind}-${i}`,
        id: `AROA${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(36).toUpperCase().padStart(17, 'R')}`,
        sessions: sessionNames(kind, i, 10),
      };
    });
    // One temporary key per session and day; the multiplier is odd, so distinct inputs give distinct keys.
    const sessionKey = (role: number, session: number, day: number): string =>
      `ASIA${(Math.imul((role * 16 + session) * 64 + day, 0x9e3779b1) >>> 0).toString(36).toUpperCase().padStart(16, 'X')}`;
    const ips = Array.from(
      { length: 5000 },
      () =>
        `${10 + Math.floor(next() * 200)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
    );
    // An instance's own calls come from an AWS address (its public IP or a NAT gateway's), here
    // in EC2's 3.80.0.0/12 (us-east-1), derived from the address drawn so the draws stay the same.
    const instanceIp = (ip: string): string => {
      const h = [...ip].reduce((x, c) => Math.imul(x ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
      return `3.${80 + (h & 15)}.${(h >>> 4) & 255}.${(h >>> 12) & 255}`;
    };
    const start = Date.UTC(2024, 2, 1);
    const span = 21 * 86_400_000;
    let id = 0;
    for (let f = 0; id < events; f++) {
      const account = accounts[f % accounts.length];
      const region = REGIONS[f % REGIONS.length];
      const t0 = start + Math.floor((f * perFile * span) / events);
      const day = new Date(t0);
      const sub = join(
        dir,
        'AWSLogs',
        account,
        'CloudTrail',
        region,
        String(day.getUTCFullYear()),
        String(day.getUTCMonth() + 1).padStart(2, '0'),
        String(day.getUTCDate()).padStart(2, '0'),
      );
      mkdirSync(sub, { recursive: true });
      const records: unknown[] = [];
      for (let i = 0; i < perFile && id < events; i++, id++) {
        const n = names[zipf()];
        const service = SERVICES[names.indexOf(n) % SERVICES.length];
        const asRole = next() < 0.6;
        // Users and roles belong to one account each: the trail's account's own callers.
        const a = f % accounts.length;
        const r = a + accounts.length * Math.floor(next() * Math.ceil((roles.length - a) / accounts.length));
        const who = asRole
          ? roles[r].name
          : users[a + accounts.length * Math.floor(next() * Math.ceil((users.length - a) / accounts.length))];
        const si = Math.floor(next() * roles[r].sessions.length);
        const session = roles[r].sessions[si];
        const failed = next() < 0.04;
        const time = t0 + Math.floor(next() * (span / (events / perFile)));
        const dayNo = Math.floor((time - start) / 86_400_000);
        records.push({
          eventVersion: '1.09',
          userIdentity: asRole
            ? {
                type: 'AssumedRole',
                principalId: `${roles[r].id}:${session}`,
                arn: `arn:aws:sts::${account}:assumed-role/${who}/${session}`,
                accountId: account,
                accessKeyId: sessionKey(r, si, dayNo),
                sessionContext: {
                  sessionIssuer: {
                    type: 'Role',
                    principalId: roles[r].id,
                    arn: `arn:aws:iam::${account}:role/${who}`,
                    accountId: account,
                    userName: who,
                  },
                  attributes: {
                    creationDate: new Date(start + dayNo * 86_400_000).toISOString(),
                    mfaAuthenticated: 'false',
                  },
                },
              }
            : {
                type: 'IAMUser',
                principalId: `AIDA${who}`,
                arn: `arn:aws:iam::${account}:user/${who}`,
                accountId: account,
                accessKeyId: `AKIA${who.toUpperCase().padStart(16, 'Q')}`,
                userName: who,
              },
          eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          eventSource: `${service}.amazonaws.com`,
          eventName: n,
          awsRegion: region,
          sourceIPAddress: ((ip) => (asRole && session.startsWith('i-') ? instanceIp(ip) : ip))(pick(ips)),
          userAgent: pick(AGENTS),
          ...(failed
            ? {
                errorCode: pick(ERRORS),
                errorMessage: `User: arn:aws:iam::${account}:user/${who} is not authorized to perform: ${service}:${n} on resource: *`,
              }
            : {}),
          requestParameters: {
            filterSet: {
              items: [{ name: 'tag:env', valueSet: { items: [{ value: pick(['prod', 'dev', 'staging']) }] } }],
            },
            maxResults: 100,
            resourceName: `arn:aws:${service}:${region}:${account}:thing/${Math.floor(next() * 20000)}`,
          },
          responseElements: null,
          requestID: `req-${id}`,
          eventID: `00000000-0000-4000-8000-${id.toString(16).padStart(12, '0')}`,
          readOnly: /^(Describe|List|Get)/.test(n),
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: account,
          eventCategory: 'Management',
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${service}.${region}.amazonaws.com`,
          },
        });
      }
      writeFileSync(
        join(
          sub,
          `${account}_CloudTrail_${region}_${day.toISOString().slice(0, 10).replace(/-/g, '')}T0000Z_${f.toString(36).padStart(8, '0')}.json.gz`,
        ),
        gzipSync(JSON.stringify({ Records: records }), { level: 6 }),
      );
    }
    writeFileSync(done, String(events));
  }
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json.gz')) files.push(p);
    }
  };
  walk(dir);
  return { dir, files: files.sort(), events };
}
