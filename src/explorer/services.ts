/** What the explorer's nodes need from the rest of the extension, injected by the provider. */
import type { CloudTrailApi } from '../awsSdk/cloudTrail';
import type { ExplainedError } from '../core/aws/awsErrors';
import type { AwsProfile } from '../core/aws/profiles';
import type { CtRecord } from '../core/model/records';
import type { ExplorerNode } from './explorerNode';

export interface ExplorerServices {
  /** The API for a profile and region (cached, so rate limits and credentials are shared). */
  api(profile: string, region: string): CloudTrailApi;
  explain(err: unknown, profile: AwsProfile, region: string): ExplainedError;
  /** Regions shown under a profile. */
  regionsFor(profile: AwsProfile): string[];
  /** Redraws a node (or the whole tree). */
  refresh(node?: ExplorerNode): void;
  /** Opens an event from a node in the event view. */
  openEvent(record: CtRecord, from: ExplorerNode): void;
  now(): number;
}
