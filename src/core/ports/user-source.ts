// The UserSource port: who checks a user's password. Local accounts today; an OIDC or LDAP source
// can be added beside it without touching tokens, robots or permissions.
import type { UserRecord } from './access-store.js';

/** Verifies user credentials against an identity source. */
export interface UserSource {
  /** The active user whose password this is, or null (wrong password, unknown or disabled user). */
  verifyPassword(username: string, password: string): Promise<UserRecord | null>;
}
