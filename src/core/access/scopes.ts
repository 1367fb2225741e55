// Docker registry token scopes: `repository:<name>:<action>[,<action>]` and `registry:catalog:*`.
// https://distribution.github.io/distribution/spec/auth/scope/

/** One requested or granted scope entry. */
export interface ScopeEntry {
  type: string;
  name: string;
  actions: string[];
}

/** Parses space-separated scope strings; malformed entries are dropped (never an error, per the spec). */
export function parseScopes(values: readonly string[]): ScopeEntry[] {
  const out: ScopeEntry[] = [];
  for (const value of values) {
    for (const item of value.split(' ')) {
      const first = item.indexOf(':');
      const last = item.lastIndexOf(':');
      if (first <= 0 || last === first) continue;
      const type = item.slice(0, first).replace(/\(.*\)$/, '');
      const name = item.slice(first + 1, last);
      const actions = item
        .slice(last + 1)
        .split(',')
        .filter((a) => a !== '');
      if (name === '' || actions.length === 0) continue;
      out.push({ type, name, actions });
    }
  }
  return out;
}

/** Formats a scope entry back into its string form (used in WWW-Authenticate challenges). */
export function formatScope(entry: ScopeEntry): string {
  return `${entry.type}:${entry.name}:${entry.actions.join(',')}`;
}

/** True when the granted entries cover `action` on repository `name`. */
export function scopeGrants(granted: readonly ScopeEntry[], type: string, name: string, action: string): boolean {
  return granted.some((g) => g.type === type && g.name === name && (g.actions.includes(action) || g.actions.includes('*')));
}
