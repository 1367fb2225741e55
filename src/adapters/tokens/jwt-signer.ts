// TokenSigner with JWTs (HS256, jose). The key lives in the AccessStore so every replica signs and
// verifies with the same one.
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT, errors } from 'jose';
import type { AccessStore, SigningKey } from '../../core/ports/access-store.js';
import type { RegistryClaims, TokenSigner } from '../../core/ports/token-signer.js';

const ISSUER = 'berth';

/** Creates a signer using the deployment's shared key. */
export async function createJwtSigner(store: AccessStore): Promise<TokenSigner> {
  const key = await store.signingKey(newKey);
  return {
    async sign(claims: RegistryClaims): Promise<string> {
      const { sub, aud, exp, ...rest } = claims;
      return new SignJWT({ ...rest })
        .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt()
        .setNotBefore(Math.floor(Date.now() / 1000) - 5)
        .setExpirationTime(exp)
        .setJti(randomBytes(12).toString('hex'))
        .sign(key.secret);
    },
    async verify(token: string, audience: string): Promise<RegistryClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key.secret, { issuer: ISSUER, audience, algorithms: ['HS256'] });
        if (!Array.isArray(payload.access) || typeof payload.kind !== 'string' || typeof payload.uid !== 'number') return null;
        return { sub: payload.sub ?? '', aud: audience, kind: payload.kind as RegistryClaims['kind'], uid: payload.uid, access: payload.access as RegistryClaims['access'], exp: payload.exp ?? 0 };
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
  };
}

function newKey(): SigningKey {
  return { kid: randomBytes(8).toString('hex'), secret: randomBytes(32), createdAt: new Date() };
}
