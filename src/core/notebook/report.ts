/**
 * A notebook as a report someone else can read and check (README "Notebooks", Export report):
 * its notes and searches with their counts and first rows, then the provenance of the evidence —
 * every log file the searches read, its SHA-256, and the integrity verdict from CloudTrail's
 * digest chain where digests were there to check it against.
 *
 * Two forms: Markdown, and one self-contained HTML file with no script at all (a CSP that allows
 * none, inline styles only). Everything from the logs and the notebook is escaped for the form it
 * goes into: event values are attacker-controlled, and a report is opened by someone else.
 */
import { sha256Hex } from '../integrity/digest';
import type { Verdict } from '../integrity/report';
import type { Notebook, QueryOutput } from './notebookFile';
import { htmlHead, htmlText } from '../model/html';

/** One log file behind the report's searches. */
export interface EvidenceFile {
  /** Where it is, as the reader would find it (relative to the notebook, or an S3 URL). */
  location: string;
  bytes: number;
  sha256: string;
  /** The digest chain's verdict on this file, or undefined when no digest covers it. */
  verdict?: Verdict;
  /** Why, in words (the integrity finding's reason, or why nothing could be checked). */
  reason: string;
}

export interface ReportInput {
  title: string;
  notebook: Notebook;
  /** The notebook file the report was made from (relative path). */
  notebookLocation: string;
  evidence: EvidenceFile[];
  /** Lines about the integrity check as a whole (the validation's summary, what it could not check). */
  integrity: string[];
  generatedAt: string;
}

/** A file's evidence entry from its bytes (the hash is computed here, on exactly what was read). */
export function evidenceOf(
  location: string,
  bytes: Uint8Array,
  verdict: Verdict | undefined,
  reason: string,
): EvidenceFile {
  return {
    location,
    bytes: bytes.byteLength,
    sha256: sha256Hex(bytes),
    ...(verdict ? { verdict } : {}),
    reason,
  };
}

const VERDICT_WORDS: Record<Verdict, string> = {
  valid: 'intact (its hash matches a signed digest)',
  invalid: 'ALTERED (its hash does not match the signed digest)',
  missing: 'MISSING (a digest lists it, the file is not there)',
  unverifiable: 'not verifiable',
  notDelivered: 'not delivered',
};

/** The verdict in words, with its reason when there is one. */
export function verdictText(f: EvidenceFile): string {
  const head = f.verdict ? VERDICT_WORDS[f.verdict] : 'no digest covers it';
  return f.reason ? `${head}: ${f.reason}` : head;
}

// ---- Markdown ----

/** Text made inert in Markdown: every character that could start markup is escaped; no raw HTML. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_{}[\]()|~>]/g, (c) => `\\${c}`)
    .replace(/^([#+\-.!])/, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** Inline code that cannot be closed early by the value (a fence longer than any run of backticks in it). */
export function mdCode(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${flat} ${fence}`;
}

const n = (x: number): string => x.toLocaleString('en-US');

function mdOutput(out: QueryOutput | undefined): string[] {
  if (!out) return ['_Not run: no saved output._', ''];
  const lines = [
    `**${n(out.count)} event${out.count === 1 ? '' : 's'}** of ${n(out.loaded)} loaded (run ${mdText(out.ranAt)}).`,
  ];
  if (out.previousCount !== undefined)
    lines.push(`Changed since the run before: ${n(out.previousCount)} → ${n(out.count)}.`);
  for (const p of out.problems) lines.push(`> ${mdText(p)}`);
  lines.push('');
  if (out.detections && out.detections.length > 0) {
    lines.push('Detections on these events:', '');
    for (const d of out.detections)
      lines.push(`- ${mdText(d.severity.toUpperCase())} ${mdText(d.title)} (${mdCode(d.id)}): ${n(d.count)}`);
    lines.push('');
  }
  if (out.rows.length > 0) {
    lines.push('| Time (UTC) | Event | Who | From | Region | Error |', '|---|---|---|---|---|---|');
    for (const r of out.rows)
      lines.push(
        `| ${[r.time, r.eventName, r.principal, r.sourceIp, r.awsRegion, r.errorCode].map((v) => mdText(v) || '—').join(' | ')} |`,
      );
    if (out.count > out.rows.length) lines.push('', `_The first ${n(out.rows.length)} of ${n(out.count)}._`);
    lines.push('');
  }
  return lines;
}

export function reportMarkdown(r: ReportInput): string {
  const lines = [
    `# ${mdText(r.title)}`,
    '',
    `Made from ${mdCode(r.notebookLocation)} on ${mdText(r.generatedAt)} by CloudTrail Lens.`,
    '',
  ];
  let q = 0;
  for (const c of r.notebook.cells) {
    // The investigator's own notes are Markdown already; raw HTML in them is made text.
    if (c.kind === 'markdown') lines.push(c.source.replace(/</g, '&lt;'), '');
    else if (c.kind === 'query') lines.push(`## Search ${++q}: ${mdCode(c.source)}`, '', ...mdOutput(c.output));
  }
  lines.push('## Evidence', '');
  lines.push(...r.integrity.map((l) => `- ${mdText(l)}`), '');
  if (r.evidence.length === 0) lines.push('_No log files were read._');
  else {
    lines.push('| File | Bytes | SHA-256 | Integrity |', '|---|---|---|---|');
    for (const f of r.evidence)
      lines.push(`| ${mdText(f.location)} | ${n(f.bytes)} | \`${f.sha256}\` | ${mdText(verdictText(f))} |`);
  }
  return `${lines.join('\n')}\n`;
}

// ---- HTML ----

/** A Markdown note as HTML: headings and paragraphs, every character of it escaped (no markup passes). */
function htmlNote(md: string): string {
  return md
    .split(/\n{2,}/)
    .map((block) => {
      const h = /^(#{1,6})\s+(.*)$/.exec(block.trim());
      if (h && !block.trim().includes('\n'))
        return `<h${Math.min(6, h[1].length + 1)}>${htmlText(h[2])}</h${Math.min(6, h[1].length + 1)}>`;
      return `<p>${htmlText(block).replace(/\n/g, '<br>')}</p>`;
    })
    .join('\n');
}

function htmlOutput(out: QueryOutput | undefined): string {
  if (!out) return '<p class="dim">Not run: no saved output.</p>';
  const parts = [
    `<p><strong>${n(out.count)} event${out.count === 1 ? '' : 's'}</strong> of ${n(out.loaded)} loaded (run ${htmlText(out.ranAt)}).</p>`,
  ];
  if (out.previousCount !== undefined)
    parts.push(`<p class="changed">Changed since the run before: ${n(out.previousCount)} → ${n(out.count)}.</p>`);
  for (const p of out.problems) parts.push(`<p class="problem">${htmlText(p)}</p>`);
  if (out.detections && out.detections.length > 0)
    parts.push(
      `<p>Detections on these events:</p>\n<ul>${out.detections.map((d) => `<li><strong>${htmlText(d.severity.toUpperCase())}</strong> ${htmlText(d.title)} (<code>${htmlText(d.id)}</code>): ${n(d.count)}</li>`).join('')}</ul>`,
    );
  if (out.rows.length > 0) {
    const head = ['Time (UTC)', 'Event', 'Who', 'From', 'Region', 'Error'].map((h) => `<th>${h}</th>`).join('');
    const body = out.rows
      .map(
        (r) =>
          `<tr>${[r.time, r.eventName, r.principal, r.sourceIp, r.awsRegion, r.errorCode].map((v) => `<td>${htmlText(v || '—')}</td>`).join('')}</tr>`,
      )
      .join('\n');
    parts.push(`<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`);
    if (out.count > out.rows.length)
      parts.push(`<p class="dim">The first ${n(out.rows.length)} of ${n(out.count)}.</p>`);
  }
  return parts.join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#1f2328;background:#fff}
code{font-family:ui-monospace,monospace;background:#f3f4f6;padding:0 .25em;border-radius:3px;word-break:break-all}
table{border-collapse:collapse;margin:.5em 0;width:100%}th,td{text-align:left;padding:2px 8px;border-bottom:1px solid #d0d7de;vertical-align:top;overflow-wrap:break-word}
td:first-child{white-space:nowrap}.evidence td:first-child{white-space:normal;word-break:break-all}
.dim{color:#656d76}.changed{border-left:3px solid #bf8700;padding-left:.5em}.problem{color:#cf222e}.bad{color:#cf222e;font-weight:600}.good{color:#1a7f37}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}code{background:#161b22}th,td{border-color:#30363d}.dim{color:#8d96a0}}`;

export function reportHtml(r: ReportInput): string {
  const body: string[] = [
    `<h1>${htmlText(r.title)}</h1>`,
    `<p class="dim">Made from <code>${htmlText(r.notebookLocation)}</code> on ${htmlText(r.generatedAt)} by CloudTrail Lens.</p>`,
  ];
  let q = 0;
  for (const c of r.notebook.cells) {
    if (c.kind === 'markdown') body.push(htmlNote(c.source));
    else if (c.kind === 'query')
      body.push(`<h2>Search ${++q}: <code>${htmlText(c.source)}</code></h2>`, htmlOutput(c.output));
  }
  body.push('<h2>Evidence</h2>', `<ul>${r.integrity.map((l) => `<li>${htmlText(l)}</li>`).join('')}</ul>`);
  if (r.evidence.length === 0) body.push('<p class="dim">No log files were read.</p>');
  else {
    const rows = r.evidence
      .map((f) => {
        const cls = f.verdict === 'valid' ? 'good' : f.verdict === 'invalid' || f.verdict === 'missing' ? 'bad' : 'dim';
        return `<tr><td>${htmlText(f.location)}</td><td>${n(f.bytes)}</td><td><code>${f.sha256}</code></td><td class="${cls}">${htmlText(verdictText(f))}</td></tr>`;
      })
      .join('\n');
    body.push(
      `<table class="evidence"><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th><th>Integrity</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
    );
  }
  return `${htmlHead("default-src 'none'; style-src 'unsafe-inline'", r.title)}
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
