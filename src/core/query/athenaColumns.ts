/**
 * The store's fields as Athena expressions over the CloudTrail table (athenaTable.ts): direct
 * columns, and the derived ones (account, the principal's readable name) rebuilt in SQL exactly as
 * records.ts and principal.ts compute them. Every expression is non-null text ('' for missing), so
 * NOT over a term is two-valued. A table made elsewhere may lack struct fields; those read as ''.
 */
import type { AthenaTableRef } from '../aws/athenaTable';
import type { IndexedField } from '../model/fields';
import { firstNonEmpty, sqlIdent } from './sqlText';

/** Reads columns and struct fields of one table. */
export class AthenaColumns {
  constructor(private readonly table: AthenaTableRef) {}

  /** Whether the table has this column (lower-case) and, for a struct path, these fields. */
  has(path: readonly string[]): boolean {
    const cols = this.table.columns;
    if (!cols) return true;
    const type = cols.get(path[0].toLowerCase());
    if (type === undefined) return false;
    const text = type.toLowerCase().replace(/\s+/g, '');
    // Field names inside the type text (`struct<type:string,arn:string,…>`): present when named.
    return path.slice(1).every((f) => new RegExp(`[<,]${f.toLowerCase().replace(/[^a-z0-9_]/g, '')}:`).test(text));
  }

  /** The column or struct field as non-null text; '' when the table does not have it. */
  text(...path: string[]): string {
    if (!this.has(path)) return "''";
    return `COALESCE(${path.map((p) => sqlIdent(p.toLowerCase())).join('.')}, '')`;
  }

  /** The last segment after '/' (principal.ts lastSegment). */
  private static last(this: void, x: string): string {
    return `regexp_extract(${x}, '[^/]*$')`;
  }

  /** A regex group, '' when it does not match (Trino answers NULL, DuckDB ''). */
  private static group(this: void, x: string, re: string, n: number): string {
    return `COALESCE(regexp_extract(${x}, '${re}', ${n}), '')`;
  }

  /** describePrincipal's name, as one CASE over userIdentity.type. */
  principal(): string {
    const u = (...p: string[]): string => this.text('userIdentity', ...p);
    const type = u('type');
    const arn = u('arn');
    const account = u('accountId');
    const userName = u('userName');
    const invokedBy = u('invokedBy');
    const principalId = u('principalId');
    const issuerName = u('sessionContext', 'sessionIssuer', 'userName');
    const last = AthenaColumns.last;
    const group = AthenaColumns.group;
    const roleArn = group(arn, ':assumed-role/(.+)/([^/]+)$', 1);
    const role = firstNonEmpty(issuerName, last(roleArn), "''");
    // `role` is issuer name or the ARN's role; a non-matching ARN gives '' for both parts.
    const session = firstNonEmpty(
      group(arn, ':assumed-role/(.+)/([^/]+)$', 2),
      `CASE WHEN strpos(${principalId}, ':') > 0 THEN regexp_extract(${principalId}, '[^:]*$') ELSE '' END`,
    );
    const assumed = `CASE WHEN ${role} <> '' AND ${session} <> '' THEN ${role} || '/' || ${session} ELSE ${firstNonEmpty(role, session, principalId, "'assumed role'")} END`;
    const lastOfArn = `CASE WHEN ${arn} <> '' THEN ${last(arn)} ELSE '' END`;
    return `(CASE ${type}
      WHEN 'Root' THEN 'root'
      WHEN 'IAMUser' THEN ${firstNonEmpty(userName, `CASE WHEN ${arn} <> '' THEN ${last(arn)} ELSE ${principalId} END`)}
      WHEN 'AssumedRole' THEN ${assumed}
      WHEN 'FederatedUser' THEN 'federated/' || ${firstNonEmpty(group(arn, ':federated-user/(.+)$', 1), userName, last(principalId))}
      WHEN 'AWSService' THEN ${firstNonEmpty(invokedBy, "'AWS service'")}
      WHEN 'AWSAccount' THEN 'account ' || ${firstNonEmpty(account, principalId)} || CASE WHEN ${invokedBy} <> '' THEN ' via ' || ${invokedBy} ELSE '' END
      WHEN 'IdentityCenterUser' THEN 'identity-center/' || ${firstNonEmpty(userName, u('onBehalfOf', 'userId'), u('credentialId'), principalId)}
      WHEN 'SAMLUser' THEN ${firstNonEmpty(userName, principalId, type)}
      WHEN 'WebIdentityUser' THEN ${firstNonEmpty(userName, principalId, type)}
      WHEN 'Unknown' THEN ${firstNonEmpty(userName, principalId, "'unknown'")}
      ELSE ${firstNonEmpty(userName, invokedBy, lastOfArn, `CASE WHEN ${account} <> '' THEN 'account ' || ${account} ELSE '' END`, principalId)}
    END)`;
  }

  /** A store field as non-null text; undefined for `resources` (collected from request parameters: not SQL). */
  field(f: IndexedField): string | undefined {
    switch (f) {
      case 'eventName':
        return this.text('eventName');
      case 'eventSource':
        return this.text('eventSource');
      case 'awsRegion':
        return this.text('awsRegion');
      case 'sourceIp':
        return this.text('sourceIPAddress');
      case 'userAgent':
        return this.text('userAgent');
      case 'errorCode':
        return this.text('errorCode');
      case 'errorMessage':
        return this.text('errorMessage');
      case 'eventType':
        return this.text('eventType');
      case 'eventCategory':
        return this.text('eventCategory');
      case 'readOnly': {
        const ro = this.text('readOnly');
        return `(CASE WHEN ${ro} IN ('true', 'false') THEN ${ro} ELSE '' END)`;
      }
      case 'account':
        return firstNonEmpty(this.text('recipientAccountId'), this.text('userIdentity', 'accountId'));
      case 'identityType':
        return this.text('userIdentity', 'type');
      case 'principal':
        return this.principal();
      case 'principalArn':
        return this.text('userIdentity', 'arn');
      case 'accessKeyId':
        return this.text('userIdentity', 'accessKeyId');
      case 'resources':
        return undefined;
    }
  }
}
