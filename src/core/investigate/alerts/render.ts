/**
 * An alert export as a Markdown document for the editor: what the alert matches differently from
 * the rule first (grouped: more, fewer, either way), then the patterns, the CloudFormation
 * templates and the CLI commands in fenced blocks.
 */
import { codeFence as fence, codeSpan as code } from '../../model/markdown';
import type { AlertExport } from './export';
import type { Difference, Direction } from './model';

const HEADINGS: Record<Direction, string> = {
  more: 'Matches **more** events than the rule',
  fewer: 'Matches **fewer** events than the rule',
  both: 'Matches differently (more or fewer)',
};

function differences(list: readonly Difference[]): string[] {
  if (list.length === 0) return ['The alert matches exactly the events the rule matches.', ''];
  const out: string[] = [];
  for (const dir of ['more', 'fewer', 'both'] as const) {
    const these = list.filter((d) => d.direction === dir);
    if (these.length === 0) continue;
    out.push(`${HEADINGS[dir]}:`, '');
    for (const t of [...new Set(these.map((d) => d.text))]) out.push(`- ${t.replace(/[\r\n]+/g, ' ')}`);
    out.push('');
  }
  return out;
}

/** How to deploy one of the two: its CloudFormation template, then the same as AWS CLI commands. */
function deployment(d: { cloudFormation: string; cli: string }): string[] {
  return ['### CloudFormation', '', fence(d.cloudFormation, 'json'), '', '### AWS CLI', '', fence(d.cli, 'sh'), ''];
}

/** The whole export as Markdown. */
export function renderAlertExport(e: AlertExport): string {
  const mf = e.metricFilter;
  const eb = e.eventBridge;
  const lines = [
    `# Alerts for ${code(e.rule.title)}`,
    '',
    `Detection ${code(e.rule.id)} (${e.rule.severity}); ${e.rule.query.length === 1 ? 'query' : 'queries (any may match)'}:`,
    '',
    ...e.rule.query.map((q) => `- ${code(q)}`),
    '',
    '## CloudWatch Logs metric filter and alarm',
    '',
    ...differences(mf.differences),
    ...mf.notes.map((n) => `- ${n}`),
    '',
    ...(mf.patterns.length === 0
      ? [
          '**No metric filter can be written for this rule** (see above); the template and commands below hold only the alarm.',
          '',
        ]
      : []),
    ...mf.patterns.flatMap((p, i) => [
      `Filter pattern${mf.patterns.length > 1 ? ` ${i + 1}` : ''} (${p.length} characters):`,
      '',
      fence(p || '(empty: every event)', ''),
      '',
    ]),
    `Metric ${code(`${mf.namespace}/${mf.metricName}`)}, value 1 per matching event; alarm: Sum ≥ ${mf.alarm.threshold} in ${mf.alarm.period / 60} minute(s).`,
    '',
    ...deployment(mf),
    '## EventBridge rule',
    '',
    ...differences(eb.differences),
    ...eb.notes.map((n) => `- ${n}`),
    '',
    'Event pattern:',
    '',
    fence(JSON.stringify(eb.pattern, null, 2), 'json'),
    '',
    ...deployment(eb),
  ];
  return lines.join('\n');
}
