/**
 * What the fake AWS endpoints share (fakeCloudTrail, fakeAthena, fakeLogsInsights): the AWS JSON
 * 1.1 protocol's requests (an `X-Amz-Target` naming the operation, a JSON body) and replies (the
 * payload, or `{"__type","message"}` with `x-amzn-errortype`), failures injected per operation,
 * and a server on a free 127.0.0.1 port that closes its kept-alive connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const JSON_1_1 = 'application/x-amz-json-1.1';

/** An AWS error response: thrown by handlers, turned into `{"__type","message"}` + `x-amzn-errortype`. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Failures injected per operation (`'*'`: any), each for a number of calls. */
export class InjectedFailures {
  private list: Array<{ operation: string; code: string; message: string; status: number; left: number }> = [];

  /** `statusOf` gives an error code's HTTP status when the test names none. */
  constructor(private readonly statusOf: (code: string) => number) {}

  add(operation: string, error: { code: string; message: string; status?: number }, times = 1): void {
    if (times < 1) return;
    this.list.push({
      operation,
      code: error.code,
      message: error.message,
      status: error.status ?? this.statusOf(error.code),
      left: times,
    });
  }

  /** Throws the failure injected for `operation`, if any is left (using it up once). */
  throwFor(operation: string): void {
    const failure = this.list.find((f) => f.operation === operation || f.operation === '*');
    if (!failure) return;
    failure.left--;
    this.list = this.list.filter((f) => f.left > 0);
    throw new AwsError(failure.code, failure.message, failure.status);
  }

  clear(): void {
    this.list = [];
  }
}

/** The operation an `X-Amz-Target` names (`AmazonAthena.StartQueryExecution` → `StartQueryExecution`). */
export function operationOf(req: IncomingMessage, target: RegExp): string {
  const header = String(req.headers['x-amz-target'] ?? '');
  return target.exec(header)?.[1] ?? '';
}

/** The request's body as text. */
export async function bodyText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The reply to one call: `answer()`'s payload, or the error it threw (`fallback` for anything not an AwsError). */
export function outcome(
  answer: () => unknown,
  fallback: (e: unknown) => AwsError,
): { status: number; payload: unknown; code?: string } {
  try {
    return { status: 200, payload: answer() };
  } catch (e) {
    const err = e instanceof AwsError ? e : fallback(e);
    return { status: err.status, code: err.code, payload: { __type: err.code, message: err.message } };
  }
}

/** Sends a JSON 1.1 reply; `json` is the payload's text when it needs a replacer. */
export function sendJson(
  res: ServerResponse,
  r: { status: number; payload: unknown; code?: string },
  json = JSON.stringify(r.payload),
): void {
  if (res.destroyed) return;
  res.writeHead(r.status, {
    'content-type': JSON_1_1,
    'x-amzn-requestid': randomUUID(),
    ...(r.code ? { 'x-amzn-errortype': r.code } : {}),
  });
  res.end(json);
}

/** A server on a free 127.0.0.1 port; `close` ends the SDK's kept-alive connections, which a plain close would wait for. */
export async function listenLocal(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
