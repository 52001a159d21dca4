/**
 * Credentials for a profile through the SDK's own providers: `fromIni` covers static keys,
 * assume-role (source_profile / credential_source, with MFA), SSO and credential_process;
 * `fromEnv` the environment. One cached provider per profile serves every region, so an MFA
 * code is asked once, not once per region. Nothing here logs or returns secrets.
 */
import { fromEnv, fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ENV_PROFILE_NAME } from '../core/aws/profiles';

export interface CredentialPrompts {
  /** Asks the user for the current MFA code of `serial`; rejects when they cancel. */
  mfaCode(serial: string): Promise<string>;
}

/** Renew this long before expiry, so a page load never starts with credentials about to lapse. */
const EARLY_MS = 5 * 60_000;

/** Caches one resolution at a time; failures are not cached (the next call tries again). */
export function cached(
  provider: AwsCredentialIdentityProvider,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  const valid = (c: AwsCredentialIdentity | undefined): c is AwsCredentialIdentity =>
    !!c && (!c.expiration || c.expiration.getTime() - EARLY_MS > now());
  const get = async (): Promise<AwsCredentialIdentity> => {
    while (current) {
      const seen = current;
      const c = await seen.catch(() => undefined);
      if (valid(c)) return c;
      // Stale or failed: the first caller back starts the renewal (no await between the check and
      // the assignment below); the others see a new promise and join it, so MFA is asked once.
      if (current === seen) break;
    }
    const attempt = provider();
    current = attempt;
    attempt.catch(() => {
      if (current === attempt) current = undefined;
    });
    return attempt;
  };
  return get;
}

export class CredentialCache {
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();

  constructor(private readonly prompts: CredentialPrompts) {}

  /** The provider for a profile name (ENV_PROFILE_NAME for environment variables). */
  forProfile(profile: string): AwsCredentialIdentityProvider {
    let p = this.providers.get(profile);
    if (!p) {
      // ignoreCache: the SDK otherwise keeps the files' first reading for the life of the process,
      // and edited keys or roles would be ignored until VS Code restarts.
      const base =
        profile === ENV_PROFILE_NAME
          ? fromEnv()
          : fromIni({ profile, ignoreCache: true, mfaCodeProvider: (serial) => this.prompts.mfaCode(serial) });
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
