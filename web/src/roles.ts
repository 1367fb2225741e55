// What the signed-in user may do in a project. The API has no "my role" call, so the role is read
// from the project's member list (members may read it); system administrators may do everything.
import { jsonOrNull } from './api.js';
import type { Session } from './session.js';
import type { Member } from './types.js';

/** The caller's standing in a project. */
export interface ProjectRole {
  /** Shown to the user: a role name, `system admin`, `—` (none known) or `anonymous`. */
  label: string;
  /** May push: tag, move aliases, archive versions. */
  canPush: boolean;
}

const PUSHERS = new Set(['projectAdmin', 'maintainer', 'developer']);

/** The role of `session`'s user in `project`; `members` may be passed when already loaded. */
export async function projectRole(project: string, session: Session | null, members?: Member[] | null): Promise<ProjectRole> {
  if (!session) return { label: 'anonymous', canPush: false };
  if (session.sysadmin) return { label: 'system admin', canPush: true };
  const list = members !== undefined ? members : await jsonOrNull<Member[]>(`/api/v1/projects/${encodeURIComponent(project)}/members`);
  const role = list?.find((m) => m.username === session.username)?.role;
  if (!role) return { label: '—', canPush: false };
  return { label: role, canPush: PUSHERS.has(role) };
}
