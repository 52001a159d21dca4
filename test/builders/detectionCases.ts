/**
 * One positive and one negative set of events per built-in detection rule (test data, not a
 * test file). Every event of `pos` must match its rule and no event of `neg` may.
 */
import { anEvent } from './events';

type Ev = Record<string, unknown>;

const call = (eventSource: string, eventName: string, extra: Ev = {}): Ev => anEvent({ eventSource, eventName, readOnly: false, ...extra });
const names = (source: string, list: string): Ev[] => list.split(',').map((n) => call(source, n));
const iam = (eventName: string, requestParameters: Ev | null, extra: Ev = {}): Ev => call('iam.amazonaws.com', eventName, { requestParameters, ...extra });
const s3 = (eventName: string, requestParameters: Ev): Ev => call('s3.amazonaws.com', eventName, { requestParameters: { bucketName: 'b', ...requestParameters } });
const T0 = Date.UTC(2024, 2, 1, 10);
/** `count` calls `minutes` apart (from T0), by `user`. */
const series = (count: number, minutes: number, make: (extra: Ev) => Ev, user = 'alice'): Ev[] =>
  Array.from({ length: count }, (_, i) =>
    make({
      eventTime: new Date(T0 + i * minutes * 60_000).toISOString(),
      userIdentity: { type: 'IAMUser', userName: user, arn: `arn:aws:iam::111122223333:user/${user}`, accountId: '111122223333' },
    }),
  );
const root = (extra: Ev = {}): Ev => ({ type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333', ...extra });
const role = { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/ops/s', sessionContext: { sessionIssuer: { type: 'Role', userName: 'ops' } } };
const policy = (principal: unknown, effect = 'Allow'): Ev => ({ bucketPolicy: { Version: '2012-10-17', Statement: [{ Effect: effect, Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] } });

export const CASES: Record<string, { pos: Ev[]; neg: Ev[] }> = {
  'cis-4.1': {
    pos: [anEvent({ errorCode: 'Client.UnauthorizedOperation' }), anEvent({ errorCode: 'AccessDenied' }), anEvent({ errorCode: 'AccessDeniedException' })],
    neg: [anEvent({ errorCode: 'ThrottlingException' }), anEvent(), anEvent({ errorCode: 'NoSuchBucket' })],
  },
  'cis-4.2': {
    pos: [call('signin.amazonaws.com', 'ConsoleLogin', { additionalEventData: { MFAUsed: 'No' } }), call('signin.amazonaws.com', 'ConsoleLogin')],
    neg: [call('signin.amazonaws.com', 'ConsoleLogin', { additionalEventData: { MFAUsed: 'Yes' } }), anEvent({ additionalEventData: { MFAUsed: 'No' } })],
  },
  'cis-4.3': {
    pos: [call('signin.amazonaws.com', 'ConsoleLogin', { userIdentity: root() }), anEvent({ userIdentity: root() })],
    neg: [anEvent({ userIdentity: root({ invokedBy: 'support.amazonaws.com' }) }), anEvent({ userIdentity: root(), eventType: 'AwsServiceEvent' }), anEvent()],
  },
  'cis-4.4': {
    pos: names('iam.amazonaws.com', 'DeleteGroupPolicy,DeleteRolePolicy,DeleteUserPolicy,PutGroupPolicy,PutRolePolicy,PutUserPolicy,CreatePolicy,DeletePolicy,CreatePolicyVersion,DeletePolicyVersion,AttachRolePolicy,DetachRolePolicy,AttachUserPolicy,DetachUserPolicy,AttachGroupPolicy,DetachGroupPolicy'),
    neg: names('iam.amazonaws.com', 'GetPolicy,ListPolicies,SetDefaultPolicyVersion'),
  },
  'cis-4.5': { pos: names('cloudtrail.amazonaws.com', 'CreateTrail,UpdateTrail,DeleteTrail,StartLogging,StopLogging'), neg: names('cloudtrail.amazonaws.com', 'DescribeTrails,GetTrailStatus,PutEventSelectors') },
  'cis-4.6': {
    pos: [call('signin.amazonaws.com', 'ConsoleLogin', { errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' } })],
    neg: [call('signin.amazonaws.com', 'ConsoleLogin', { responseElements: { ConsoleLogin: 'Success' } }), anEvent({ errorMessage: 'Failed authentication' })],
  },
  'cis-4.7': { pos: names('kms.amazonaws.com', 'DisableKey,ScheduleKeyDeletion'), neg: [...names('kms.amazonaws.com', 'EnableKey,CancelKeyDeletion'), call('other.amazonaws.com', 'DisableKey')] },
  'cis-4.8': {
    pos: names('s3.amazonaws.com', 'PutBucketAcl,PutBucketPolicy,PutBucketCors,PutBucketLifecycle,PutBucketReplication,DeleteBucketPolicy,DeleteBucketCors,DeleteBucketLifecycle,DeleteBucketReplication'),
    neg: names('s3.amazonaws.com', 'GetBucketPolicy,PutBucketTagging,PutObject'),
  },
  'cis-4.9': { pos: names('config.amazonaws.com', 'StopConfigurationRecorder,DeleteDeliveryChannel,PutDeliveryChannel,PutConfigurationRecorder'), neg: names('config.amazonaws.com', 'StartConfigurationRecorder,DescribeConfigurationRecorders') },
  'cis-4.10': {
    pos: names('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress,AuthorizeSecurityGroupEgress,RevokeSecurityGroupIngress,RevokeSecurityGroupEgress,CreateSecurityGroup,DeleteSecurityGroup'),
    neg: names('ec2.amazonaws.com', 'DescribeSecurityGroups,ModifySecurityGroupRules'),
  },
  'cis-4.11': {
    pos: names('ec2.amazonaws.com', 'CreateNetworkAcl,CreateNetworkAclEntry,DeleteNetworkAcl,DeleteNetworkAclEntry,ReplaceNetworkAclEntry,ReplaceNetworkAclAssociation'),
    neg: names('ec2.amazonaws.com', 'DescribeNetworkAcls'),
  },
  'cis-4.12': {
    pos: names('ec2.amazonaws.com', 'CreateCustomerGateway,DeleteCustomerGateway,AttachInternetGateway,CreateInternetGateway,DeleteInternetGateway,DetachInternetGateway'),
    neg: names('ec2.amazonaws.com', 'DescribeInternetGateways,CreateNatGateway'),
  },
  'cis-4.13': {
    pos: names('ec2.amazonaws.com', 'CreateRoute,CreateRouteTable,ReplaceRoute,ReplaceRouteTableAssociation,DeleteRouteTable,DeleteRoute,DisassociateRouteTable'),
    // API Gateway has a CreateRoute of its own; AssociateRouteTable is not in the CIS set.
    neg: [call('apigateway.amazonaws.com', 'CreateRoute'), call('ec2.amazonaws.com', 'AssociateRouteTable')],
  },
  'cis-4.14': {
    pos: names('ec2.amazonaws.com', 'CreateVpc,DeleteVpc,ModifyVpcAttribute,AcceptVpcPeeringConnection,CreateVpcPeeringConnection,DeleteVpcPeeringConnection,RejectVpcPeeringConnection,AttachClassicLinkVpc,DetachClassicLinkVpc,DisableVpcClassicLink,EnableVpcClassicLink'),
    neg: names('ec2.amazonaws.com', 'DescribeVpcs,CreateSubnet'),
  },
  'cis-4.15': {
    pos: names('organizations.amazonaws.com', 'AcceptHandshake,AttachPolicy,CreateAccount,CreateOrganizationalUnit,CreatePolicy,DeclineHandshake,DeleteOrganization,DeleteOrganizationalUnit,DeletePolicy,DetachPolicy,DisablePolicyType,EnablePolicyType,InviteAccountToOrganization,LeaveOrganization,MoveAccount,RemoveAccountFromOrganization,UpdatePolicy,UpdateOrganizationalUnit'),
    neg: [...names('organizations.amazonaws.com', 'DescribeOrganization,ListAccounts'), iam('CreatePolicy', null)],
  },
  'cloudtrail-stopped': { pos: names('cloudtrail.amazonaws.com', 'StopLogging'), neg: names('cloudtrail.amazonaws.com', 'StartLogging') },
  'cloudtrail-deleted': { pos: names('cloudtrail.amazonaws.com', 'DeleteTrail'), neg: names('cloudtrail.amazonaws.com', 'CreateTrail') },
  'cloudtrail-selectors-reduced': {
    pos: [
      { readWriteType: 'All', includeManagementEvents: false, excludeManagementEventSources: [] },
      { readWriteType: 'WriteOnly', includeManagementEvents: true },
      { readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: ['kms.amazonaws.com'] },
    ].map((sel) => call('cloudtrail.amazonaws.com', 'PutEventSelectors', { requestParameters: { trailName: 't', eventSelectors: [sel] } })),
    neg: [call('cloudtrail.amazonaws.com', 'PutEventSelectors', { requestParameters: { trailName: 't', eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: [] }] } })],
  },
  'guardduty-disabled': {
    pos: [call('guardduty.amazonaws.com', 'DeleteDetector'), call('guardduty.amazonaws.com', 'UpdateDetector', { requestParameters: { detectorId: 'd', enable: false } })],
    neg: [call('guardduty.amazonaws.com', 'UpdateDetector', { requestParameters: { detectorId: 'd', enable: true } }), call('guardduty.amazonaws.com', 'GetDetector')],
  },
  'config-disabled': { pos: names('config.amazonaws.com', 'StopConfigurationRecorder,DeleteConfigurationRecorder,DeleteDeliveryChannel'), neg: names('config.amazonaws.com', 'StartConfigurationRecorder') },
  'securityhub-disabled': { pos: names('securityhub.amazonaws.com', 'DisableSecurityHub,BatchDisableStandards'), neg: names('securityhub.amazonaws.com', 'EnableSecurityHub,GetFindings') },
  'flow-logs-deleted': { pos: names('ec2.amazonaws.com', 'DeleteFlowLogs'), neg: names('ec2.amazonaws.com', 'CreateFlowLogs,DescribeFlowLogs') },
  'secrets-burst': {
    pos: series(10, 0.4, (x) => call('secretsmanager.amazonaws.com', 'GetSecretValue', x)),
    // Nine in a burst; ten spread over nine minutes; ten split between two principals.
    neg: [
      ...series(9, 0.1, (x) => call('secretsmanager.amazonaws.com', 'GetSecretValue', x), 'carol'),
      ...series(10, 1, (x) => call('secretsmanager.amazonaws.com', 'GetSecretValue', x), 'dave'),
      ...series(5, 0.1, (x) => call('secretsmanager.amazonaws.com', 'GetSecretValue', x), 'erin'),
      ...series(5, 0.1, (x) => call('secretsmanager.amazonaws.com', 'GetSecretValue', x), 'frank'),
    ],
  },
  'ssm-parameters-burst': {
    pos: series(10, 0.2, (x) => call('ssm.amazonaws.com', 'GetParameter', { requestParameters: { name: 'p', withDecryption: true }, ...x })),
    neg: series(10, 0.2, (x) => call('ssm.amazonaws.com', 'GetParameter', { requestParameters: { name: 'p', withDecryption: false }, ...x })),
  },
  'ec2-password-data': { pos: names('ec2.amazonaws.com', 'GetPasswordData'), neg: names('ec2.amazonaws.com', 'GetConsoleOutput') },
  'access-key-for-other-user': {
    pos: [iam('CreateAccessKey', { userName: 'bob' }), iam('CreateAccessKey', { userName: 'bob' }, { userIdentity: role })],
    neg: [iam('CreateAccessKey', { userName: 'alice' }), iam('CreateAccessKey', { userName: 'ALICE' }), iam('CreateAccessKey', null), iam('DeleteAccessKey', { userName: 'bob' })],
  },
  'login-profile-for-other-user': {
    pos: [iam('CreateLoginProfile', { userName: 'bob' }), iam('UpdateLoginProfile', { userName: 'bob' })],
    neg: [iam('UpdateLoginProfile', { userName: 'alice' }), iam('GetLoginProfile', { userName: 'bob' })],
  },
  'admin-policy-attached': {
    pos: ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'].map((n) => iam(n, { userName: 'eve', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })),
    neg: [iam('AttachUserPolicy', { userName: 'eve', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }), iam('AttachRolePolicy', { roleName: 'r', policyArn: 'arn:aws:iam::1:policy/NotAdministratorAccess' }), iam('DetachUserPolicy', { userName: 'eve', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })],
  },
  'iam-user-created': { pos: [iam('CreateUser', { userName: 'eve' })], neg: [iam('CreateUser', { userName: 'eve' }, { errorCode: 'AccessDenied' }), iam('GetUser', { userName: 'eve' })] },
  'trust-policy-changed': { pos: [iam('UpdateAssumeRolePolicy', { roleName: 'r', policyDocument: '{}' })], neg: [iam('GetRole', { roleName: 'r' })] },
  'ebs-snapshot-shared': {
    pos: [{ userId: '999988887777' }, { group: 'all' }].map((item) => call('ec2.amazonaws.com', 'ModifySnapshotAttribute', { requestParameters: { snapshotId: 's', createVolumePermission: { add: { items: [item] } } } })),
    neg: [call('ec2.amazonaws.com', 'ModifySnapshotAttribute', { requestParameters: { snapshotId: 's', createVolumePermission: { remove: { items: [{ userId: '999988887777' }] } } } })],
  },
  'ami-shared': {
    pos: [call('ec2.amazonaws.com', 'ModifyImageAttribute', { requestParameters: { imageId: 'ami-1', launchPermission: { add: { items: [{ group: 'all' }] } } } })],
    neg: [call('ec2.amazonaws.com', 'ModifyImageAttribute', { requestParameters: { imageId: 'ami-1', launchPermission: { remove: { items: [{ userId: '999988887777' }] } } } })],
  },
  'rds-snapshot-shared': {
    pos: [call('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', { requestParameters: { dBSnapshotIdentifier: 'x', attributeName: 'restore', valuesToAdd: ['all'] } })],
    neg: [
      call('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', { requestParameters: { dBSnapshotIdentifier: 'x', attributeName: 'restore', valuesToRemove: ['999988887777'] } }),
      call('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', { requestParameters: { dBSnapshotIdentifier: 'x', attributeName: 'other', valuesToAdd: ['v'] } }),
    ],
  },
  's3-bucket-acl-public': {
    pos: [
      s3('PutBucketAcl', { AccessControlPolicy: { AccessControlList: { Grant: [{ Grantee: { 'xsi:type': 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] } } }),
      s3('PutBucketAcl', { 'x-amz-acl': ['public-read'] }),
    ],
    neg: [s3('PutBucketAcl', { AccessControlPolicy: { AccessControlList: { Grant: { Grantee: { 'xsi:type': 'CanonicalUser', ID: 'abc' }, Permission: 'FULL_CONTROL' } } } }), s3('PutBucketAcl', { 'x-amz-acl': ['private'] })],
  },
  's3-bucket-policy-public': {
    pos: [s3('PutBucketPolicy', policy('*')), s3('PutBucketPolicy', policy({ AWS: '*' }))],
    neg: [s3('PutBucketPolicy', policy({ Service: 'cloudtrail.amazonaws.com' })), s3('PutBucketPolicy', policy({ AWS: 'arn:aws:iam::111122223333:root' }))],
  },
  's3-bucket-policy-cross-account': {
    pos: [s3('PutBucketPolicy', policy({ AWS: 'arn:aws:iam::999988887777:root' })), s3('PutBucketPolicy', policy({ AWS: ['arn:aws:iam::111122223333:role/x', '999988887777'] }))],
    neg: [s3('PutBucketPolicy', policy({ AWS: 'arn:aws:iam::111122223333:root' })), s3('PutBucketPolicy', policy({ Service: 'cloudtrail.amazonaws.com' }))],
  },
  's3-public-access-block-removed': {
    pos: [s3('DeletePublicAccessBlock', {}), s3('PutPublicAccessBlock', { PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } })],
    neg: [s3('PutPublicAccessBlock', { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }), s3('GetPublicAccessBlock', {})],
  },
};
