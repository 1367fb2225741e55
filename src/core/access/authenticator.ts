// Turns presented credentials into a Principal: Basic (user password, user + personal token, robot
// name + secret) and bearer secrets (personal tokens, robot secrets). Failures are throttled per
// account and address, counted in the store all replicas share; successful password checks are cached
// briefly so Basic-per-request clients do not pay scrypt on every request.
import { createHash } from 'node:crypto';
import type { AccessStore, UserRecord } from '../ports/access-store.js';
import type { Clock } from '../ports/clock.js';
import type { UserSource } from '../ports/user-source.js';
import { parseCredential } from './credentials.js';
import { LoginThrottle, throttleKey } from './login-throttle.js';
import type { Principal } from './permissions.js';
import { secretMatches } from './secrets.js';

const CACHE_TTL_MS = 60_000;

/** Resolves credentials to principals. */
export class Authenticator {
  private readonly throttle: LoginThrottle;
  private readonly passwordCache = new Map<string, { userId: number; until: number }>();

  constructor(
    private readonly store: AccessStore,
    private readonly users: UserSource,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.throttle = new LoginThrottle(store, clock);
  }

  /** Checks `username`/`password` from a Basic header or a login form; null when they are wrong. */
  async basic(username: string, password: string, source: string): Promise<Principal | null> {
    return this.throttled(throttleKey(`basic\u0000${username}`, source), () => this.checkBasic(username, password));
  }

  /** Checks a bearer secret (personal access token or robot secret); null when not valid now. */
  async bearerSecret(token: string, source: string): Promise<Principal | null> {
    return this.throttled(throttleKey('bearer', source), () => this.checkSecret(token));
  }

  private async throttled(key: string, check: () => Promise<Principal | null>): Promise<Principal | null> {
    const { delayMs, recorded } = await this.throttle.check(key);
    if (delayMs > 0) await this.sleep(delayMs);
    const principal = await check();
    if (!principal) await this.throttle.fail(key);
    else if (recorded) await this.throttle.succeed(key);
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
