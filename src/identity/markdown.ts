/**
 * The identity documents as Markdown: the access-key report, and the notes that go with a
 * least-privilege draft (denied calls, events that are no IAM action, why the draft is what it
 * is). Pure text (no `vscode`), so it is unit-tested. Every value comes from events: it is
 * written as code, never as Markdown, and hidden characters are made visible.
 */
import { codeSpan } from '../core/model/markdown';
import { formatUtc } from '../core/model/time';
import type { Count, KeyReport } from '../core/investigate/identity/keyReport';
import { policyServices, type PolicyDraft } from '../core/investigate/identity/policy';
import { fieldTerm } from '../core/query/query';

/** Longest value written into a document: an event can hold megabytes in one string. */
const MAX_VALUE = 300;

/** Event text inline, as code (tables and all: pipes are escaped), cut to MAX_VALUE characters. */
export function code(text: string): string {
  return codeSpan(text, { max: MAX_VALUE, inTable: true });
}

const when = (ms: number): string => (Number.isNaN(ms) ? '(no time)' : formatUtc(ms));
const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

function counts(title: string, list: readonly Count[], total: number): string[] {
  if (list.length === 0) return [];
  return [
    `## ${title}`,
    '',
    ...table(
      ['Value', 'Events', 'Share'],
      list.map((c) => [
        code(c.value),
        c.count.toLocaleString('en-US'),
        `${total ? ((100 * c.count) / total).toFixed(1) : '0'} %`,
      ]),
    ),
  ];
}

const KIND_TEXT: Record<KeyReport['kind'], string> = {
  longTerm: 'Long-term access key (`AKIA…`): an IAM user\u2019s or root\u2019s.',
  temporary: 'Temporary credentials (`ASIA…`): minted by STS or an AWS service, valid for hours.',
  other: 'Not an AWS access key id format.',
};

/** The access-key report as a Markdown document. */
export function keyReportMarkdown(r: KeyReport, view: string): string {
  const out: string[] = [
    `# Access key ${code(r.key)}`,
    '',
    KIND_TEXT[r.kind],
    '',
    `From the events loaded in ${code(view)}. In the log view: ${code(fieldTerm('accessKey', r.key))} shows its events, ${code(`issuedBy:${r.key}`)} the events of the sessions minted from it.`,
    '',
  ];
  out.push('## Summary', '');
  out.push(
    `- **Events:** ${r.events.toLocaleString('en-US')}, ${plural(r.errors, 'error')} (error rate ${(100 * r.errorRate).toFixed(1)} %)`,
  );
  out.push(`- **First seen:** ${when(r.firstSeen)}`, `- **Last seen:** ${when(r.lastSeen)}`);
  if (r.mintedBy) {
    const h = r.mintedBy;
    out.push(
      `- **Minted by:** ${code(h.eventName)} at ${when(h.time)} from ${code(h.sourceIp)}, with key ${code(h.callerKey)}${h.crossAccount ? ' (**cross-account**)' : ''}, as ${code(h.identity)}`,
    );
  } else if (r.kind === 'temporary') out.push('- **Minted by:** the call that minted it is not loaded.');
  out.push(`- **Sessions minted with it:** ${r.sessions.length.toLocaleString('en-US')}`, '');
  out.push('## Life of the key', '');
  if (r.life.length === 0)
    out.push(
      r.kind === 'longTerm'
        ? 'No CreateAccessKey, UpdateAccessKey or DeleteAccessKey call naming it is loaded.'
        : 'Temporary keys are not created or deleted through IAM.',
      '',
    );
  else
    out.push(
      ...table(
        ['When (UTC)', 'Call', 'By', 'User', 'Status', 'Error'],
        r.life.map((l) => [
          when(l.time),
          code(l.eventName),
          code(l.by),
          code(l.userName),
          l.status ? code(l.status) : '',
          l.errorCode ? code(l.errorCode) : '',
        ]),
      ),
    );
  out.push(...counts('Source IPs', r.sourceIps, r.events));
  out.push(...counts('User agents', r.userAgents, r.events));
  out.push(...counts('Services', r.eventSources, r.events));
  out.push(...counts('Event names', r.eventNames, r.events));
  out.push(...counts('Principals', r.principals, r.events));
  out.push(...counts('Error codes', r.errorCodes, r.events));
  if (r.sessions.length > 0) {
    out.push('## Sessions minted with this key', '');
    out.push(
      ...table(
        ['When (UTC)', 'Call', 'Identity', 'Key minted', 'Its events'],
        r.sessions.map((s) => [
          when(s.time),
          code(s.eventName),
          code(s.identity),
          code(s.key),
          s.events.toLocaleString('en-US'),
        ]),
      ),
    );
  }
  if (r.events === 0 && r.life.length === 0 && !r.mintedBy) out.push('_No loaded event mentions this key._', '');
  return out.join('\n');
}

/** The notes that go with a policy draft (the JSON document holds only the policy). */
export function policyNotesMarkdown(d: PolicyDraft & { scope: string }, view: string): string {
  const out: string[] = ['# Least-privilege draft: notes', ''];
  // The scope quotes searches and principal names: code, like every value from the events.
  out.push(`Drafted from ${plural(d.events, 'event')} of ${code(view)}: ${code(d.scope)}.`, '');
  const services = policyServices(d.policy);
  out.push(
    `The policy (the JSON document beside this one) allows ${plural(
      d.policy.Statement.reduce((n, s) => n + s.Action.length, 0),
      'action',
    )} of ${plural(services.length, 'service')} in ${plural(d.policy.Statement.length, 'statement')}.`,
    '',
  );
  out.push(
    '**A draft, to review before use.** Logs cannot show conditions, permissions a call needs without logging them (such as `iam:PassRole` when launching things), or resources that events do not name.',
    '',
  );
  if (d.notes.length > 0) out.push('## Why the draft is what it is', '', ...d.notes.map((n) => `- ${code(n)}`), '');
  out.push('## Denied calls (granted nothing)', '');
  if (d.denied.length === 0) out.push('None: no call in these events was refused.', '');
  else
    out.push(
      ...table(
        ['Action', 'Event', 'Calls', 'Error codes'],
        d.denied.map((x) => [
          code(x.action),
          code(`${x.eventSource} ${x.eventName}`),
          x.count.toLocaleString('en-US'),
          x.errorCodes.map(code).join(', '),
        ]),
      ),
    );
  out.push('## Events that are no IAM action', '');
  if (d.unmapped.length === 0) out.push('None.', '');
  else
    out.push(
      ...table(
        ['Event source', 'Event', 'Events', 'Why'],
        d.unmapped.map((u) => [
          code(u.eventSource),
          code(u.eventName),
          u.count.toLocaleString('en-US'),
          code(u.reason),
        ]),
      ),
    );
  return out.join('\n');
}
