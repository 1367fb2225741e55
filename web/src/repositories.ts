// Reads a project's repositories and a repository's artifacts from Berth's REST API
// (/api/v1/projects/:project/repositories[...]), following its pages (X-Total-Count) up to a limit.
// Whoever may pull from the project may read them, anonymous visitors of public projects included.
import { call } from './api.js';
import type { ArtifactInfo, RepositoryInfo } from './types.js';

/** Largest page the API serves. */
const PAGE_SIZE = 100;

/** Path of a project's repository on the REST API (further slashes as %2F). */
export function repositoryApiPath(project: string, repository: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}`;
}

/** The repositories of `project`, by name (at most `max`). */
export function projectRepositories(project: string, max = 1000): Promise<{ items: RepositoryInfo[]; total: number }> {
  return allPages<RepositoryInfo>(`/api/v1/projects/${encodeURIComponent(project)}/repositories`, max);
}

/** The artifacts of `repository` (without its project prefix), newest pushed first (at most `max`). */
export function repositoryArtifacts(project: string, repository: string, max = 500): Promise<{ items: ArtifactInfo[]; total: number }> {
  return allPages<ArtifactInfo>(`${repositoryApiPath(project, repository)}/artifacts`, max);
}

async function allPages<T>(path: string, max: number): Promise<{ items: T[]; total: number }> {
  const items: T[] = [];
  let total = 0;
  for (let page = 1; items.length < max; page++) {
    const res = await call(`${path}?page=${page}&page_size=${PAGE_SIZE}`);
    total = Number(res.headers.get('x-total-count') ?? 0);
    const batch = (await res.json()) as T[];
    items.push(...batch);
    if (batch.length < PAGE_SIZE || items.length >= total) break;
  }
  return { items: items.slice(0, max), total };
}
