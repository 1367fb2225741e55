// Lists a project's repositories. Signed in, they come from the OCI catalog (`/v2/_catalog`, which
// shows only what the caller may pull), read from the project's first name onwards; the catalog
// refuses anonymous callers, so anonymous visitors get the project's models instead.
import { ApiError, call, json } from './api.js';
import type { Model } from './types.js';

/** Repository names of `project`, and whether they came from the catalog (else: models only). */
export async function projectRepositories(project: string, signedIn: boolean): Promise<{ names: string[]; fromCatalog: boolean }> {
  if (signedIn) {
    try {
      return { names: await fromCatalog(project), fromCatalog: true };
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) throw err;
    }
  }
  const models = await json<Model[]>(`/api/v1/models?project=${encodeURIComponent(project)}&state=all&limit=1000`);
  return { names: models.map((m) => m.name).sort(), fromCatalog: false };
}

async function fromCatalog(project: string): Promise<string[]> {
  const prefix = `${project}/`;
  // Names use [a-z0-9._/-]; "<project>.~" sorts after every "<project>.x" and before "<project>/".
  let last = `${project}.~`;
  const names: string[] = [];
  for (let page = 0; page < 50; page++) {
    const res = await call(`/v2/_catalog?n=1000&last=${encodeURIComponent(last)}`);
    const { repositories = [] } = (await res.json()) as { repositories?: string[] };
    for (const name of repositories) {
      if (name.startsWith(prefix)) names.push(name);
      else if (name > prefix) return names;
    }
    const next = /[?&]last=([^&>]+)/.exec(res.headers.get('link') ?? '')?.[1];
    if (!next) return names;
    last = decodeURIComponent(next);
    if (!last.startsWith(prefix) && last > prefix) return names;
  }
  return names;
}
