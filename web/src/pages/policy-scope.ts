// What the sections of the policies page share: the project they show, what the caller may change
// there (read from the caller's role, as the API's permission table grants it; the API still decides,
// and its refusal is shown), and a section that loads, and reloads after an action, on its own, so one
// refused or failed call shows as a message in its section instead of failing the page. Also the
// opening every per-project page (policies, webhooks) shares: the project is checked, the caller's role read.
import { ApiError, json } from '../api.js';
import { h, link, replace, type Child } from '../dom.js';
import type { PageContext } from '../page.js';
import { projectRole, type ProjectRole } from '../roles.js';
import type { Project } from '../types.js';
import { failure, message, section } from '../view.js';

/** What the caller may change in the project's policies. */
export interface PolicyRights {
  /** Set the storage limit (system administrators only). */
  setQuota: boolean;
  /** Add, enable, disable and delete immutable tag rules (`immutability.manage`). */
  manageImmutable: boolean;
  /** Start retention runs (`retention.manage`). */
  runRetention: boolean;
}

/** The project a policies page shows, its API path and the caller's rights there. */
export interface PolicyScope {
  project: string;
  /** `/api/v1/projects/<project>` */
  base: string;
  rights: PolicyRights;
}

const IMMUTABILITY_MANAGERS = new Set(['projectAdmin', 'maintainer']);
const RETENTION_MANAGERS = new Set(['projectAdmin', 'maintainer', 'developer']);

/** The rights a role holds (mirrors the server's role table; a system administrator holds all). */
export function policyRights(sysadmin: boolean, role: ProjectRole): PolicyRights {
  return {
    setQuota: sysadmin,
    manageImmutable: sysadmin || IMMUTABILITY_MANAGERS.has(role.label),
    runRetention: sysadmin || RETENTION_MANAGERS.has(role.label),
  };
}

/** A section that loads itself; `reload` renders it again (e.g. after an action). */
export interface LiveSection {
  element: HTMLElement;
  reload(): Promise<void>;
}

/**
 * A titled section whose body comes from `load`; a failed load shows as a message in the section.
 * `after` stays below the body across reloads.
 */
export function liveSection(ctx: PageContext, title: string, what: string, load: () => Promise<Child>, ...after: Child[]): LiveSection {
  const body = h('div', null, h('p', { class: 'loading', role: 'status' }, 'Loading…'));
  const element = section(title, body, ...after);
  const reload = async () => {
    let content: Child;
    try {
      content = await load();
    } catch (err) {
      content = failure(what, err, ctx.session !== null);
    }
    if (ctx.current()) replace(body, content);
  };
  void reload();
  return { element, reload };
}

/** A handler for a failed action that shows the API's message in `status`. */
export function showFailure(status: HTMLElement, what: string): (err: unknown) => void {
  return (err) => replace(status, message(`Could not ${what}: ${err instanceof ApiError ? err.message : String(err)}`, 'error'));
}

/** A button that asks for a second click before it acts (dialogs are not used), then runs `act`. */
export function confirmButton(label: string, confirmLabel: string, props: Record<string, string>, act: (button: HTMLButtonElement) => void, onArm?: () => void): HTMLButtonElement {
  const button = h('button', { type: 'button', ...props }, label);
  let armed = false;
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      onArm?.();
      return;
    }
    button.disabled = true;
    act(button);
  });
  return button;
}

/** What a per-project page starts from: the project's name, its API base, the link back to it and the caller's role. */
export interface ProjectPageStart {
  name: string;
  base: string;
  back: HTMLElement;
  role: ProjectRole;
}

/**
 * Opens a page about the project in `ctx.segments[1]` titled `heading`: checks the project is visible
 * (showing the refusal under the heading if not) and reads the caller's role; null when the page is done
 * or no longer current.
 */
export async function startProjectPage(ctx: PageContext, heading: string, title: string): Promise<ProjectPageStart | null> {
  const name = ctx.segments[1]!;
  ctx.title(`${name} · ${title}`);
  const base = `/api/v1/projects/${encodeURIComponent(name)}`;
  const back = h('p', { class: 'meta' }, link(['projects', name], `← Project ${name}`));
  try {
    await json<Project>(base);
  } catch (err) {
    replace(ctx.main, back, h('h1', null, `${heading} of ${name}`), failure(`project ${name}`, err, ctx.session !== null));
    return null;
  }
  const role = await projectRole(name, ctx.session);
  return ctx.current() ? { name, base, back, role } : null;
}
