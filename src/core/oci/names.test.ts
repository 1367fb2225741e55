import { describe, expect, it } from 'vitest';
import { isRegistryError } from '../errors.js';
import { parseDigest } from './digest.js';
import { isValidName, parseReference } from './names.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isRegistryError(err) ? err.code : 'other';
  }
  return undefined;
}

describe('repository names', () => {
  it('accepts the spec grammar, including nested paths and separators', () => {
    for (const name of ['a', 'llm/llama-3-8b', 'a.b/c__d/e---f', 'x0/y_z', 'a'.repeat(255)]) expect(isValidName(name)).toBe(true);
  });

  it('rejects uppercase, empty components, leading separators and overlong names', () => {
    for (const name of ['', 'A', 'a//b', 'a/', '/a', '-a', 'a..b', 'a___b', 'a/../b', 'a:b', 'a'.repeat(256)]) expect(isValidName(name)).toBe(false);
  });
});

describe('digests', () => {
  it('parses sha256 and sha512', () => {
    expect(parseDigest(`sha256:${'a'.repeat(64)}`)).toMatchObject({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    expect(parseDigest(`sha512:${'b'.repeat(128)}`)).toMatchObject({ algorithm: 'sha512' });
  });

  it('rejects bad grammar, unknown algorithms, wrong lengths and uppercase hex', () => {
    for (const bad of ['sha256:totallywrong', 'md5:abc', `sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `sha512:${'a'.repeat(64)}`, 'sha256', ':abc']) {
      expect(code(() => parseDigest(bad))).toBe('DIGEST_INVALID');
    }
  });
});

describe('references', () => {
  it('tells tags from digests', () => {
    expect(parseReference('v1.0_rc-1')).toEqual({ kind: 'tag', tag: 'v1.0_rc-1' });
    expect(parseReference(`sha256:${'c'.repeat(64)}`).kind).toBe('digest');
  });

  it('rejects invalid tags and invalid digests', () => {
    expect(code(() => parseReference('-leading-dash'))).toBe('TAG_INVALID');
    expect(code(() => parseReference('t'.repeat(129)))).toBe('TAG_INVALID');
    expect(code(() => parseReference('sha256:nothex'))).toBe('DIGEST_INVALID');
  });
});
