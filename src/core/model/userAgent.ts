/**
 * A readable client name for a CloudTrail `userAgent`: the console, the AWS CLI, an SDK and its
 * language, Terraform, CloudFormation, an AWS service… The raw string stays available; this is
 * the label an investigator reads first.
 */

interface Rule {
  test: RegExp;
  name: string | ((m: RegExpExecArray) => string);
}

const ver = (m: RegExpExecArray, i = 1): string => (m[i] ? ` ${m[i]}` : '');

/** First match wins: order from most specific (tools built on SDKs) to most generic. */
const RULES: Rule[] = [
  { test: /HashiCorp\/[\d.]+ Terraform\/([\d.]+)/i, name: (m) => `Terraform${ver(m)}` },
  { test: /\bTerraform\/([\d.]+)/i, name: (m) => `Terraform${ver(m)}` },
  { test: /\bpulumi\b/i, name: 'Pulumi' },
  { test: /\baws-cdk\/([\d.]+)/i, name: (m) => `AWS CDK${ver(m)}` },
  { test: /\bstratus-red-team/i, name: 'Stratus Red Team (attack simulation)' },
  {
    test: /\b(?:pacu|ScoutSuite|prowler|cloudsplaining|cloudfox|trufflehog)\b/i,
    name: (m) => `${m[0]} (security tool)`,
  },
  { test: /\bAWSPowerShell(?:\.Common)?\/([\d.]+)/i, name: (m) => `AWS Tools for PowerShell${ver(m)}` },
  { test: /\baws-cli\/([\d.]+)/i, name: (m) => `AWS CLI${ver(m)}` },
  { test: /\bBoto3\/([\d.]+)/i, name: (m) => `Python (boto3${ver(m)})` },
  { test: /\bBotocore\/([\d.]+)/i, name: (m) => `Python (botocore${ver(m)})` },
  { test: /\baws-sdk-java\/([\d.]+)/i, name: (m) => `Java SDK${ver(m)}` },
  { test: /\baws-sdk-go-v2\/([\d.]+)/i, name: (m) => `Go SDK v2${ver(m)}` },
  { test: /\baws-sdk-go\/([\d.]+)/i, name: (m) => `Go SDK${ver(m)}` },
  { test: /\baws-sdk-js\/([\d.]+)/i, name: (m) => `JavaScript SDK${ver(m)}` },
  { test: /\baws-sdk-nodejs\/([\d.]+)/i, name: (m) => `JavaScript SDK (Node.js)${ver(m)}` },
  { test: /\baws-sdk-dotnet[\w-]*\/([\d.]+)/i, name: (m) => `.NET SDK${ver(m)}` },
  { test: /\baws-sdk-ruby\d?\/([\d.]+)/i, name: (m) => `Ruby SDK${ver(m)}` },
  { test: /\baws-sdk-php\/([\d.]+)/i, name: (m) => `PHP SDK${ver(m)}` },
  { test: /\baws-sdk-rust\/([\d.]+)/i, name: (m) => `Rust SDK${ver(m)}` },
  { test: /\baws-sdk-cpp\/([\d.]+)/i, name: (m) => `C++ SDK${ver(m)}` },
  { test: /\baws-sdk-kotlin\/([\d.]+)/i, name: (m) => `Kotlin SDK${ver(m)}` },
  { test: /\baws-sdk-swift\/([\d.]+)/i, name: (m) => `Swift SDK${ver(m)}` },
  { test: /^(?:signin|console)\.amazonaws\.com$/i, name: 'AWS Management Console' },
  { test: /^AWS Internal$/i, name: 'AWS (internal)' },
  { test: /^cloudformation\.amazonaws\.com$/i, name: 'AWS CloudFormation' },
  { test: /^([\w.-]+)\.amazonaws\.com$/i, name: (m) => `AWS service (${m[1]})` },
  // Every Chrome UA also says Safari, and Edge says Chrome: test the most specific first.
  { test: /^Mozilla\/5\.0 .*\bEdg\//i, name: 'Web browser (Edge)' },
  { test: /^Mozilla\/5\.0 .*\bFirefox\//i, name: 'Web browser (Firefox)' },
  { test: /^Mozilla\/5\.0 .*\bChrome\//i, name: 'Web browser (Chrome)' },
  { test: /^Mozilla\/5\.0 .*\bSafari\//i, name: 'Web browser (Safari)' },
  { test: /\bcurl\/([\d.]+)/i, name: (m) => `curl${ver(m)}` },
  { test: /\bpython-requests\/([\d.]+)/i, name: (m) => `Python requests${ver(m)}` },
];

/** Names the client behind a user agent; '' when it is empty, the raw prefix when unknown. */
export function clientName(userAgent: string): string {
  const ua = userAgent.trim();
  if (!ua) return '';
  // Console sessions are written as "[S3Console/0.4, aws-internal/3 …]" and friends.
  if (/^\[?\w*Console\/|aws-internal\/\d/i.test(ua)) return 'AWS Management Console';
  for (const rule of RULES) {
    const m = rule.test.exec(ua);
    if (m) return typeof rule.name === 'string' ? rule.name : rule.name(m);
  }
  const first = ua.split(/[\s(]/)[0];
  return first.length > 60 ? `${first.slice(0, 60)}…` : first;
}
