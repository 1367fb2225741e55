// Docker registry token auth: the token endpoint grants the intersection of what was asked and what
// the caller may do (never an error for asking more), and the registry checks requests against the
// token's `access` claim. https://distribution.github.io/distribution/spec/auth/token/
import type { Clock } from '../ports/clock.js';
import type { RegistryClaims, TokenSigner } from '../ports/token-signer.js';
import type { AccessService } from './access-service.js';
import { projectOf, type Action, type Principal } from './permissions.js';
import { parseScopes, type ScopeEntry } from './scopes.js';

/** A token response body, as docker, containerd, skopeo and oras read it. */
export interface IssuedToken {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

const REPOSITORY_ACTIONS: Record<string, Action> = { pull: 'pull', push: 'push', delete: 'delete' };

/** Issues and checks registry tokens. */
export class RegistryTokenService {
  constructor(
    private readonly access: AccessService,
    private readonly signer: TokenSigner,
    private readonly clock: Clock,
    readonly service: string,
    private readonly ttlSeconds: number,
  ) {}

  /** Issues a token for `principal` covering what it may do of the requested scopes. */
  async issue(principal: Principal, scopes: readonly string[]): Promise<IssuedToken> {
    const granted: ScopeEntry[] = [];
    for (const entry of parseScopes(scopes)) {
      const actions = await this.grant(principal, entry);
      if (actions.length > 0) granted.push({ type: entry.type, name: entry.name, actions });
    }
    const now = this.clock.now();
    const claims: RegistryClaims = {
      sub: principal.kind === 'anonymous' ? '' : principal.name,
      aud: this.service,
      kind: principal.kind,
      uid: principal.kind === 'anonymous' ? 0 : principal.id,
      access: granted,
      exp: Math.floor(now.getTime() / 1000) + this.ttlSeconds,
    };
    const token = await this.signer.sign(claims);
    return { token, access_token: token, expires_in: this.ttlSeconds, issued_at: now.toISOString() };
  }

  /** The claims of a valid token for this registry, or null. */
  async verify(token: string): Promise<RegistryClaims | null> {
    return this.signer.verify(token, this.service);
  }

  private async grant(principal: Principal, entry: ScopeEntry): Promise<string[]> {
    if (entry.type === 'registry' && entry.name === 'catalog') return principal.kind === 'anonymous' || !entry.actions.includes('*') ? [] : ['*'];
    if (entry.type !== 'repository') return [];
    const project = projectOf(entry.name);
    const wanted = entry.actions.includes('*') ? Object.keys(REPOSITORY_ACTIONS) : entry.actions;
    const out: string[] = [];
    for (const action of wanted) {
      const mapped = REPOSITORY_ACTIONS[action];
      if (!mapped) continue;
      if ((await this.access.can(principal, project, mapped)) || (mapped === 'push' && (await this.access.ensureProjectForPush(principal, project)))) {
        out.push(action);
      }
    }
    return out;
  }
}
