/**
 * Credentials through the SDK's real providers, with a tiny local STS (never AWS): an
 * MFA-protected assume-role profile asks our prompt for the code once, sends it to STS, and the
 * session serves every region; a cancelled prompt fails cleanly; static keys come from the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredentialCache, cached } from '../../../src/awsSdk/credentials';

let sts: Server;
let stsUrl = '';
const calls: URLSearchParams[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ctl-creds-'));
const saved = { ...process.env };

/** Answers AssumeRole like STS (query protocol, XML), with credentials valid for an hour. */
function startSts(): Promise<void> {
  sts = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      calls.push(form);
      if (form.get('TokenCode') === '000000') {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>',
        );
        return;
      }
      const exp = new Date(Date.now() + 3_600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDROLE0001</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>session-token</SessionToken><Expiration>${exp}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:x</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/Audit/x</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
      );
    });
  });
  return new Promise((resolve) =>
    sts.listen(0, '127.0.0.1', () => {
      stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

describe('credentials for profiles', () => {
  before(async () => {
    await startSts();
    writeFileSync(
      join(dir, 'config'),
      [
        '[profile base]',
        'region = us-east-1',
        '',
        '[profile audit]',
        'role_arn = arn:aws:iam::111122223333:role/Audit',
        'source_profile = base',
        'mfa_serial = arn:aws:iam::111122223333:mfa/alice',
        'region = us-east-1',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'credentials'),
      ['[base]', 'aws_access_key_id = AKIABASEPROFILE0001', 'aws_secret_access_key = base-secret', ''].join('\n'),
    );
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ENDPOINT_URL_STS: stsUrl,
    });
  });
  after(() => {
    sts.close();
    rmSync(dir, { recursive: true, force: true });
    process.env = saved;
  });

  test('static keys come from the credentials file', async () => {
    const creds = await new CredentialCache({ mfaCode: () => Promise.reject(new Error('not asked')) }).forProfile(
      'base',
    )();
    assert.equal(creds.accessKeyId, 'AKIABASEPROFILE0001');
  });

  test('an MFA-protected role asks for the code once, sends it to STS, and the session is reused', async () => {
    const asked: string[] = [];
    const cache = new CredentialCache({ mfaCode: async (serial) => (asked.push(serial), '123456') });
    const provider = cache.forProfile('audit');
    const a = await provider();
    const b = await cache.forProfile('audit')();
    assert.equal(a.accessKeyId, 'ASIAASSUMEDROLE0001');
    assert.equal(b.accessKeyId, a.accessKeyId);
    assert.deepEqual(asked, ['arn:aws:iam::111122223333:mfa/alice'], 'asked once, for this device');
    const call = calls.at(-1)!;
    assert.equal(call.get('Action'), 'AssumeRole');
    assert.equal(call.get('TokenCode'), '123456');
    assert.equal(call.get('SerialNumber'), 'arn:aws:iam::111122223333:mfa/alice');
    assert.equal(call.get('RoleArn'), 'arn:aws:iam::111122223333:role/Audit');
  });

  test('a cancelled MFA prompt fails the call with a reason, and the next call asks again', async () => {
    let n = 0;
    const cache = new CredentialCache({
      mfaCode: async () => (++n === 1 ? Promise.reject(new Error('MFA code entry was cancelled.')) : '654321'),
    });
    await assert.rejects(cache.forProfile('audit')(), /cancelled/);
    const creds = await cache.forProfile('audit')();
    assert.equal(creds.accessKeyId, 'ASIAASSUMEDROLE0001');
    assert.equal(n, 2);
  });

  test('a wrong MFA code is an error from STS, not a hang', async () => {
    const cache = new CredentialCache({ mfaCode: async () => '000000' });
    await assert.rejects(cache.forProfile('audit')(), /MultiFactorAuthentication failed|AccessDenied/);
  });

  test('cached credentials renew before they expire; failures are not cached', async () => {
    let now = 0;
    let calls2 = 0;
    const provider = cached(
      async () => ({ accessKeyId: `K${++calls2}`, secretAccessKey: 's', expiration: new Date(now + 10 * 60_000) }),
      () => now,
    );
    assert.equal((await provider()).accessKeyId, 'K1');
    now += 4 * 60_000;
    assert.equal((await provider()).accessKeyId, 'K1', 'still valid for 6 minutes');
    now += 2 * 60_000;
    assert.equal((await provider()).accessKeyId, 'K2', 'less than 5 minutes left: renewed');
    // Callers that find the credentials stale together share one renewal (one MFA prompt).
    now += 10 * 60_000;
    const before = calls2;
    const all = await Promise.all([provider(), provider(), provider()]);
    assert.equal(calls2, before + 1);
    assert.ok(all.every((c) => c.accessKeyId === all[0].accessKeyId));
    let fail = true;
    const flaky = cached(async () => {
      if (fail) throw new Error('network');
      return { accessKeyId: 'OK', secretAccessKey: 's' };
    });
    await assert.rejects(flaky(), /network/);
    fail = false;
    assert.equal((await flaky()).accessKeyId, 'OK');
  });
});
