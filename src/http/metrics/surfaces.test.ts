// Every request path maps to one of six surfaces, whatever names it carries.
import { describe, expect, it } from 'vitest';
import { surfaceOf } from './surfaces.js';

describe('surfaceOf', () => {
  it('names the surface of route patterns and raw paths', () => {
    expect(surfaceOf('/v2')).toBe('oci');
    expect(surfaceOf('/v2/*')).toBe('oci');
    expect(surfaceOf('/v2/llm/x/blobs/sha256:ab')).toBe('oci');
    expect(surfaceOf('/api/model_registry/v1alpha3/registered_models')).toBe('model_registry');
    expect(surfaceOf('/api/models/*')).toBe('hf');
    expect(surfaceOf('/api/whoami-v2')).toBe('hf');
    expect(surfaceOf('/:org/:name/resolve/*')).toBe('hf');
    expect(surfaceOf('/llm/qwen/resolve/main/config.json')).toBe('hf');
    expect(surfaceOf('/api/v1/projects/:project')).toBe('api');
    expect(surfaceOf('/auth/token')).toBe('auth');
    expect(surfaceOf('/metrics')).toBe('other');
    expect(surfaceOf('/v2x')).toBe('other');
    expect(surfaceOf('/llm/qwen/resolvex')).toBe('other');
  });
});
