/**
 * The SigmaHQ pack shipped in detections/sigmahq: every rule read as written or refused with its
 * reason, each keeping what the Detection Rule License asks (author, id, references), shown apart
 * from our own rules, and run over the Stratus Red Team sample through the real engine.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Investigation } from '../../../src/core/engine/investigation';
import { readZip } from '../../../src/core/ingest/zipArchive';
import {
  importedPackReadme,
  isPackRulePath,
  loadPack,
  packVersion,
  SIGMAHQ,
} from '../../../src/core/investigate/detections/pack';
import { loadRules } from '../../../src/core/investigate/detections/rules';
import { runDetections } from '../../../src/core/investigate/detections/run';
import { detectionSummary } from '../../../src/core/investigate/detections/summary';
import { samplesDir } from '../../builders/events';
import { loadFolder } from '../../support/loadFolder';
import { repoRoot } from '../../support/repoRoot';
import { builtInRuleFiles } from '../../support/ruleLibrary';
import { zipOf } from '../../support/zipWriter';

const dir = join(repoRoot(), 'detections/sigmahq');
const files = readdirSync(join(dir, 'rules')).map((name) => ({
  name,
  text: readFileSync(join(dir, 'rules', name), 'utf8'),
}));
const meta = packVersion(readFileSync(join(dir, 'README.md'), 'utf8'));
const pack = loadPack(files, { ...SIGMAHQ, ...meta, from: 'shipped' });

describe('the SigmaHQ pack', () => {
  test('ships its licence and names its source commit and date', () => {
    assert.match(
      readFileSync(join(dir, 'LICENSE.Detection.Rules.md'), 'utf8'),
      /^# Detection Rule License \(DRL\) 1\.1/,
    );
    assert.deepEqual(meta, { version: '8eaafff1f2845a696050e05e72ba1140ee190698', date: '2026-08-05' });
    assert.ok(
      existsSync(join(repoRoot(), '.vscodeignore')) &&
        /^!detections\/\*\*$/m.test(readFileSync(join(repoRoot(), '.vscodeignore'), 'utf8')),
      'the VSIX ships detections/ with the pack and its licence',
    );
  });

  test('56 of the 57 rules load; the one that cannot be read as written is refused with the reason', () => {
    assert.equal(files.length, 57);
    assert.equal(pack.rules.length, 56);
    assert.deepEqual(
      pack.refused.map((r) => r.file),
      ['aws_delete_saml_provider.yml'],
    );
    assert.match(pack.refused[0].problems.join(), /selection\.status: "status" is not a CloudTrail field/);
  });

  test("every rule keeps its author, Sigma id and references, and says it is the pack's", () => {
    for (const r of pack.rules) {
      const text = files.find((f) => f.name === r.file)!.text;
      assert.ok(r.author && text.includes(r.author.split(',')[0].trim()), `${r.file}: author`);
      assert.ok(r.sigmaId && text.includes(`id: ${r.sigmaId}`), `${r.file}: id`);
      for (const ref of r.references) assert.ok(text.includes(ref), `${r.file}: ${ref}`);
      assert.equal(r.pack?.name, 'SigmaHQ');
      assert.match(
        detectionSummary(r, 0).source,
        /^SigmaHQ pack 8eaafff1f284, Detection Rule License \(DRL\) 1\.1: aws_.*\.yml$/,
      );
    }
  });

  test('in the library: after our rules, refused files listed under the pack, ours win an id clash', () => {
    const lib = loadRules(builtInRuleFiles(), [], pack);
    const ours = lib.rules.filter((r) => !r.pack).length;
    assert.equal(lib.rules.length, ours + 56);
    assert.ok(
      lib.rules.slice(ours).every((r) => r.pack),
      'the pack comes after our rules',
    );
    assert.deepEqual(
      lib.problems.map((p) => [p.file, p.pack]),
      [['aws_delete_saml_provider.yml', 'SigmaHQ']],
    );
    const clash = loadRules(
      [
        {
          name: 'aws_enum_buckets.json',
          text: JSON.stringify({ id: 'aws_enum_buckets', title: 'x', severity: 'low', query: 'eventName:ListBuckets' }),
        },
      ],
      [],
      pack,
    );
    assert.equal(clash.rules.find((r) => r.id === 'aws_enum_buckets')?.pack, undefined);
    assert.match(clash.problems.map((p) => p.problems.join()).join(), /already used by a built-in rule/);
  });

  test('over the Stratus Red Team run (counts checked with jq)', async () => {
    const inv = new Investigation();
    await loadFolder((l, r) => inv.addFile(l, r), join(samplesDir(), 'invictus-ir_aws_dataset/CloudTrail'));
    const results = await runDetections(inv.engine, inv.store, pack.rules);
    assert.ok(results.every((r) => r.errors.length === 0));
    assert.deepEqual(Object.fromEntries(results.filter((r) => r.count > 0).map((r) => [r.rule.id, r.count])), {
      aws_cloudtrail_bucket_deleted: 5,
      aws_cloudtrail_console_login_success_without_mfa: 1,
      aws_cloudtrail_disable_logging: 6, // StopLogging 3 + DeleteTrail 3 (UpdateTrail none)
      aws_cloudtrail_new_route_added: 6,
      aws_cloudtrail_security_group_change_ingress_egress: 6,
      aws_cloudtrail_ssm_malicious_usage: 1, // the SendCommand without an error
      aws_cloudtrail_vpc_flow_logs_deleted: 1,
      aws_enum_buckets: 3,
      aws_iam_backdoor_users_keys: 2,
      aws_snapshot_backup_exfiltration: 2,
      aws_sts_assumerole_misuse: 76, // every AssumedRole event: the rule's own false positive note
    });
  });
});

describe('importing a newer pack (the core half of Import SigmaHQ Rules…)', () => {
  test('a release archive: its CloudTrail rules taken, the rest of SigmaHQ and unsafe names left, the note read back', async () => {
    const good = files.find((f) => f.name === 'aws_enum_buckets.yml')!.text;
    const zip = zipOf([
      { name: 'sigma/rules/cloud/aws/cloudtrail/aws_enum_buckets.yml', data: good },
      {
        name: 'sigma/rules-emerging-threats/cloud/aws/cloudtrail/new_rule.yml',
        data: good.replace(/^id: .*$/m, 'id: 11111111-2222-4333-8444-555555555555'),
      },
      { name: 'sigma/rules/cloud/aws/cloudtrail/broken.yml', data: 'title: x\ndetection: [' },
      { name: 'sigma/rules/windows/process_creation/proc_creation_win_x.yml', data: 'title: windows' },
      { name: 'sigma/deprecated/cloud/aws/cloudtrail/old.yml', data: good },
      { name: '../cloud/aws/cloudtrail/evil.yml', data: good },
    ]);
    const taken: Array<{ name: string; text: string }> = [];
    const problems = await readZip(
      zip,
      (m) => void taken.push({ name: m.name.split('/').pop()!, text: Buffer.from(m.bytes).toString() }),
      { accept: (n) => isPackRulePath(n) },
    );
    assert.deepEqual(
      taken.map((t) => t.name),
      ['aws_enum_buckets.yml', 'new_rule.yml', 'broken.yml'],
    );
    assert.deepEqual(
      problems.map((p) => p.name),
      ['../cloud/aws/cloudtrail/evil.yml'],
    );
    const imported = loadPack(taken, { ...SIGMAHQ, from: 'imported' });
    assert.deepEqual(
      imported.rules.map((r) => r.id),
      ['aws_enum_buckets', 'new_rule'],
    );
    assert.deepEqual(
      imported.refused.map((r) => r.file),
      ['broken.yml'],
    );
    const readme = importedPackReadme(
      '/tmp/sigma_all_rules.zip',
      2,
      imported.refused,
      new Date('2026-12-07T06:00:00Z'),
    );
    assert.match(readme, /- Source: \/tmp\/sigma_all_rules\.zip\n- Date: 2026-12-07\n/);
    assert.match(readme, /- broken\.yml: /);
    assert.deepEqual(packVersion(readme), { version: undefined, date: '2026-12-07' });
    assert.equal(isPackRulePath('aws_x.yml', true), true, 'the cloudtrail folder itself');
    assert.equal(isPackRulePath('aws_x.yml'), false);
    assert.equal(isPackRulePath('rules/cloud/aws/cloudtrail/README.md'), false);
  });
});
