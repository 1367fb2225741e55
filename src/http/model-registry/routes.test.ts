import { describe, expect, it } from 'vitest';
import { MODEL_REGISTRY_ROUTES } from './routes.js';

describe('Kubeflow Model Registry routes table', () => {
  it('has one row per operation, each with a permission: pull to read, push to write', () => {
    expect(new Set(MODEL_REGISTRY_ROUTES.map((r) => r.operationId)).size).toBe(MODEL_REGISTRY_ROUTES.length);
    expect(MODEL_REGISTRY_ROUTES).toHaveLength(56);
    for (const route of MODEL_REGISTRY_ROUTES) {
      expect(route.permission, route.operationId).toBe(route.method === 'GET' ? 'pull' : 'push');
      expect(typeof route.handler).toBe('function');
    }
    const paths = new Set(MODEL_REGISTRY_ROUTES.map((r) => `${r.method} ${r.url}`));
    expect(paths.size).toBe(56);
  });
});
