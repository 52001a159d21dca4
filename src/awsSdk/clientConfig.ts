/**
 * The settings every SDK client of the extension shares (CloudTrail, S3): the profile's
 * credentials and config-file settings, the region, the endpoint override, and a bound on every
 * request. Each adapter adds its own (retries, path-style addressing…).
 */
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ENV_PROFILE_NAME } from '../core/aws/profiles';

/** Where and as whom a client talks. */
export interface ClientTarget {
  profile: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** The endpoint override setting; the SDK also honours AWS_ENDPOINT_URL_<SERVICE>. */
  endpoint?: string;
  /** Per-request timeout. */
  timeoutMs: number;
}

/** The shared part of a client configuration for `t`; spread it and add the adapter's own. */
export function clientBase(t: ClientTarget) {
  return {
    // Settings the SDK reads from the config file (endpoint_url, retry mode…) are this profile's;
    // the environment pseudo-profile has none.
    profile: t.profile === ENV_PROFILE_NAME ? undefined : t.profile,
    region: t.region,
    credentials: t.credentials,
    endpoint: t.endpoint || undefined,
    // Without throwOnRequestTimeout a late answer is only logged, and the request waits on.
    requestHandler: {
      requestTimeout: t.timeoutMs,
      connectionTimeout: Math.min(t.timeoutMs, 10_000),
      throwOnRequestTimeout: true,
    },
  };
}
