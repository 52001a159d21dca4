/**
 * Injection payloads for the untrusted-content tests: each must show as inert text wherever an
 * event string is displayed. `window.__pwned` is what a payload sets if it ever runs.
 */
export const INJECTION_PAYLOADS: readonly string[] = [
  '<script>window.__pwned=1</script>',
  '</script><script>window.__pwned=2</script>',
  '<img src=x onerror="window.__pwned=3">',
  '"><svg onload="window.__pwned=4">',
  '\'><iframe src="javascript:window.__pwned=5"></iframe>',
  'javascript:window.__pwned=6',
  '<a href="javascript:window.__pwned=7">click</a>',
  '<style>body{display:none!important}</style>',
  'x;} body { background: url(https://example.invalid/leak) } {',
  '<meta http-equiv="refresh" content="0;url=https://example.invalid">',
  '<div id="injected" style="position:fixed;inset:0;background:red">PWNED</div>',
  '{{constructor.constructor("window.__pwned=8")()}}',
  '${window.__pwned=9}',
  '&lt;script&gt;window.__pwned=10&lt;/script&gt;',
  '<object data="javascript:window.__pwned=11"></object>',
  '<embed src="javascript:window.__pwned=12">',
  '<form action="javascript:window.__pwned=13"><button>go</button></form>',
  '\u202Egnp.exe (right-to-left override)',
  'zero\u200Bwidth\u200Djoiner\uFEFF',
  '\u0000null\u0000byte',
  '__proto__',
  'A'.repeat(100_000),
];

/** An event with a payload in every string field, nested ones included. */
export function hostileEvent(payload: string, i = 0): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA:${payload}`,
      arn: `arn:aws:sts::111122223333:assumed-role/${payload}/${payload}`,
      accountId: '111122223333',
      accessKeyId: `ASIA${payload}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', userName: payload, arn: `arn:aws:iam::111122223333:role/${payload}` },
        attributes: { mfaAuthenticated: 'false', creationDate: payload },
        sourceIdentity: payload,
      },
    },
    eventTime: `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}Z`,
    eventSource: payload,
    eventName: payload,
    awsRegion: payload,
    sourceIPAddress: payload,
    userAgent: payload,
    errorCode: payload,
    errorMessage: payload,
    requestParameters: { [payload]: payload, bucketName: payload, nested: { list: [payload, { deep: payload }] } },
    responseElements: { [payload]: payload },
    additionalEventData: { MFAUsed: payload },
    resources: [{ ARN: payload, type: payload, accountId: payload }],
    eventID: `hostile-${i}`,
    readOnly: false,
    eventType: payload,
    eventCategory: payload,
    recipientAccountId: '111122223333',
  };
}
