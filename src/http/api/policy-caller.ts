// Turns a REST caller into the PolicyCaller that the policy and catalog services check: who acts,
// whether they administer the system, whether they may see a project (404 otherwise, as for any
// project read) and what they may do in it. With access control off, everyone administers everything
// and a project is seen when it exists.
import type { AccessService } from '../../core/access/access-service.js';
import { isSystemAdmin, operatorName, type Principal } from '../../core/access/permissions.js';
import { RegistryError } from '../../core/errors.js';
import type { PolicyCaller } from '../../core/policies/policy-caller.js';

/** What building a PolicyCaller takes. */
export interface PolicyCallerDeps {
  access: AccessService;
  /** False when access control is off: every caller administers everything. */
  authEnabled: boolean;
  /** Whether a project exists (a project record, or content under its name) when access control is off. */
  projectKnown: (project: string) => Promise<boolean>;
}

/** A function from a request's principal to its PolicyCaller. */
export function policyCallers(deps: PolicyCallerDeps): (principal: Principal) => PolicyCaller {
  return (principal) => ({
    actor: operatorName(principal),
    admin: !deps.authEnabled || isSystemAdmin(principal),
    see: async (p) => {
      if (deps.authEnabled) await deps.access.getProject(principal, p);
      else if (!(await deps.projectKnown(p))) throw new RegistryError('NOT_FOUND', `project "${p}" not found`);
    },
    may: async (p, action) => !deps.authEnabled || deps.access.can(principal, p, action),
  });
}
