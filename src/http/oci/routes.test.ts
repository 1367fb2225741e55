import { describe, expect, it } from 'vitest';
import { matchOciRoute, OCI_ROUTES } from './routes.js';

describe('OCI routes table', () => {
  it('gives every route a permission and a handler', () => {
    for (const route of OCI_ROUTES) {
      expect(['none', 'pull', 'push', 'delete', 'catalog']).toContain(route.permission);
      expect(typeof route.handler).toBe('function');
    }
    expect(OCI_ROUTES.filter((r) => r.permission === 'none').map((r) => r.pattern.source)).toEqual(['^\\/v2\\/?$', '^\\/v2\\/?$']);
  });

  it('matches repository names that contain the endpoint words', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const m = matchOciRoute('GET', `/v2/proj/blobs/manifests/x/blobs/${digest}`);
    expect(m.kind === 'route' && [m.route.handler.name, m.params]).toEqual(['getBlob', ['proj/blobs/manifests/x', digest]]);
    const u = matchOciRoute('PATCH', '/v2/a/blobs/uploads/blobs/uploads/123e4567-e89b-12d3-a456-426614174000');
    expect(u.kind === 'route' && u.params).toEqual(['a/blobs/uploads', '123e4567-e89b-12d3-a456-426614174000']);
    const t = matchOciRoute('GET', '/v2/tags/list/tags/list');
    expect(t.kind === 'route' && t.params).toEqual(['tags/list']);
  });

  it('tells unknown paths from known paths with the wrong method', () => {
    expect(matchOciRoute('PATCH', '/v2/a/manifests/latest').kind).toBe('method-not-allowed');
    expect(matchOciRoute('GET', '/v2/a/unknown/x').kind).toBe('not-found');
  });
});
