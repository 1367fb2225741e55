// The shape of a REST route: method, URL, the permission the auth hook checks, zod schemas for
// params/query/body, and a handler that receives the parsed input and the caller.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../../core/access/permissions.js';

/**
 * `public`: anonymous callers allowed (services still filter); `authenticated`: a principal is required;
 * `sysadmin`: a system administrator with full rights is required.
 */
export type ApiPermission = 'public' | 'authenticated' | 'sysadmin';

/** What a handler receives. */
export interface ApiContext<P, Q, B> {
  principal: Principal;
  params: P;
  query: Q;
  body: B;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** One row of a routes table (after `route()` erased its input types). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  permission: ApiPermission;
  /** Status of a successful reply (default 200; 204 sends no body). */
  status?: number | undefined;
  schema?: { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType } | undefined;
  handler: (ctx: ApiContext<unknown, unknown, unknown>) => Promise<unknown>;
}

/** Declares a route, inferring the handler's input types from its schemas. */
export function route<P = Record<string, string>, Q = Record<string, string>, B = undefined>(spec: {
  method: ApiRoute['method'];
  url: string;
  permission: ApiPermission;
  status?: number;
  schema?: { params?: z.ZodType<P>; query?: z.ZodType<Q>; body?: z.ZodType<B> };
  handler: (ctx: ApiContext<P, Q, B>) => Promise<unknown>;
}): ApiRoute {
  return spec as unknown as ApiRoute;
}
