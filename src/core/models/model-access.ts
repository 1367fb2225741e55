// Who is asking, as model metadata sees it: what the caller may do in each project (Harbor project
// roles: reading needs pull, writing needs push, deleting needs delete; system administrators may do
// everything) and which projects' metadata they may read. Built per request by each HTTP surface.
import { RegistryError } from '../errors.js';

/** A project action on model metadata. */
export type ModelAction = 'pull' | 'push' | 'delete';

/** The caller of a metadata operation. */
export interface ModelAccess {
  /** The name recorded for alias moves and lineage edges. */
  actor: string;
  anonymous: boolean;
  can(project: string, action: ModelAction): Promise<boolean>;
  /** Projects whose metadata the caller may read; null for all (system administrators). */
  readableProjects(): Promise<readonly string[] | null>;
  /** Creates the missing project of a new top-level entity when the caller may (a system administrator), as an OCI push does. */
  ensureProject(project: string): Promise<void>;
  /** The host (and port) the request was addressed to: one of Berth's own names in `oci://` URIs. */
  host?: string | undefined;
}

/** Full access for internal callers (the push listener): acts as `actor`. */
export function systemAccess(actor: string): ModelAccess {
  return { actor, anonymous: false, can: async () => true, readableProjects: async () => null, ensureProject: async () => undefined };
}

/** Throws NOT_FOUND unless the caller may read `project` (so hidden entities look absent). */
export async function requireVisible(access: ModelAccess, project: string, what: string): Promise<void> {
  if (!(await access.can(project, 'pull'))) throw new RegistryError('NOT_FOUND', `${what} not found`);
}

/** Throws UNAUTHORIZED (anonymous) or DENIED unless the caller may do `action` in `project`. */
export async function requireAllowed(access: ModelAccess, project: string, action: ModelAction, what: string, hint = ''): Promise<void> {
  if (await access.can(project, action)) return;
  if (access.anonymous) throw new RegistryError('UNAUTHORIZED', `authentication required to ${what}`);
  throw new RegistryError('DENIED', `${action} permission on project "${project}" is required to ${what}${hint}`);
}
