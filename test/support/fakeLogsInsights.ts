/**
 * A local fake of CloudWatch Logs Insights (AWS JSON 1.1, `Logs_20140328.StartQuery`,
 * GetQueryResults, StopQuery) for the real `@aws-sdk/client-cloudwatch-logs`. Each log group
 * holds CloudTrail events as CloudTrail delivers them: the message is the event's JSON, the
 * timestamp its eventTime. The query language is evaluated for the subset the compiler writes:
 *
 *   fields @timestamp, @message | filter <expr> | … | sort @timestamp desc|asc | limit N
 *   expr: or / and / not, ( ), ispresent(f), isIpInSubnet(f, "cidr"), f = "s", f != "s",
 *         f =~ /regex/ (RE2, via re2js), toMillis(@timestamp) >= N and the other numeric comparisons
 *
 * Fields are the event's JSON flattened with dots (`userIdentity.arn`, arrays by index), names
 * case-sensitive; JSON null is not present; booleans read "true"/"false". Anything else in a
 * query is a MalformedQueryException, so the compiler cannot lean on syntax this fake ignores.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import { cidrContains, parseCidr } from '../../src/core/query/patterns';
import { AwsError, bodyText, listenLocal, operationOf, outcome, sendJson } from './jsonProtocol';

type Body = Record<string, unknown>;

type Tok = { t: 'id' | 'str' | 'num' | 're' | 'op' | 'p'; v: string };

/** Tokens of one command's arguments. */
function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ t: 'p', v: c });
      i++;
      continue;
    }
    if (c === '"') {
      let v = '';
      for (i++; i < s.length && s[i] !== '"'; i++) v += s[i] === '\\' ? s[++i] : s[i];
      if (s[i] !== '"') throw new AwsError('MalformedQueryException', 'unterminated string');
      out.push({ t: 'str', v });
      i++;
      continue;
    }
    if (c === '/') {
      let v = '';
      for (i++; i < s.length && s[i] !== '/'; i++) {
        if (s[i] === '\\' && s[i + 1] === '/') {
          v += '/';
          i++;
        } else if (s[i] === '\\') {
          v += s[i] + s[i + 1];
          i++;
        } else v += s[i];
      }
      if (s[i] !== '/') throw new AwsError('MalformedQueryException', 'unterminated regex');
      out.push({ t: 're', v });
      i++;
      continue;
    }
    const op = /^(=~|!=|<=|>=|=|<|>)/.exec(s.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[1] });
      i += op[1].length;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(s.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^@?[A-Za-z_][\w.-]*/.exec(s.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new AwsError('MalformedQueryException', `unexpected character ${c}`);
  }
  return out;
}

/**
 * A regex test with RE2 semantics. Patterns in the plain subset the compiler writes (leading inline
 * flags, escapes, classes) run as a JS RegExp, which is many times faster than re2js here; anything
 * else (a user's RE2-only syntax) runs on re2js.
 */
function regexTest(source: string): (v: string) => boolean {
  const flags = /^\(\?([ims]+)\)/.exec(source);
  const body = (flags ? source.slice(flags[0].length) : source).replace(/\\x\{([0-9a-f]+)\}/gi, (_m, h: string) =>
    String.fromCodePoint(parseInt(h, 16)).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  );
  if (!/\(\?|\\[pPQEzACx]|\[\[:/.test(body)) {
    try {
      const re = new RegExp(body, flags?.[1] ?? '');
      return (v) => re.test(v);
    } catch {
      // not JS syntax: RE2 below
    }
  }
  const re = RE2JS.compile(source);
  return (v) => re.matcher(v).find();
}

type Fields = Map<string, string>;
type Pred = (f: Fields, ts: number) => boolean;

/** Parses a filter expression into a predicate. */
function parseFilter(toks: Tok[]): Pred {
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const take = (t?: Tok['t'], v?: string): Tok => {
    const k = toks[i++];
    if (!k || (t && k.t !== t) || (v && k.v !== v))
      throw new AwsError('MalformedQueryException', `unexpected ${k ? k.v : 'end'}`);
    return k;
  };
  const kw = (w: string): boolean => peek()?.t === 'id' && peek()!.v === w;
  const value = (f: Fields, ts: number, name: string): string | undefined =>
    name === '@timestamp' ? String(ts) : f.get(name);
  const or = (): Pred => {
    let l = and();
    while (kw('or')) {
      i++;
      const a = l;
      const b = and();
      l = (f, ts) => a(f, ts) || b(f, ts);
    }
    return l;
  };
  const and = (): Pred => {
    let l = unary();
    while (kw('and')) {
      i++;
      const a = l;
      const b = unary();
      l = (f, ts) => a(f, ts) && b(f, ts);
    }
    return l;
  };
  const unary = (): Pred => {
    if (kw('not')) {
      i++;
      const p = unary();
      return (f, ts) => !p(f, ts);
    }
    if (peek()?.t === 'p' && peek()!.v === '(') {
      i++;
      const p = or();
      take('p', ')');
      return p;
    }
    let name = take('id').v;
    if (name === 'toMillis') {
      // The documented way to compare @timestamp with epoch milliseconds (datetime functions).
      take('p', '(');
      take('id', '@timestamp');
      take('p', ')');
      name = '@timestamp';
    } else if (name === '@timestamp')
      throw new AwsError(
        'MalformedQueryException',
        '@timestamp is a timestamp: compare toMillis(@timestamp) with a number',
      );
    if (name === 'ispresent') {
      take('p', '(');
      const field = take('id').v;
      take('p', ')');
      return (f) => f.has(field);
    }
    if (name === 'isIpInSubnet') {
      take('p', '(');
      const field = take('id').v;
      take('p', ',');
      const cidr = parseCidr(take('str').v);
      take('p', ')');
      if (!cidr || 'error' in cidr) throw new AwsError('MalformedQueryException', 'bad subnet');
      return (f) =>
        f.has(field) && cidrContains(cidr, f.get(field)!) && f.get(field)!.toLowerCase() !== cidr.text.toLowerCase();
    }
    const op = take('op').v;
    const rhs = take();
    if (op === '=~') {
      if (rhs.t !== 're') throw new AwsError('MalformedQueryException', '=~ takes a regex');
      const test = regexTest(rhs.v);
      return (f, ts) => {
        const v = value(f, ts, name);
        return v !== undefined && test(v);
      };
    }
    if (rhs.t === 'num') {
      const n = Number(rhs.v);
      const cmp: Record<string, (a: number) => boolean> = {
        '=': (a) => a === n,
        '!=': (a) => a !== n,
        '<': (a) => a < n,
        '<=': (a) => a <= n,
        '>': (a) => a > n,
        '>=': (a) => a >= n,
      };
      return (f, ts) => {
        const v = value(f, ts, name);
        return v !== undefined && cmp[op](Number(v));
      };
    }
    if (rhs.t !== 'str' || (op !== '=' && op !== '!='))
      throw new AwsError('MalformedQueryException', `unsupported comparison ${op}`);
    return (f, ts) => {
      const v = value(f, ts, name);
      return v !== undefined && (op === '=' ? v === rhs.v : v !== rhs.v);
    };
  };
  const p = or();
  if (i !== toks.length) throw new AwsError('MalformedQueryException', `unexpected ${toks[i].v}`);
  return p;
}

/** Splits a query at the `|` between commands (not inside strings or regexes). */
function commands(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (quote) {
      cur += c;
      if (c === '\\') cur += q[++i] ?? '';
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === '/') quote = c;
    if (c === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** The event's fields as Logs Insights discovers them in JSON. */
/**
 * Logs Insights extracts a bounded number of fields from a JSON event ("Supported logs and
 * discovered fields": it names 200; whether nested leaves count one each is not spelt out — the
 * fake counts every flattened leaf, in document order, the strictest reading). Fields past it are
 * absent, as `readOnly` or `recipientAccountId` after a large requestParameters can be.
 */
export const MAX_EXTRACTED_FIELDS = 200;

function flatten(ev: unknown, prefix = '', out: Fields = new Map()): Fields {
  if (ev === null || ev === undefined || out.size >= MAX_EXTRACTED_FIELDS) return out;
  if (Array.isArray(ev)) ev.forEach((x, i) => flatten(x, `${prefix}${i}.`, out));
  else if (typeof ev === 'object') for (const [k, v] of Object.entries(ev)) flatten(v, `${prefix}${k}.`, out);
  else out.set(prefix.slice(0, -1), String(ev));
  return out;
}

export interface LogEvent {
  timestamp: number;
  message: string;
  fields: Fields;
}

/** A CloudTrail event's JSON text as the log group holds it: its fields extracted (bounded), its time the event's. */
export function logEvent(message: string): LogEvent {
  const ev = JSON.parse(message) as Record<string, unknown>;
  return { message, timestamp: Date.parse(String(ev.eventTime)), fields: flatten(ev).set('@message', message) };
}

/** Runs a query over events: matching rows, newest or oldest first, cut at the limit. */
export function runLogsQuery(
  queryString: string,
  events: readonly LogEvent[],
  startS: number,
  endS: number,
  limit?: number,
): LogEvent[] {
  const cmds = commands(queryString);
  let rows = events.filter((e) => e.timestamp >= startS * 1000 && e.timestamp <= endS * 1000);
  let max = limit ?? 1000;
  let order = -1;
  for (const c of cmds) {
    const m = /^(\w+)\s*([\s\S]*)$/.exec(c);
    if (!m) throw new AwsError('MalformedQueryException', `bad command ${c}`);
    const [, cmd, args] = m;
    if (cmd === 'fields') continue;
    if (cmd === 'filter') {
      const p = parseFilter(tokenize(args));
      rows = rows.filter((e) => p(e.fields, e.timestamp));
    } else if (cmd === 'sort') {
      if (!/^@timestamp\s+(asc|desc)$/.test(args.trim()))
        throw new AwsError('MalformedQueryException', `unsupported sort ${args}`);
      order = args.trim().endsWith('asc') ? 1 : -1;
    } else if (cmd === 'limit') {
      max = Math.min(Number(args.trim()), 10_000);
    } else throw new AwsError('MalformedQueryException', `unsupported command ${cmd}`);
  }
  return rows
    .slice()
    .sort((a, b) => order * (a.timestamp - b.timestamp))
    .slice(0, max);
}

export interface FakeLogs {
  url: string;
  queries: Array<{
    id: string;
    queryString: string;
    logGroup: string;
    startTime: number;
    endTime: number;
    status: string;
    results: LogEvent[];
  }>;
  close(): Promise<void>;
}

/** Starts the fake with log groups of CloudTrail events (raw JSON text each). */
export async function startFakeLogs(groups: Record<string, readonly string[]>): Promise<FakeLogs> {
  const logs = new Map<string, LogEvent[]>();
  for (const [name, raws] of Object.entries(groups)) {
    logs.set(name, raws.map(logEvent));
  }
  const queries: FakeLogs['queries'] = [];
  const handlers: Record<string, (b: Body) => unknown> = {
    StartQuery: (b) => {
      const group = String(b.logGroupName ?? (b.logGroupNames as string[] | undefined)?.[0] ?? '');
      const events = logs.get(group);
      if (!events) throw new AwsError('ResourceNotFoundException', `Log group '${group}' does not exist`);
      const q = String(b.queryString ?? '');
      const results = runLogsQuery(q, events, Number(b.startTime), Number(b.endTime), b.limit as number | undefined);
      const id = randomUUID();
      queries.push({
        id,
        queryString: q,
        logGroup: group,
        startTime: Number(b.startTime),
        endTime: Number(b.endTime),
        status: 'Running',
        results,
      });
      return { queryId: id };
    },
    GetQueryResults: (b) => {
      const q = queries.find((x) => x.id === b.queryId);
      if (!q) throw new AwsError('ResourceNotFoundException', 'Query not found');
      // Running on the first poll, Complete after: the adapter must poll.
      const status = q.status;
      if (q.status === 'Running') q.status = 'Complete';
      return {
        status,
        results:
          status === 'Complete'
            ? q.results.map((e) => [
                { field: '@timestamp', value: new Date(e.timestamp).toISOString().replace('T', ' ').replace('Z', '') },
                { field: '@message', value: e.message },
                { field: '@ptr', value: randomUUID() },
              ])
            : [],
        statistics: {
          recordsMatched: q.results.length,
          recordsScanned: logs.get(q.logGroup)!.length,
          bytesScanned: logs.get(q.logGroup)!.reduce((n, e) => n + e.message.length, 0),
        },
      };
    },
    // DescribeLogGroups as documented: logGroupNamePrefix, storedBytes (the bytes of the messages
    // here; AWS documents it only as "the number of bytes stored"), creationTime, retentionInDays
    // when set, up to 50 groups a page (limit), no nextToken past the last page.
    DescribeLogGroups: (b) => {
      const prefix = String(b.logGroupNamePrefix ?? '');
      const limit = Math.min(50, Number(b.limit ?? 50) || 50);
      const names = [...logs.keys()].filter((n) => n.startsWith(prefix)).sort();
      const from = b.nextToken ? names.indexOf(String(b.nextToken)) : 0;
      const page = names.slice(Math.max(0, from), Math.max(0, from) + limit);
      const next = names[Math.max(0, from) + limit];
      return {
        logGroups: page.map((n) => ({
          logGroupName: n,
          arn: `arn:aws:logs:us-east-1:123456789012:log-group:${n}:*`,
          creationTime: Math.min(...logs.get(n)!.map((e) => e.timestamp)),
          storedBytes: logs.get(n)!.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0),
        })),
        ...(next ? { nextToken: next } : {}),
      };
    },
    StopQuery: (b) => {
      const q = queries.find((x) => x.id === b.queryId);
      if (q && q.status === 'Running') q.status = 'Cancelled';
      return { success: !!q };
    },
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await bodyText(req);
    const op = operationOf(req, /^Logs_20140328\.(\w+)$/);
    sendJson(
      res,
      outcome(
        () => {
          const h = handlers[op];
          if (!h) throw new AwsError('UnknownOperationException', `Unknown operation ${op}`);
          return h(text.trim() ? (JSON.parse(text) as Body) : {});
        },
        (e) => new AwsError('ServiceUnavailableException', String(e), 500),
      ),
    );
  }
  const server = await listenLocal(handle);
  return {
    url: server.url,
    queries,
    close: () => server.close(),
  };
}
