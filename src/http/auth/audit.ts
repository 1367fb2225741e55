// Records writes and denied requests in the audit log after the response is sent, so auditing never
// delays a client; a failure to record is logged, never hidden.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessService } from '../../core/access/access-service.js';
import type { Principal } from '../../core/access/permissions.js';

/** What one audited request did. */
export interface AuditFacts {
  principal: Principal;
  action: string;
  resource: string;
  project: string | null;
}

/** True when a request should be audited: a successful write, or any denial. */
export function shouldAudit(method: string, status: number): boolean {
  if (status === 401 || status === 403) return true;
  return status < 400 && method !== 'GET' && method !== 'HEAD';
}

/** Appends the audit entry of a finished request. */
export async function recordAudit(access: AccessService, req: FastifyRequest, reply: FastifyReply, facts: AuditFacts): Promise<void> {
  const { principal } = facts;
  try {
    await access.audit({
      actor: principal.kind === 'anonymous' ? 'anonymous' : principal.name,
      actorKind: principal.kind,
      action: facts.action,
      resource: facts.resource,
      project: facts.project,
      allowed: reply.statusCode !== 401 && reply.statusCode !== 403,
      status: reply.statusCode,
      sourceAddress: req.ip,
    });
  } catch (err) {
    req.log.error({ err }, 'could not write the audit log');
  }
}
