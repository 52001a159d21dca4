/**
 * Credentials for a profile through the SDK's own providers: `fromIni` covers static keys,
 * assume-role (source_profile / credential_source, with MFA), SSO and credential_process;
 * `fromEnv` the environment. One cached provider per profile serves every region, so an MFA
 * code is asked once, not once per region. Nothing here logs or returns secrets.
 */
import { fromEnv, fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ENV_PROFILE_NAME } from '../core/profiles';

export interface CredentialPrompts {
  /** Asks the user for the current MFA code of `serial`; rejects when they cancel. */
  mfaCode(serial: string): Promise<string>;
}

/** Renew this long before expiry, so a page load never starts with credentials about to lapse. */
const EARLY_MS = 5 * 60_000;

/** Caches one resolution at a time; failures are not cached (the next call tries again). */
export function cached(provider: AwsCredentialIdentityProvider, now: () => number = Date.now): AwsCredentialIdentityProvider & { reset(): void } {
  let current: Promise<AwsCredentialIdentity> | undefined;
  const get = async (): Promise<AwsCredentialIdentity> => {
    if (current) {
      const c = await current.catch(() => undefined);
      if (c && (!c.expiration || c.expiration.getTime() - EARLY_MS > now())) return c;
    }
    const attempt = provider();
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  };
  return Object.assign(get, { reset: () => (current = undefined) });
}


export class CredentialCache {
  private readonly providers = new Map<string, ReturnType<typeof cached>>();

  constructor(private readonly prompts: CredentialPrompts) {}

  /** The provider for a profile name (ENV_PROFILE_NAME for environment variables). */
  forProfile(profile: string): AwsCredentialIdentityProvider {
    let p = this.providers.get(profile);
    if (!p) {
      const base = profile === ENV_PROFILE_NAME ? fromEnv() : fromIni({ profile, mfaCodeProvider: (serial) => this.prompts.mfaCode(serial) });
      this.providers.set(profile, (p = cached(base)));
    }
    return p;
  }

  /** Forgets cached credentials (after an SSO login, or a refresh by the user). */
  reset(profile?: string): void {
    if (profile) this.providers.delete(profile);
    else this.providers.clear();
  }
}
