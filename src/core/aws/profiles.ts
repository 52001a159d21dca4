/**
 * AWS named profiles from the shared `config` and `credentials` files, read the way the AWS CLI
 * (botocore) and the JS SDK read them, so the profile tree shows what those tools would do.
 * Secret values (secret keys, session tokens) are parsed but never leave this module.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type ProfileKind = 'static' | 'sso' | 'assumeRole' | 'process' | 'webIdentity' | 'env' | 'unknown';

/** One profile as the tree shows it. Holds no secret values. */
export interface AwsProfile {
  /** 'default', 'prod-admin', or '(environment)' for credentials from environment variables. */
  name: string;
  kind: ProfileKind;
  /** `region` from the profile (the config file's value wins over the credentials file's). */
  region?: string;
  /** Tree description, e.g. 'SSO · my-sso (123456789012 / Admin)', 'access key AKIA…WXYZ'. Never a secret. */
  detail: string;
  /** `sso_session` name (new format); undefined for a legacy `sso_start_url` profile. */
  ssoSession?: string;
  ssoStartUrl?: string;
  ssoAccountId?: string;
  ssoRoleName?: string;
  roleArn?: string;
  sourceProfile?: string;
  credentialSource?: string;
  mfaSerial?: string;
  /** Where it was defined: 'config', 'credentials', or both. */
  sources: Array<'config' | 'credentials'>;
  /** Problems found while reading it, worded for the tree. */
  problems: string[];
}

/** The two files' contents (not paths); either may be absent. */
export interface ProfileFiles {
  config?: string;
  credentials?: string;
}

type Env = Record<string, string | undefined>;
type Values = Map<string, string>;
interface Section {
  values: Values;
  notes: string[];
}

/** The name given to credentials found in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. */
export const ENV_PROFILE_NAME = '(environment)';
const CREDENTIAL_SOURCES = ['Environment', 'Ec2InstanceMetadata', 'EcsContainer'];
const MAX_CHAIN = 50;

/**
 * INI text → sections by exact header. Maps throughout, so `__proto__` is just another name.
 * Never throws: lines outside a section, without `=`, or with an empty key are skipped.
 */
function parseIni(text: string, file: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  let keysHere = new Set<string>();
  let inSubSection = false;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    // As in the JS SDK: `#` or `;` at the start or after whitespace begins a comment.
    const line = raw.split(/(?:^|\s)[#;]/)[0].trim();
    if (line === '') continue;
    if (line.startsWith('[')) {
      inSubSection = false;
      keysHere = new Set();
      const close = line.lastIndexOf(']');
      // Python's configparser does not trim headers: `[ default ]` is not `[default]`.
      const header = close > 1 ? line.slice(1, close) : '';
      // A broken header opens no section, so its keys cannot leak into the previous one.
      current = header ? sections.get(header) : undefined;
      if (current)
        current.notes.push(`[${header}] appears more than once in the ${file} file; the AWS CLI rejects such a file`);
      else if (header) sections.set(header, (current = { values: new Map(), notes: [] }));
      continue;
    }
    // Indented lines after `key =` belong to a nested block (e.g. `s3 =`); not profile settings.
    if (inSubSection && /^[ \t]/.test(raw)) continue;
    inSubSection = false;
    const eq = line.indexOf('=');
    if (!current || eq <= 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      inSubSection = true;
      continue;
    }
    if (keysHere.has(key)) current.notes.push(`${key} is set twice in one section of the ${file} file`);
    keysHere.add(key);
    current.values.set(key, value);
  }
  return sections;
}

/** The name in `[profile NAME]` / `[sso-session NAME]`; botocore shlex-splits, so quotes are allowed. */
function sectionName(header: string, prefix: string): string | undefined {
  const m = new RegExp(`^${prefix}\\s+(.*)$`).exec(header);
  if (!m) return undefined;
  const rest = m[1].trim();
  const quoted = /^(["'])(.+)\1$/.exec(rest);
  if (quoted) return quoted[2];
  return rest && !/\s/.test(rest) ? rest : undefined; // `[profile a b]` is ignored by the CLI
}

const hasStatic = (v: Values): boolean => v.has('aws_access_key_id') || v.has('aws_secret_access_key');
const isAssumeRole = (v: Values): boolean => v.has('role_arn') && !v.has('web_identity_token_file');
const isSso = (v: Values): boolean =>
  ['sso_session', 'sso_start_url', 'sso_account_id', 'sso_role_name'].some((k) => v.has(k));
const hasCredentials = (v: Values): boolean =>
  v.has('role_arn') || isSso(v) || hasStatic(v) || v.has('credential_process') || v.has('login_session');

/** `AKIA…WXYZ`: enough to recognise a key, too little to matter; short oddities are hidden entirely. */
function maskKeyId(id: string): string {
  return id.length >= 12 ? `${id.slice(0, 4)}…${id.slice(-4)}` : '****';
}

/**
 * Problems along a `source_profile` chain, following botocore's AssumeRoleProvider: a source with
 * static keys (or one that is not itself an assume-role profile) ends the chain; revisiting a
 * profile is a loop, except a profile naming itself when it holds static keys.
 */
function chainProblems(start: string, profiles: Map<string, Values>): string[] {
  const visited = new Set([start]);
  let parent = start;
  for (;;) {
    const src = profiles.get(parent)?.get('source_profile');
    if (src === undefined || !isAssumeRole(profiles.get(parent) ?? new Map<string, string>())) return [];
    const source = profiles.get(src);
    const direct = parent === start;
    if (!source) return direct ? [`source_profile "${src}" does not exist`] : [];
    if (visited.has(src)) {
      if (src === parent && hasStatic(source)) return [];
      const path = [...visited, src];
      // Long loops are elided in the middle so the message stays readable (and small).
      return [
        `source_profile chain loops: ${(path.length > 8 ? [...path.slice(0, 3), '…', ...path.slice(-3)] : path).join(' → ')}`,
      ];
    }
    if (hasStatic(source) || !isAssumeRole(source)) {
      return direct && !hasCredentials(source) ? [`source_profile "${src}" has no credentials configured`] : [];
    }
    visited.add(src);
    parent = src;
    // Real chains are a few hops; the cap keeps hostile files (thousands of links) from going quadratic.
    if (visited.size > MAX_CHAIN) return [`source_profile chain is longer than ${MAX_CHAIN} profiles`];
  }
}

type Described = Omit<AwsProfile, 'name' | 'sources' | 'region'>;

/** Kind, detail and problems, checked in botocore's provider order (assume role first). */
function describe(v: Values, sessions: Map<string, Values>): Described {
  const problems: string[] = [];
  const roleArn = v.get('role_arn');
  if (roleArn !== undefined && v.has('web_identity_token_file')) {
    return { kind: 'webIdentity', detail: `web identity → ${roleArn}`, roleArn, problems };
  }
  if (roleArn !== undefined) {
    const sourceProfile = v.get('source_profile');
    const credentialSource = v.get('credential_source');
    const mfaSerial = v.get('mfa_serial');
    if (sourceProfile !== undefined && credentialSource !== undefined) {
      problems.push('both source_profile and credential_source are set; the AWS CLI rejects this');
    } else if (sourceProfile === undefined && credentialSource === undefined) {
      problems.push('role_arn is set without source_profile or credential_source');
    }
    if (credentialSource !== undefined && !CREDENTIAL_SOURCES.includes(credentialSource)) {
      problems.push(`credential_source "${credentialSource}" is not one of ${CREDENTIAL_SOURCES.join(', ')}`);
    }
    const via = sourceProfile ?? credentialSource;
    const detail = `assume role ${roleArn}${via === undefined ? '' : ` via ${via}`}${mfaSerial ? ' (MFA)' : ''}`;
    return { kind: 'assumeRole', detail, roleArn, sourceProfile, credentialSource, mfaSerial, problems };
  }
  if (isSso(v)) return describeSso(v, sessions);
  if (hasStatic(v)) {
    const id = v.get('aws_access_key_id');
    if (id === undefined) problems.push('aws_secret_access_key is set without aws_access_key_id');
    if (!v.has('aws_secret_access_key')) problems.push('aws_access_key_id is set without aws_secret_access_key');
    const temporary = v.has('aws_session_token') ? ' (temporary)' : '';
    return {
      kind: 'static',
      detail: `access key ${id === undefined ? '(missing)' : maskKeyId(id)}${temporary}`,
      problems,
    };
  }
  // `aws login` console sessions (2025) have no kind of their own in ProfileKind yet.
  if (v.has('login_session')) return { kind: 'unknown', detail: 'console sign-in (aws login)', problems };
  if (v.has('credential_process')) return { kind: 'process', detail: 'credential process', problems };
  if (v.has('web_identity_token_file')) problems.push('web_identity_token_file is set without role_arn');
  return { kind: 'unknown', detail: 'no credentials configured', problems };
}

/** An SSO profile: new `sso_session` format (settings shared via [sso-session]) or legacy. */
function describeSso(v: Values, sessions: Map<string, Values>): Described {
  const problems: string[] = [];
  const ssoSession = v.get('sso_session');
  const session = ssoSession === undefined ? undefined : sessions.get(ssoSession);
  if (ssoSession !== undefined && !session)
    problems.push(`sso_session "${ssoSession}" has no [sso-session ${ssoSession}] section`);
  const setting = (key: string): string | undefined => {
    const mine = v.get(key);
    const shared = session?.get(key);
    if (mine !== undefined && shared !== undefined && mine !== shared) {
      problems.push(`${key} differs between the profile and [sso-session ${ssoSession}]`);
    }
    return shared ?? mine;
  };
  const ssoStartUrl = setting('sso_start_url');
  const ssoRegion = setting('sso_region');
  const ssoAccountId = v.get('sso_account_id');
  const ssoRoleName = v.get('sso_role_name');
  const owner = session ? `[sso-session ${ssoSession}]` : 'the profile';
  for (const [key, value] of [
    ['sso_start_url', ssoStartUrl],
    ['sso_region', ssoRegion],
  ] as const) {
    if (value === undefined) problems.push(`${owner} has no ${key}`);
  }
  const missing = [ssoAccountId === undefined && 'sso_account_id', ssoRoleName === undefined && 'sso_role_name'].filter(
    Boolean,
  );
  if (missing.length) problems.push(`${missing.join(' and ')} missing, so it can sign in but not get credentials`);
  const label = ssoSession ?? hostOf(ssoStartUrl) ?? 'unknown portal';
  const target =
    ssoAccountId !== undefined || ssoRoleName !== undefined ? ` (${ssoAccountId ?? '?'} / ${ssoRoleName ?? '?'})` : '';
  return {
    kind: 'sso',
    detail: `SSO · ${label}${target}`,
    ssoSession,
    ssoStartUrl,
    ssoAccountId,
    ssoRoleName,
    problems,
  };
}

/** `https://d-123.awsapps.com/start` → `d-123.awsapps.com`, the readable part of a legacy start URL. */
function hostOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : (/^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url)?.[1] ?? url);
}

/** Drops undefined fields so results compare and serialise cleanly. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** 'default' first, then by name ignoring case (code-unit order breaks ties, so it is stable everywhere). */
function byName(a: AwsProfile, b: AwsProfile): number {
  if (a.name === 'default' || b.name === 'default') return a.name === 'default' ? (b.name === 'default' ? 0 : -1) : 1;
  const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Pure: parses the two files' contents into profiles, sorted 'default' first, then by name.
 * With `env`, credentials in AWS_ACCESS_KEY_ID add an '(environment)' profile. Never throws.
 */
export function parseProfiles(files: ProfileFiles, env?: Env): AwsProfile[] {
  const config = new Map<string, Section & { header: string }>();
  const sessions = new Map<string, Values>();
  const text = (s: unknown): string => (typeof s === 'string' ? s : ''); // callers may be untyped
  const configSections = [...parseIni(text(files.config), 'config')];
  // `[default]` first so a `[profile default]` overrides it key by key, as in the JS SDK.
  configSections.sort(([a], [b]) => Number(b === 'default') - Number(a === 'default'));
  for (const [header, section] of configSections) {
    const session = sectionName(header, 'sso-session');
    if (session !== undefined) sessions.set(session, section.values);
    const name =
      session === undefined ? (header === 'default' ? 'default' : sectionName(header, 'profile')) : undefined;
    if (name === undefined) continue; // [services x], [preview], … are not profiles
    // Both `[default]` and `[profile default]` (or `[profile a]` and `[profile "a"]`): later keys win.
    const seen = config.get(name);
    const notes = seen ? [...seen.notes, `both [${seen.header}] and [${header}] define it in the config file`] : [];
    config.set(name, {
      header,
      values: new Map([...(seen?.values ?? []), ...section.values]),
      notes: [...notes, ...section.notes],
    });
  }
  const credentials = parseIni(text(files.credentials), 'credentials');
  for (const [header, section] of credentials) {
    // The credentials file takes bare names, so `[profile x]` there is a profile called "profile x".
    if (sectionName(header, 'profile') !== undefined)
      section.notes.push('the credentials file uses [NAME], not [profile NAME]');
  }

  const merged = new Map<string, Values>();
  for (const name of new Set([...config.keys(), ...credentials.keys()])) {
    // The credentials file wins for keys set in both, as in botocore and the JS SDK.
    merged.set(name, new Map([...(config.get(name)?.values ?? []), ...(credentials.get(name)?.values ?? [])]));
  }
  const profiles: AwsProfile[] = [];
  for (const [name, values] of merged) {
    const fromConfig = config.get(name);
    const fromCredentials = credentials.get(name);
    const described = describe(values, sessions);
    profiles.push(
      compact({
        name,
        ...described,
        // Region is a config setting: the SDK prefers the config file's value for it.
        region: fromConfig?.values.get('region') ?? fromCredentials?.values.get('region'),
        sources: [...(fromConfig ? ['config' as const] : []), ...(fromCredentials ? ['credentials' as const] : [])],
        problems: [
          ...(fromConfig?.notes ?? []),
          ...(fromCredentials?.notes ?? []),
          ...described.problems,
          ...chainProblems(name, merged),
        ],
      }),
    );
  }
  const envProfile = env && environmentProfile(env);
  if (envProfile) profiles.push(envProfile);
  return profiles.sort(byName);
}

/** The '(environment)' profile when AWS_ACCESS_KEY_ID is set; the SDK chain checks it first. */
function environmentProfile(env: Env): AwsProfile | undefined {
  if (!env.AWS_ACCESS_KEY_ID) return undefined;
  return compact({
    name: ENV_PROFILE_NAME,
    kind: 'env' as const,
    detail: 'environment variables',
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    sources: [],
    problems: env.AWS_SECRET_ACCESS_KEY ? [] : ['AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY'],
  });
}

/** `~` or `~/x` → the home directory (botocore expands `~`; so does the JS SDK). */
function expandHome(path: string): string {
  return path === '~' ? homedir() : /^~[/\\]/.test(path) ? join(homedir(), path.slice(2)) : path;
}

/**
 * Where the files are: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (a leading `~` expands),
 * else ~/.aws/config and ~/.aws/credentials. Empty variables count as unset.
 */
export function profileFilePaths(env: Env = process.env): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE ? expandHome(env.AWS_CONFIG_FILE) : join(homedir(), '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE
      ? expandHome(env.AWS_SHARED_CREDENTIALS_FILE)
      : join(homedir(), '.aws', 'credentials'),
  };
}

/** A file's text; undefined when it does not exist; a problem string when it cannot be read. */
async function readIfPresent(path: string, label: string): Promise<{ text?: string; problem?: string }> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    // ENOTDIR: a parent path is a file, so this file cannot exist either.
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    const why = code === 'EISDIR' ? 'it is a directory' : (code ?? String((e as Error | undefined)?.message ?? e));
    return { problem: `Cannot read the AWS ${label} file ${path}: ${why}` };
  }
}

/** Reads both files (a missing one is fine; an unreadable one becomes a problem) and parses them. */
export async function loadProfiles(
  env: Env = process.env,
): Promise<{ profiles: AwsProfile[]; problems: string[]; paths: { config: string; credentials: string } }> {
  const paths = profileFilePaths(env);
  const [config, credentials] = await Promise.all([
    readIfPresent(paths.config, 'config'),
    readIfPresent(paths.credentials, 'credentials'),
  ]);
  const problems = [config.problem, credentials.problem].filter((p): p is string => p !== undefined);
  return { profiles: parseProfiles({ config: config.text, credentials: credentials.text }, env), problems, paths };
}

/**
 * The profile AWS_PROFILE selects, else AWS_DEFAULT_PROFILE, else 'default'. (The JS SDK reads only
 * AWS_PROFILE; botocore also reads AWS_DEFAULT_PROFILE, and checks it first.)
 */
export function activeProfileName(env: Env = process.env): string {
  return env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
}
