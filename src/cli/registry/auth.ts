// Client side of registry authentication: parses WWW-Authenticate challenges and fetches Bearer
// tokens from the realm with Basic credentials, as docker and skopeo do.
// https://distribution.github.io/distribution/spec/auth/token/

/** Credentials the CLI can present. */
export type ClientCredentials = { username: string; secret: string } | { bearer: string } | undefined;

/** A parsed challenge. */
export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses one WWW-Authenticate header value (the first challenge in it). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2]!.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

/** The Basic header for credentials, if they are a username and secret. */
export function basicHeader(creds: ClientCredentials): string | undefined {
  if (!creds || !('username' in creds)) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}`;
}

/** Fetches a Bearer token from a challenge's realm for `scopes`, with its lifetime in seconds. */
export async function fetchToken(challenge: Challenge, scopes: string[], creds: ClientCredentials): Promise<{ token: string; expiresIn: number }> {
  const realm = challenge.params.realm;
  if (!realm) throw new Error('the registry asked for a token but named no realm');
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  const basic = basicHeader(creds);
  if (basic) headers.authorization = basic;
  else if (creds && 'bearer' in creds) headers.authorization = `Bearer ${creds.bearer}`;
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(res.status === 401 ? 'authentication failed: check your credentials (berth login)' : `token request failed with HTTP ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
  const token = body.access_token ?? body.token;
  if (!token) throw new Error('the token server answered without a token');
  return { token, expiresIn: Math.max(60, Number(body.expires_in) || 60) };
}
