// Which API surface a request belongs to, from its route pattern or, when no route matched, its path:
// a fixed set of values, so a metric label built from it stays small whatever URLs clients send.
import { MODEL_REGISTRY_PREFIX } from '../model-registry/routes.js';

/** The surfaces, as metric label values. */
export type SurfaceName = 'oci' | 'hf' | 'api' | 'model_registry' | 'auth' | 'other';

const HF_RESOLVE = /^\/[^/]+\/[^/]+\/resolve(\/|$)/;

/** The surface of a route pattern (`/api/v1/projects/:project`) or a raw path. */
export function surfaceOf(path: string): SurfaceName {
  if (path === '/v2' || path.startsWith('/v2/')) return 'oci';
  if (path.startsWith(`${MODEL_REGISTRY_PREFIX}/`) || path === MODEL_REGISTRY_PREFIX) return 'model_registry';
  if (path.startsWith('/api/models/') || path === '/api/whoami-v2' || HF_RESOLVE.test(path)) return 'hf';
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/auth/')) return 'auth';
  return 'other';
}
