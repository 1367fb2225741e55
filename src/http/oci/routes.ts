// The OCI Distribution surface as a table: method, path pattern, the permission it needs, handler.
// Repository names contain slashes, so paths are matched here rather than by Fastify's router.
// https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#endpoints
import type { OciHandler } from './handlers.js';
import * as h from './handlers.js';

/** What a route needs from the caller; the auth hook reads it. */
export type OciPermission = 'none' | 'pull' | 'push' | 'delete' | 'catalog';

/** One row of the routes table. */
export interface OciRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Matched against the decoded path; group 1 is the repository name when present. */
  pattern: RegExp;
  permission: OciPermission;
  handler: OciHandler;
}

const NAME = '(.+)';
const SEGMENT = '([^/]+)';

/** Every OCI endpoint Berth serves, end-1 .. end-14 of the spec's table. */
export const OCI_ROUTES: readonly OciRoute[] = [
  { method: 'GET', pattern: /^\/v2\/?$/, permission: 'none', handler: h.apiVersion },
  { method: 'HEAD', pattern: /^\/v2\/?$/, permission: 'none', handler: h.apiVersion },
  { method: 'GET', pattern: /^\/v2\/_catalog$/, permission: 'catalog', handler: h.catalog },
  { method: 'GET', pattern: route(`${NAME}/tags/list`), permission: 'pull', handler: h.listTags },
  { method: 'GET', pattern: route(`${NAME}/manifests/${SEGMENT}`), permission: 'pull', handler: h.getManifest },
  { method: 'HEAD', pattern: route(`${NAME}/manifests/${SEGMENT}`), permission: 'pull', handler: h.headManifest },
  { method: 'PUT', pattern: route(`${NAME}/manifests/${SEGMENT}`), permission: 'push', handler: h.putManifest },
  { method: 'DELETE', pattern: route(`${NAME}/manifests/${SEGMENT}`), permission: 'delete', handler: h.deleteManifest },
  { method: 'POST', pattern: route(`${NAME}/blobs/uploads/?`), permission: 'push', handler: h.startUpload },
  { method: 'GET', pattern: route(`${NAME}/blobs/uploads/${SEGMENT}`), permission: 'push', handler: h.uploadStatus },
  { method: 'PATCH', pattern: route(`${NAME}/blobs/uploads/${SEGMENT}`), permission: 'push', handler: h.patchUpload },
  { method: 'PUT', pattern: route(`${NAME}/blobs/uploads/${SEGMENT}`), permission: 'push', handler: h.completeUpload },
  { method: 'DELETE', pattern: route(`${NAME}/blobs/uploads/${SEGMENT}`), permission: 'push', handler: h.cancelUpload },
  { method: 'GET', pattern: route(`${NAME}/blobs/${SEGMENT}`), permission: 'pull', handler: h.getBlob },
  { method: 'HEAD', pattern: route(`${NAME}/blobs/${SEGMENT}`), permission: 'pull', handler: h.headBlob },
  { method: 'DELETE', pattern: route(`${NAME}/blobs/${SEGMENT}`), permission: 'delete', handler: h.deleteBlob },
  { method: 'GET', pattern: route(`${NAME}/referrers/${SEGMENT}`), permission: 'pull', handler: h.referrers },
];

/** The result of matching a request path against the table. */
export type OciMatch =
  | { kind: 'route'; route: OciRoute; params: string[] }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

/** Finds the route for `method` and decoded `path`. */
export function matchOciRoute(method: string, path: string): OciMatch {
  let pathKnown = false;
  for (const route of OCI_ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { kind: 'route', route, params: m.slice(1) };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
}

function route(rest: string): RegExp {
  return new RegExp(`^/v2/${rest}$`);
}
