// Turns a request's principal into what model metadata checks (core/models/model-access.ts): Harbor
// project roles through the AccessService, answered once per project and action within a request.
import type { AccessService } from '../../core/access/access-service.js';
import type { Principal } from '../../core/access/permissions.js';
import { systemAccess, type ModelAccess, type ModelAction } from '../../core/models/model-access.js';

/**
 * The model-metadata view of `principal`; `host` is the request's Host header. With access control
 * off (`guarded` false) every caller may do everything, as on the OCI surface.
 */
export function modelAccessFor(principal: Principal, access: AccessService, host: string | undefined, guarded: boolean): ModelAccess {
  if (!guarded) return { ...systemAccess(principal.kind === 'anonymous' ? 'anonymous' : principal.name), host };
  const answers = new Map<string, Promise<boolean>>();
  const can = (project: string, action: ModelAction): Promise<boolean> => {
    const key = `${action}\0${project}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = access.can(principal, project, action);
      answers.set(key, answer);
    }
    return answer;
  };
  let readable: Promise<readonly string[] | null> | undefined;
  return {
    actor: principal.kind === 'anonymous' ? 'anonymous' : principal.name,
    anonymous: principal.kind === 'anonymous',
    can,
    readableProjects() {
      readable ??= (async () => {
        if (principal.kind === 'user' && principal.sysadmin && principal.tokenScopes === undefined) return null;
        const names: string[] = [];
        for (const p of await access.listProjects(principal)) if (await can(p.name, 'pull')) names.push(p.name);
        return names;
      })();
      return readable;
    },
    async ensureProject(project) {
      if (await access.ensureProjectForPush(principal, project)) {
        answers.clear();
        readable = undefined;
      }
    },
    host,
  };
}
