// Who is calling the policy services, as the HTTP layer resolves it: a name for the record, whether
// they administer the whole system, and what they may see and do in a project.
import { RegistryError } from '../errors.js';
import type { Action } from '../access/permissions.js';

/** The caller of an immutability or quota operation. */
export interface PolicyCaller {
  actor: string;
  /** A system administrator with full rights (everyone, when access control is off). */
  admin: boolean;
  /** Resolves when `project` exists and the caller may see it; throws NOT_FOUND otherwise. */
  see(project: string): Promise<void>;
  /** True when the caller may do `action` in `project`. */
  may(project: string, action: Action): Promise<boolean>;
}

/** Throws DENIED unless `caller` may do `action` in `project` (after checking they may see it). */
export async function requireProjectAction(caller: PolicyCaller, project: string, action: Action, what: string): Promise<void> {
  await caller.see(project);
  if (!caller.admin && !(await caller.may(project, action))) throw new RegistryError('DENIED', `${caller.actor} may not ${what} of project "${project}"`);
}

/** Throws DENIED unless `caller` is a system administrator. */
export function requireAdmin(caller: PolicyCaller, what: string): void {
  if (!caller.admin) throw new RegistryError('DENIED', `only a system administrator may ${what}`);
}
