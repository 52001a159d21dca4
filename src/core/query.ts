/**
 * The search box's language. Today: free-text terms, whitespace-separated, with "quoted phrases"
 * kept whole; every term must match (AND). The parser returns typed terms so that structured
 * `field:value` terms (the scale issue) slot in beside `text` terms without touching callers.
 */

export interface TextTerm {
  kind: 'text';
  text: string;
}

export type Term = TextTerm;

export interface ParsedQuery {
  terms: Term[];
  /** Problems with the query, each a sentence for the user; the usable terms still run. */
  errors: string[];
}

/** Splits a query into terms. Never throws. */
export function parseQuery(input: string): ParsedQuery {
  const terms: Term[] = [];
  const errors: string[] = [];
  const re = /"([^"]*)("?)|(\S+)/g;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    if (m[1] !== undefined) {
      if (!m[2]) errors.push('A quote is not closed: the phrase runs to the end of the query.');
      const phrase = m[1].trim();
      if (phrase) terms.push({ kind: 'text', text: phrase });
    } else {
      terms.push({ kind: 'text', text: m[3] });
    }
  }
  return { terms, errors };
}
