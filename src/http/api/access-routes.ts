// Berth's own REST API for access management, as a routes table: users, projects, members, robot
// accounts, personal access tokens and the audit log. Handlers parse, call the AccessService, reply.
import { z } from 'zod';
import type { AccessService } from '../../core/access/access-service.js';
import { ROBOT_ACTIONS, ROLES } from '../../core/access/permissions.js';
import { route, type ApiRoute } from './route.js';
import { auditView, memberView, projectView, robotView, tokenView, userView } from './views.js';

const project = z.object({ project: z.string() });
const projectUser = z.object({ project: z.string(), username: z.string() });
const projectRobot = z.object({ project: z.string(), id: z.coerce.number().int().positive() });
const user = z.object({ username: z.string() });
const page = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.coerce.number().int().positive().optional() });

/** The access-management routes, bound to an AccessService. */
export function accessRoutes(access: AccessService): ApiRoute[] {
  return [
    route({ method: 'GET', url: '/api/v1/users/current', permission: 'authenticated', handler: async ({ principal }) => {
      if (principal.kind === 'robot') return { kind: 'robot', name: principal.name, project: principal.project, permissions: principal.actions };
      if (principal.kind !== 'user') return { kind: 'anonymous' };
      return { kind: 'user', ...userView(await access.getUser(principal, principal.name)) };
    } }),
    route({ method: 'GET', url: '/api/v1/users', permission: 'authenticated', handler: async ({ principal }) => (await access.listUsers(principal)).map(userView) }),
    route({ method: 'POST', url: '/api/v1/users', permission: 'authenticated', status: 201,
      schema: { body: z.object({ username: z.string(), password: z.string(), sysadmin: z.boolean().optional() }) },
      handler: async ({ principal, body }) => userView(await access.createUser(principal, body)) }),
    route({ method: 'GET', url: '/api/v1/users/:username', permission: 'authenticated', schema: { params: user },
      handler: async ({ principal, params }) => userView(await access.getUser(principal, params.username)) }),
    route({ method: 'PATCH', url: '/api/v1/users/:username', permission: 'authenticated',
      schema: { params: user, body: z.object({ password: z.string().optional(), oldPassword: z.string().optional(), sysadmin: z.boolean().optional(), disabled: z.boolean().optional() }).strict() },
      handler: async ({ principal, params, body }) => userView(await access.updateUser(principal, params.username, body)) }),
    route({ method: 'DELETE', url: '/api/v1/users/:username', permission: 'authenticated', status: 204, schema: { params: user },
      handler: async ({ principal, params }) => access.deleteUser(principal, params.username) }),

    route({ method: 'GET', url: '/api/v1/projects', permission: 'public', handler: async ({ principal }) => (await access.listProjects(principal)).map(projectView) }),
    route({ method: 'POST', url: '/api/v1/projects', permission: 'authenticated', status: 201,
      schema: { body: z.object({ name: z.string(), public: z.boolean().default(false), preventDangerousPulls: z.boolean().optional() }).strict() },
      handler: async ({ principal, body }) => projectView(await access.createProject(principal, body)) }),
    route({ method: 'GET', url: '/api/v1/projects/:project', permission: 'public', schema: { params: project },
      handler: async ({ principal, params }) => projectView(await access.getProject(principal, params.project)) }),
    route({ method: 'PATCH', url: '/api/v1/projects/:project', permission: 'authenticated', schema: { params: project, body: z.object({ public: z.boolean().optional(), preventDangerousPulls: z.boolean().optional() }).strict() },
      handler: async ({ principal, params, body }) => projectView(await access.updateProject(principal, params.project, body)) }),
    route({ method: 'DELETE', url: '/api/v1/projects/:project', permission: 'authenticated', status: 204, schema: { params: project },
      handler: async ({ principal, params }) => access.deleteProject(principal, params.project) }),

    route({ method: 'GET', url: '/api/v1/projects/:project/members', permission: 'authenticated', schema: { params: project },
      handler: async ({ principal, params }) => (await access.listMembers(principal, params.project)).map(memberView) }),
    route({ method: 'PUT', url: '/api/v1/projects/:project/members/:username', permission: 'authenticated',
      schema: { params: projectUser, body: z.object({ role: z.enum(ROLES) }).strict() },
      handler: async ({ principal, params, body }) => memberView(await access.setMember(principal, params.project, params.username, body.role)) }),
    route({ method: 'DELETE', url: '/api/v1/projects/:project/members/:username', permission: 'authenticated', status: 204, schema: { params: projectUser },
      handler: async ({ principal, params }) => access.removeMember(principal, params.project, params.username) }),

    route({ method: 'GET', url: '/api/v1/projects/:project/robots', permission: 'authenticated', schema: { params: project },
      handler: async ({ principal, params }) => (await access.listRobots(principal, params.project)).map(robotView) }),
    route({ method: 'POST', url: '/api/v1/projects/:project/robots', permission: 'authenticated', status: 201,
      schema: { params: project, body: z.object({ name: z.string(), description: z.string().max(1000).optional(), permissions: z.array(z.enum(ROBOT_ACTIONS)).min(1), expiresInDays: z.number().int().optional() }).strict() },
      handler: async ({ principal, params, body }) => {
        const { robot, secret } = await access.createRobot(principal, params.project, { ...body, actions: body.permissions });
        return { ...robotView(robot), secret };
      } }),
    route({ method: 'PATCH', url: '/api/v1/projects/:project/robots/:id', permission: 'authenticated',
      schema: { params: projectRobot, body: z.object({ disabled: z.boolean().optional(), description: z.string().max(1000).optional() }).strict() },
      handler: async ({ principal, params, body }) => robotView(await access.updateRobot(principal, params.project, params.id, body)) }),
    route({ method: 'POST', url: '/api/v1/projects/:project/robots/:id/secret', permission: 'authenticated', schema: { params: projectRobot },
      handler: async ({ principal, params }) => {
        const { robot, secret } = await access.rotateRobot(principal, params.project, params.id);
        return { ...robotView(robot), secret };
      } }),
    route({ method: 'DELETE', url: '/api/v1/projects/:project/robots/:id', permission: 'authenticated', status: 204, schema: { params: projectRobot },
      handler: async ({ principal, params }) => access.deleteRobot(principal, params.project, params.id) }),

    route({ method: 'GET', url: '/api/v1/projects/:project/audit', permission: 'authenticated', schema: { params: project, query: page },
      handler: async ({ principal, params, query }) => (await access.listAudit(principal, { project: params.project, limit: query.limit, beforeId: query.before })).map(auditView) }),
    route({ method: 'GET', url: '/api/v1/audit', permission: 'authenticated', schema: { query: page },
      handler: async ({ principal, query }) => (await access.listAudit(principal, { limit: query.limit, beforeId: query.before })).map(auditView) }),

    route({ method: 'GET', url: '/api/v1/tokens', permission: 'authenticated', handler: async ({ principal }) => (await access.listTokens(principal)).map(tokenView) }),
    route({ method: 'POST', url: '/api/v1/tokens', permission: 'authenticated', status: 201,
      schema: { body: z.object({ name: z.string(), scopes: z.array(z.string()).default(['pull', 'push']), expiresInDays: z.number().optional() }).strict() },
      handler: async ({ principal, body }) => {
        const { record, token } = await access.createToken(principal, body);
        return { ...tokenView(record), token };
      } }),
    route({ method: 'DELETE', url: '/api/v1/tokens/:id', permission: 'authenticated', status: 204, schema: { params: z.object({ id: z.string() }) },
      handler: async ({ principal, params }) => access.revokeToken(principal, params.id) }),
  ];
}
