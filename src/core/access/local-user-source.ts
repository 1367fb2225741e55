// Local accounts as a UserSource: scrypt hashes in the AccessStore, with the same cost whether or not
// the user exists so response times do not reveal account names.
import type { AccessStore, UserRecord } from '../ports/access-store.js';
import type { UserSource } from '../ports/user-source.js';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './secrets.js';

/** Verifies passwords of local accounts. */
export class LocalUserSource implements UserSource {
  constructor(private readonly store: AccessStore) {}

  async verifyPassword(username: string, password: string): Promise<UserRecord | null> {
    const user = await this.store.getUserByName(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    return user && ok && !user.disabled ? user : null;
  }
}
