/**
 * End to end, as a user: a folder of community Sigma rules (the ten SigmaHQ CloudTrail rules in
 * ../shared/samples, plus one that uses a modifier CloudTrail Lens does not support) configured as
 * the detections folder, their rules in the panel beside the built-in ones, firing on the real
 * invictus logs, a Sigma rule's details (author, MITRE, false positives, references), and one
 * exported as an alert into a Markdown document — in a real VS Code in Chromium, with screenshots.
 * The shipped SigmaHQ pack runs too: its rules beside ours (the folder's copies replace theirs),
 * its one unreadable rule named with the reason, a pack rule's details with its licence, and a newer
 * pack imported from a release .zip (Import SigmaHQ Rules…) replacing it in the open view.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import type { Page } from 'playwright-core';
import { samplesDir } from '../builders/events';
import { runCommand, screenshot } from '../support/browser';
import { FIXTURE, makeFixtureWorkspace } from '../support/fixtures';
import { repoRoot } from '../support/repoRoot';
import { zipOf } from '../support/zipWriter';
import {
  logViewer,
  openFromContextMenu,
  step,
  toggleTheme,
  UI_TIMEOUT as T,
  workbenchSuite,
} from '../support/workbench';

let page: Page;
let workspace = '';
const current = (): Page | undefined => page;

/** The rule that fires on the invictus run: six security-group changes by bert-jan. */
const SG_RULE = 'aws_cloudtrail_security_group_change_ingress_egress';
/** A rule of the shipped SigmaHQ pack (not in the sample folder): the two backdoor access keys. */
const PACK_RULE = 'aws_iam_backdoor_users_keys';

function writeSigmaFolder(root: string): number {
  const from = join(samplesDir(), 'sigma-cloudtrail');
  const to = join(root, 'sigma');
  mkdirSync(to, { recursive: true });
  const rules = readdirSync(from).filter((f) => f.endsWith('.yml'));
  for (const f of rules) copyFileSync(join(from, f), join(to, f));
  writeFileSync(
    join(to, 'encoded_command.yml'),
    [
      'title: Encoded command',
      'id: 11111111-2222-3333-4444-555555555555',
      'logsource:',
      '  product: aws',
      '  service: cloudtrail',
      'detection:',
      '  selection:',
      '    requestParameters.command|base64offset|contains: whoami',
      '  condition: selection',
      'level: high',
      '',
    ].join('\n'),
  );
  mkdirSync(join(root, '.vscode'), { recursive: true });
  writeFileSync(join(root, '.vscode', 'settings.json'), JSON.stringify({ 'cloudtrailLens.detectionsFolder': 'sigma' }));
  return rules.length;
}

describe('Sigma rules and alert export in a real VS Code', { timeout: 240_000 }, () => {
  let sigmaRules = 0;
  workbenchSuite(
    () => {
      workspace = makeFixtureWorkspace();
      sigmaRules = writeSigmaFolder(workspace);
      return { workspace, cleanup: () => rmSync(workspace, { recursive: true, force: true }) };
    },
    (s) => void (page = s.page),
  );

  step(
    'the Sigma folder loads beside the built-in rules; the unsupported one is named with its construct',
    'sigma-panel',
    current,
    async () => {
      assert.equal(sigmaRules, 10);
      await openFromContextMenu(page, FIXTURE.folder);
      const v = await logViewer(page);
      await v.locator('.counts', { hasText: '2,900 events' }).waitFor({ timeout: 60_000 });
      const summary = v.locator('.side-section summary', { hasText: /^Detections: \d+ of \d+ fired$/ });
      await summary.waitFor({ timeout: 60_000 });
      // Every sample Sigma rule is a detection, beside the built-in ones and the SigmaHQ pack's 56
      // readable rules (the sample folder's ten are SigmaHQ's too: each replaces the pack's copy).
      const [, , total] = /^Detections: (\d+) of (\d+) fired$/.exec((await summary.textContent())!)!.map(Number);
      const builtIn = readdirSync(join(repoRoot(), 'detections')).filter((f) => f.endsWith('.json')).length;
      assert.equal(total, builtIn + 56);
      assert.equal(await v.locator('.detection').count(), total);
      for (const f of [
        'aws_console_getsignintoken',
        'aws_sts_getsessiontoken_misuse',
        'aws_rds_change_master_password',
      ]) {
        assert.equal(await v.locator(`.detection[data-id="${f}"]`).count(), 1, `${f} is loaded`);
      }
      const problems = (await v.locator('.side-problem').allTextContents()).join('\n');
      assert.match(problems, /encoded_command\.yml: .*base64offset/);
      assert.match(
        problems,
        /SigmaHQ pack: aws_delete_saml_provider\.yml: selection\.status: "status" is not a CloudTrail field/,
      );
      assert.match(problems, new RegExp(`${SG_RULE}\\.yml replaces the built-in rule ${SG_RULE}`));
      const sg = v.locator(`.detection[data-id="${SG_RULE}"]`);
      assert.equal(await sg.locator('.side-label').textContent(), 'Ingress/Egress Security Group Modification');
      assert.equal(Number(await sg.locator('.side-count').textContent()), 6);
      assert.equal(await sg.isDisabled(), false);
    },
  );

  step(
    "a Sigma rule's details: level, author, MITRE ATT&CK, false positives, references and its compiled query",
    'sigma-details',
    current,
    async () => {
      const v = await logViewer(page);
      const row = v.locator(`.detection-row[data-id="${SG_RULE}"]`);
      await row.locator('.detection-toggle').click();
      const details = row.locator('.detection-details');
      await details.waitFor({ timeout: T });
      const facts = Object.fromEntries(
        await details
          .locator('dt')
          .evaluateAll((dts) => dts.map((dt) => [dt.textContent, (dt.nextElementSibling as HTMLElement).textContent])),
      ) as Record<string, string>;
      assert.equal(facts['Source'], `${SG_RULE}.yml (Sigma rule)`);
      assert.equal(facts['Sigma id'], '6fb77778-040f-4015-9440-572aa9b6b580');
      assert.match(facts['Author'], /jamesc-grafana/);
      assert.equal(facts['MITRE ATT&CK'], 'T1190');
      assert.equal(facts['Tactic'], 'initial-access');
      assert.match(facts['Severity'], /^medium/);
      assert.match(facts['False positives'], /Administrators closing unused ports/);
      assert.match(facts['References'], /gorillastack\.com/);
      assert.match(facts['Matches'], /eventSource:ec2\.amazonaws\.com/);
      assert.match(facts['Matches'], /AuthorizeSecurityGroupIngress/);
      await row.scrollIntoViewIfNeeded();
      await screenshot(page, '50-sigma-details-dark');
      // Its events: exactly the six security-group changes.
      await row.locator('.detection-actions button', { hasText: 'Show events' }).click();
      await v.locator(`.grid[data-query="detection:${SG_RULE}"]`).waitFor({ timeout: T });
      assert.match((await v.locator('.counts').textContent()) ?? '', /^6 of 2,900/);
      const names = new Set(
        (await v.locator('.spacer .row:not(.placeholder) .c-eventName').allTextContents()).map((n) =>
          n.replace(/^write/, ''),
        ),
      );
      assert.deepEqual([...names].sort(), [
        'AuthorizeSecurityGroupEgress',
        'AuthorizeSecurityGroupIngress',
        'RevokeSecurityGroupEgress',
        'RevokeSecurityGroupIngress',
      ]);
      await toggleTheme(page, 'light');
      await screenshot(page, '51-sigma-details-light');
      await toggleTheme(page, 'dark');
    },
  );

  step(
    "a SigmaHQ pack rule's details: the pack, its licence and commit, the rule's author, id and references",
    'sigma-pack-details',
    current,
    async () => {
      const v = await logViewer(page);
      await v.locator('input.search').fill('');
      const row = v.locator(`.detection-row[data-id="${PACK_RULE}"]`);
      assert.equal(Number(await row.locator('.side-count').textContent()), 2);
      await row.locator('.detection-toggle').click();
      const details = row.locator('.detection-details');
      await details.waitFor({ timeout: T });
      const facts = Object.fromEntries(
        await details
          .locator('dt')
          .evaluateAll((dts) => dts.map((dt) => [dt.textContent, (dt.nextElementSibling as HTMLElement).textContent])),
      ) as Record<string, string>;
      assert.equal(
        facts['Source'],
        `SigmaHQ pack 8eaafff1f284, Detection Rule License (DRL) 1.1: ${PACK_RULE}.yml (Sigma rule)`,
      );
      assert.equal(facts['Sigma id'], '0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2');
      assert.match(facts['Author'], /faloker/);
      assert.match(facts['References'], /github\.com\/RhinoSecurityLabs\/pacu/);
      await row.scrollIntoViewIfNeeded();
      await screenshot(page, '54-sigma-pack-details-dark');
      await toggleTheme(page, 'light');
      await row.scrollIntoViewIfNeeded();
      await screenshot(page, '55-sigma-pack-details-light');
      await toggleTheme(page, 'dark');
      await row.locator('.detection-toggle').click();
    },
  );

  step(
    'Export as alert… opens the metric filter, alarm and EventBridge rule as a Markdown document',
    'sigma-export',
    current,
    async () => {
      const v = await logViewer(page);
      await v
        .locator(`.detection-row[data-id="${SG_RULE}"] .detection-actions button`, { hasText: 'Export as alert…' })
        .click();
      // An untitled document's tab is named by (the start of) its first line.
      const tab = page.locator('.tabs-container .tab.active', { hasText: '# Alerts for `Ingress/Egress' });
      await tab.waitFor({ timeout: T });
      const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
      await editor
        .locator('.view-line', { hasText: 'Ingress/Egress Security Group Modification' })
        .first()
        .waitFor({ timeout: T });
      const text = (await editor.textContent()) ?? '';
      assert.match(text, /CloudWatch|metric filter/i);
      await screenshot(page, '52-sigma-alert-export');
      // Further down: the CLI commands and the EventBridge rule.
      await page.keyboard.press('Control+End');
      await page
        .locator('.editor-instance .monaco-editor .view-line', {
          hasText: /aws events put-rule|put-targets|EventPattern/,
        })
        .first()
        .waitFor({ timeout: T });
      await screenshot(page, '53-sigma-alert-export-end');
    },
  );

  step(
    'Import SigmaHQ Rules… from a release .zip: the new pack replaces the shipped one, a traversal name refused',
    'sigma-import',
    current,
    async () => {
      // A release-shaped archive: two CloudTrail rules (one new), a Windows rule, a name climbing out.
      const shipped = readFileSync(join(repoRoot(), 'detections/sigmahq/rules/aws_enum_buckets.yml'), 'utf8');
      const fresh = shipped
        .replace(/^title: .*$/m, 'title: Imported test rule')
        .replace(/^id: .*$/m, 'id: 11111111-2222-4333-8444-555555555555');
      const archive = join(workspace, 'sigma_all_rules.zip');
      writeFileSync(
        archive,
        zipOf([
          { name: 'rules/cloud/aws/cloudtrail/aws_enum_buckets.yml', data: shipped },
          { name: 'rules/cloud/aws/cloudtrail/aws_imported_test.yml', data: fresh },
          { name: 'rules/windows/process_creation/win_x.yml', data: 'title: windows' },
          { name: '../rules/cloud/aws/cloudtrail/evil.yml', data: fresh },
        ]),
      );
      await runCommand(page, 'CloudTrail: Import SigmaHQ Rules…');
      const quick = page.locator('.quick-input-widget');
      await quick
        .locator('.quick-input-list .monaco-list-row', { hasText: 'From a release archive (.zip)…' })
        .first()
        .click({ timeout: T });
      // code-server's own file dialog opens on the workspace folder: pick the archive, then Import.
      await quick
        .locator('.quick-input-list .monaco-list-row', { hasText: 'sigma_all_rules.zip' })
        .first()
        .click({ timeout: T });
      const importButton = quick.locator('.quick-input-action a, .monaco-button', { hasText: 'Import' }).first();
      if (await quick.isVisible())
        await importButton.click({ timeout: 5000 }).catch(() => page.keyboard.press('Enter'));
      const toast = page.locator('.notifications-toasts .notification-toast', {
        hasText: 'Imported 2 SigmaHQ CloudTrail rules',
      });
      await toast.waitFor({ timeout: 60_000 });
      assert.match((await toast.textContent()) ?? '', /1 archive members were not read/);
      await screenshot(page, '56-sigma-import');
      // The open view re-runs its detections with the imported pack in place of the shipped one.
      await page.locator('.tabs-container .tab', { hasText: 'AWSLogs' }).first().click();
      const v = await logViewer(page);
      const builtIn = readdirSync(join(repoRoot(), 'detections')).filter((f) => f.endsWith('.json')).length;
      await v
        .locator('.side-section summary', {
          hasText: new RegExp(`^Detections: \\d+ of ${builtIn + 2 + sigmaRules} fired$`),
        })
        .waitFor({ timeout: 60_000 });
      assert.equal(await v.locator('.detection[data-id="aws_imported_test"]').count(), 1, 'the new rule runs');
      assert.equal(await v.locator(`.detection[data-id="${PACK_RULE}"]`).count(), 0, 'the shipped pack is replaced');
      assert.equal(Number(await v.locator('.detection[data-id="aws_imported_test"] .side-count').textContent()), 3);
    },
  );
});
