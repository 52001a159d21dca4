/**
 * Rule packs: third-party Sigma rule sets shipped beside our own library and shown apart from it
 * (README "Detections", "The SigmaHQ pack"). Today one pack, SigmaHQ's CloudTrail rules under the
 * Detection Rule License 1.1: each rule keeps its author, id and references (the licence's
 * conditions), and the pack's source and licence travel with every rule so the panel can say
 * where it comes from. A rule of the pack that cannot be read as written is refused with its
 * reason, never approximated; the others load.
 */
import { parseSigmaFile, type DetectionRule, type RuleFile } from './rules';

/** Where a pack's rules come from, carried by each of its rules. */
export interface RulePack {
  /** The pack's name as the panel shows it ("SigmaHQ"). */
  name: string;
  /** The licence the rules are under, by name. */
  license: string;
  /** The release or commit the rules were taken from, and its date (YYYY-MM-DD), when known. */
  version?: string;
  date?: string;
  /** Where the shipped copy lives, or the folder or archive it was imported from. */
  from: 'shipped' | 'imported';
}

/** The pack of SigmaHQ's CloudTrail rules. */
export const SIGMAHQ = { name: 'SigmaHQ', license: 'Detection Rule License (DRL) 1.1' } as const;

export interface PackRules {
  pack: RulePack;
  rules: DetectionRule[];
  /** Rules of the pack left out, each with why. */
  refused: Array<{ file: string; problems: string[] }>;
}

/**
 * Reads a pack's Sigma files (`.yml`/`.yaml`; others are skipped). Each rule is marked with the
 * pack; ids come from file names as for any Sigma file, and a repeated id keeps the first.
 */
export function loadPack(
  files: readonly RuleFile[],
  pack: RulePack,
  origin: DetectionRule['origin'] = 'built-in',
): PackRules {
  const out: PackRules = { pack, rules: [], refused: [] };
  const seen = new Set<string>();
  for (const f of [...files]
    .filter((x) => /\.ya?ml$/i.test(x.name))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))) {
    const { rule, problems } = parseSigmaFile(f.text, f.name, origin);
    if (!rule) {
      out.refused.push({ file: f.name, problems });
      continue;
    }
    if (seen.has(rule.id.toLowerCase())) {
      out.refused.push({
        file: f.name,
        problems: [`The id "${rule.id}" is already used by another file of the pack; this one was left out.`],
      });
      continue;
    }
    seen.add(rule.id.toLowerCase());
    out.rules.push({ ...rule, pack });
  }
  return out;
}

/**
 * A pack's README names its source; `version` and `date` are read from its "Commit:" and
 * "Date:" lines (as detections/sigmahq/README.md and an imported pack's note write them).
 */
export function packVersion(readme: string): { version?: string; date?: string } {
  const version = /^\s*[-*]?\s*Commit:\s*`?([0-9a-f]{7,40}|r\d{4}-\d{2}-\d{2}[\w.-]*)`?/im.exec(readme)?.[1];
  const date = /^\s*[-*]?\s*Date:\s*(\d{4}-\d{2}-\d{2})/im.exec(readme)?.[1];
  return { version, date };
}

/**
 * Whether a path inside a SigmaHQ checkout or release archive is one of its CloudTrail rules:
 * `…/cloud/aws/cloudtrail/<name>.yml` (rules/, rules-emerging-threats/ and the like), or a
 * `.yml` at the top of a folder that is itself the cloudtrail folder.
 */
export function isPackRulePath(path: string, folderIsCloudTrail = false): boolean {
  const p = path.replace(/\\/g, '/');
  if (!/\.ya?ml$/i.test(p)) return false;
  if (/(^|\/)(deprecated|unsupported|tests?|regression_data)\//i.test(p)) return false;
  return /(^|\/)cloud\/aws\/cloudtrail\/[^/]+$/i.test(p) || (folderIsCloudTrail && !p.includes('/'));
}

/** The README an imported pack is stored with: where it came from and when (packVersion reads it back). */
export function importedPackReadme(source: string, loaded: number, refused: PackRules['refused'], when: Date): string {
  const lines = [
    '# SigmaHQ CloudTrail rules (imported)',
    '',
    `- Source: ${source}`,
    `- Date: ${when.toISOString().slice(0, 10)}`,
    `- Licence: ${SIGMAHQ.license} (the text ships with the extension, detections/sigmahq/LICENSE.Detection.Rules.md)`,
    `- Rules: ${loaded} loaded, ${refused.length} refused`,
    '',
    ...refused.map((r) => `- ${r.file}: ${r.problems.join(' ')}`),
  ];
  return `${lines.join('\n')}\n`;
}
