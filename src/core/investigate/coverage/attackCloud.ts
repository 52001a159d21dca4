/**
 * MITRE ATT&CK for the cloud (IaaS), as the coverage matrix shows it: the Enterprise tactics that
 * hold IaaS techniques, and the techniques (and sub-techniques) our rules and Stratus Red Team's
 * AWS catalogue name, with ATT&CK's names.
 *
 * Source: MITRE ATT&CK Enterprise, IaaS platform (https://attack.mitre.org/matrices/enterprise/cloud/iaas/),
 * names as of ATT&CK v16–v17 (2024–2025), compiled 2026-12-07.
 * Licence: © The MITRE Corporation. This work is reproduced and distributed with the permission
 * of The MITRE Corporation (ATT&CK terms of use, https://attack.mitre.org/resources/legal-and-branding/terms-of-use/).
 * A technique id a rule names that is not listed here is shown by its id alone, never given a guessed name.
 */

/** The tactics, in ATT&CK's matrix order (ids as rules write them, lower-case with dashes). */
export const TACTICS: ReadonlyArray<{ id: string; name: string; attack: string }> = [
  { id: 'initial-access', name: 'Initial Access', attack: 'TA0001' },
  { id: 'execution', name: 'Execution', attack: 'TA0002' },
  { id: 'persistence', name: 'Persistence', attack: 'TA0003' },
  { id: 'privilege-escalation', name: 'Privilege Escalation', attack: 'TA0004' },
  { id: 'defense-evasion', name: 'Defense Evasion', attack: 'TA0005' },
  { id: 'credential-access', name: 'Credential Access', attack: 'TA0006' },
  { id: 'discovery', name: 'Discovery', attack: 'TA0007' },
  { id: 'lateral-movement', name: 'Lateral Movement', attack: 'TA0008' },
  { id: 'collection', name: 'Collection', attack: 'TA0009' },
  { id: 'exfiltration', name: 'Exfiltration', attack: 'TA0010' },
  { id: 'impact', name: 'Impact', attack: 'TA0040' },
];

type T = [id: string, name: string, tactics: string];
/** Technique id, name, and the tactics it sits under (space-separated). */
const TECHNIQUES: readonly T[] = [
  ['T1078', 'Valid Accounts', 'initial-access persistence privilege-escalation defense-evasion'],
  ['T1078.001', 'Valid Accounts: Default Accounts', 'initial-access persistence privilege-escalation defense-evasion'],
  ['T1078.004', 'Valid Accounts: Cloud Accounts', 'initial-access persistence privilege-escalation defense-evasion'],
  ['T1190', 'Exploit Public-Facing Application', 'initial-access'],
  ['T1133', 'External Remote Services', 'initial-access persistence'],
  ['T1199', 'Trusted Relationship', 'initial-access'],
  ['T1566', 'Phishing', 'initial-access'],
  ['T1651', 'Cloud Administration Command', 'execution'],
  ['T1648', 'Serverless Execution', 'execution'],
  ['T1059', 'Command and Scripting Interpreter', 'execution'],
  ['T1059.009', 'Command and Scripting Interpreter: Cloud API', 'execution'],
  ['T1204.003', 'User Execution: Malicious Image', 'execution'],
  ['T1098', 'Account Manipulation', 'persistence privilege-escalation'],
  ['T1098.001', 'Account Manipulation: Additional Cloud Credentials', 'persistence privilege-escalation'],
  ['T1098.003', 'Account Manipulation: Additional Cloud Roles', 'persistence privilege-escalation'],
  ['T1098.004', 'Account Manipulation: SSH Authorized Keys', 'persistence privilege-escalation'],
  ['T1136', 'Create Account', 'persistence'],
  ['T1136.003', 'Create Account: Cloud Account', 'persistence'],
  ['T1525', 'Implant Internal Image', 'persistence'],
  ['T1546', 'Event Triggered Execution', 'persistence privilege-escalation'],
  ['T1556', 'Modify Authentication Process', 'persistence credential-access defense-evasion'],
  ['T1574', 'Hijack Execution Flow', 'persistence privilege-escalation defense-evasion'],
  ['T1548', 'Abuse Elevation Control Mechanism', 'privilege-escalation defense-evasion'],
  [
    'T1548.005',
    'Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access',
    'privilege-escalation defense-evasion',
  ],
  ['T1222', 'File and Directory Permissions Modification', 'defense-evasion'],
  ['T1484', 'Domain or Tenant Policy Modification', 'defense-evasion privilege-escalation'],
  ['T1484.002', 'Domain or Tenant Policy Modification: Trust Modification', 'defense-evasion privilege-escalation'],
  ['T1562', 'Impair Defenses', 'defense-evasion'],
  ['T1562.001', 'Impair Defenses: Disable or Modify Tools', 'defense-evasion'],
  ['T1562.007', 'Impair Defenses: Disable or Modify Cloud Firewall', 'defense-evasion'],
  ['T1562.008', 'Impair Defenses: Disable or Modify Cloud Logs', 'defense-evasion'],
  ['T1578', 'Modify Cloud Compute Infrastructure', 'defense-evasion'],
  ['T1578.001', 'Modify Cloud Compute Infrastructure: Create Snapshot', 'defense-evasion'],
  ['T1578.002', 'Modify Cloud Compute Infrastructure: Create Cloud Instance', 'defense-evasion'],
  ['T1578.003', 'Modify Cloud Compute Infrastructure: Delete Cloud Instance', 'defense-evasion'],
  ['T1578.005', 'Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations', 'defense-evasion'],
  ['T1535', 'Unused/Unsupported Cloud Regions', 'defense-evasion'],
  ['T1550', 'Use Alternate Authentication Material', 'defense-evasion lateral-movement'],
  ['T1550.001', 'Use Alternate Authentication Material: Application Access Token', 'defense-evasion lateral-movement'],
  ['T1070', 'Indicator Removal', 'defense-evasion'],
  ['T1666', 'Modify Cloud Resource Hierarchy', 'defense-evasion'],
  ['T1110', 'Brute Force', 'credential-access'],
  ['T1110.001', 'Brute Force: Password Guessing', 'credential-access'],
  ['T1110.003', 'Brute Force: Password Spraying', 'credential-access'],
  ['T1552', 'Unsecured Credentials', 'credential-access'],
  ['T1552.005', 'Unsecured Credentials: Cloud Instance Metadata API', 'credential-access'],
  ['T1555', 'Credentials from Password Stores', 'credential-access'],
  ['T1555.006', 'Credentials from Password Stores: Cloud Secrets Management Stores', 'credential-access'],
  ['T1528', 'Steal Application Access Token', 'credential-access'],
  ['T1606.002', 'Forge Web Credentials: SAML Tokens', 'credential-access'],
  ['T1621', 'Multi-Factor Authentication Request Generation', 'credential-access'],
  ['T1580', 'Cloud Infrastructure Discovery', 'discovery'],
  ['T1526', 'Cloud Service Discovery', 'discovery'],
  ['T1538', 'Cloud Service Dashboard', 'discovery'],
  ['T1087.004', 'Account Discovery: Cloud Account', 'discovery'],
  ['T1069.003', 'Permission Groups Discovery: Cloud Groups', 'discovery'],
  ['T1619', 'Cloud Storage Object Discovery', 'discovery'],
  ['T1654', 'Log Enumeration', 'discovery'],
  ['T1201', 'Password Policy Discovery', 'discovery'],
  ['T1021', 'Remote Services', 'lateral-movement'],
  ['T1021.004', 'Remote Services: SSH', 'lateral-movement'],
  ['T1021.007', 'Remote Services: Cloud Services', 'lateral-movement'],
  ['T1021.008', 'Remote Services: Direct Cloud VM Connections', 'lateral-movement'],
  ['T1530', 'Data from Cloud Storage', 'collection'],
  ['T1005', 'Data from Local System', 'collection'],
  ['T1119', 'Automated Collection', 'collection'],
  ['T1074.002', 'Data Staged: Remote Data Staging', 'collection'],
  ['T1537', 'Transfer Data to Cloud Account', 'exfiltration'],
  ['T1020', 'Automated Exfiltration', 'exfiltration'],
  ['T1485', 'Data Destruction', 'impact'],
  ['T1486', 'Data Encrypted for Impact', 'impact'],
  ['T1490', 'Inhibit System Recovery', 'impact'],
  ['T1496', 'Resource Hijacking', 'impact'],
  ['T1496.001', 'Resource Hijacking: Compute Hijacking', 'impact'],
  ['T1496.004', 'Resource Hijacking: Cloud Service Hijacking', 'impact'],
  ['T1531', 'Account Access Removal', 'impact'],
  ['T1565', 'Data Manipulation', 'impact'],
  ['T1657', 'Financial Theft', 'impact'],
];

export interface Technique {
  id: string;
  name: string;
  tactics: string[];
}

/** Every technique of the table, by id. */
export const TECHNIQUE_BY_ID: ReadonlyMap<string, Technique> = new Map(
  TECHNIQUES.map(([id, name, tactics]) => [id, { id, name, tactics: tactics.split(' ') }]),
);

/** Where the names come from, shown under the matrix. */
export const ATTACK_ATTRIBUTION =
  'MITRE ATT&CK® Enterprise (IaaS), v16–v17 names, © The MITRE Corporation; reproduced with its permission (ATT&CK terms of use).';
