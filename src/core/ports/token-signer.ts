// The TokenSigner port: signs and verifies the short-lived registry tokens (JWTs) of Docker token auth.
import type { ScopeEntry } from '../access/scopes.js';

/** The claims Berth puts in a registry token. https://distribution.github.io/distribution/spec/auth/jwt/ */
export interface RegistryClaims {
  /** Subject: the user or robot name ('' for anonymous). */
  sub: string;
  /** Audience: the registry service name. */
  aud: string;
  /** Who the subject is, so the registry can rebuild the principal without a lookup. */
  kind: 'anonymous' | 'user' | 'robot';
  /** Database id of the user or robot (0 for anonymous). */
  uid: number;
  /** Granted access, as the spec's `access` claim. */
  access: ScopeEntry[];
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** Signs and verifies registry tokens. */
export interface TokenSigner {
  sign(claims: RegistryClaims): Promise<string>;
  /** The verified claims, or null for a token that is malformed, tampered, expired or for another audience. */
  verify(token: string, audience: string): Promise<RegistryClaims | null>;
}
