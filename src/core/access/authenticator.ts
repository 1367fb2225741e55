// Turns presented credentials into a Principal: Basic (user password, user + personal token, robot
// name + secret) and bearer secrets (personal tokens, robot secrets). Failures are throttled per
// account and address; successful password checks are cached briefly so Basic-per-request clients
// do not pay scrypt on every request.
import { createHash } from 'node:crypto';
import type { AccessStore, UserRecord } from '../ports/access-store.js';
import type { Clock } from '../ports/clock.js';
import type { UserSource } from '../ports/user-source.js';
import { parseCredential } from './credentials.js';
import { LoginThrottle } from './login-throttle.js';
import type { Principal } from './permissions.js';
import { secretMatches } from './secrets.js';

const CACHE_TTL_MS = 60_000;

/** Resolves credentials to principals. */
export class Authenticator {
  private readonly throttle = new LoginThrottle();
  private readonly passwordCache = new Map<string, { userId: number; until: number }>();

  constructor(
    private readonly store: AccessStore,
    private readonly users: UserSource,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Checks `username`/`password` from a Basic header or a login form; null when they are wrong. */
  async basic(username: string, password: string, source: string): Promise<Principal | null> {
    const key = `${username}\u0000${source}`;
    const delay = this.throttle.delayFor(key);
    if (delay > 0) await this.sleep(delay);
    const principal = await this.checkBasic(username, password);
    if (principal) this.throttle.succeed(key);
    else this.throttle.fail(key);
    return principal;
  }

  /** Checks a bearer secret (personal access token or robot secret); null when not valid now. */
  async bearerSecret(token: string, source: string): Promise<Principal | null> {
    const key = `bearer\u0000${source}`;
    const delay = this.throttle.delayFor(key);
    if (delay > 0) await this.sleep(delay);
    const principal = await this.checkSecret(token);
    if (principal) this.throttle.succeed(key);
    else this.throttle.fail(key);
    return principal;
  }

  /** Forgets cached password checks (after a password change or a user is disabled). */
  forgetCached(): void {
    this.passwordCache.clear();
  }

  private async checkBasic(username: string, password: string): Promise<Principal | null> {
    if (username.startsWith('robot$')) {
      const robot = await this.checkSecret(password);
      return robot?.kind === 'robot' && robot.name === username ? robot : null;
    }
    const credential = parseCredential(password);
    if (credential?.kind === 'pat') {
      const principal = await this.checkSecret(password);
      return principal?.kind === 'user' && principal.name === username ? principal : null;
    }
    const cacheKey = createHash('sha256').update(`${username}\u0000${password}`).digest('hex');
    const cached = this.passwordCache.get(cacheKey);
    const now = this.clock.now().getTime();
    if (cached && cached.until > now) {
      const user = await this.store.getUserById(cached.userId);
      if (user && !user.disabled && user.username === username) return userPrincipal(user);
    }
    const user = await this.users.verifyPassword(username, password);
    if (!user) return null;
    this.passwordCache.set(cacheKey, { userId: user.id, until: now + CACHE_TTL_MS });
    return userPrincipal(user);
  }

  private async checkSecret(token: string): Promise<Principal | null> {
    const credential = parseCredential(token);
    if (!credential) return null;
    const now = this.clock.now();
    if (credential.kind === 'pat') {
      const record = await this.store.getToken(credential.id);
      if (!record || !secretMatches(credential.secret, record.secretHash)) return null;
      if (record.revokedAt || (record.expiresAt && record.expiresAt <= now)) return null;
      const user = await this.store.getUserById(record.userId);
      if (!user || user.disabled) return null;
      await this.store.touchToken(record.id, now);
      return { ...userPrincipal(user), tokenScopes: record.scopes };
    }
    const robot = await this.store.getRobot(credential.id);
    if (!robot || !secretMatches(credential.secret, robot.secretHash)) return null;
    if (robot.disabled || (robot.expiresAt && robot.expiresAt <= now)) return null;
    return { kind: 'robot', id: robot.id, name: robot.name, project: robot.project, actions: robot.actions };
  }
}

/** The principal of a user account. */
export function userPrincipal(user: UserRecord): Extract<Principal, { kind: 'user' }> {
  return { kind: 'user', id: user.id, name: user.username, sysadmin: user.sysadmin };
}
