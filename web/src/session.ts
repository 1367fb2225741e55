// The signed-in user, kept in sessionStorage (gone when the tab closes): a short-lived personal
// access token created at login with the password, which is never stored. Logout revokes the token.

/** What is kept for a signed-in user. */
export interface Session {
  username: string;
  sysadmin: boolean;
  /** The token's id (for revoking it) and its secret (sent as `Authorization: Bearer`). */
  tokenId: string;
  token: string;
  expiresAt: string | null;
}

const KEY = 'berth.session';
/** Lifetime of a UI login token, in days (the tokens API accepts fractions): 12 hours. */
export const LOGIN_TOKEN_DAYS = 0.5;

/** The current session, or null when browsing anonymously (or when the token has expired). */
export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || typeof s.tokenId !== 'string') return null;
    if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

/** Stores `session` for this tab. */
export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

/** Forgets the session (the token itself is revoked by the caller). */
export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** The `Authorization: Basic` value for a username and password (UTF-8, as the server decodes it). */
export function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
