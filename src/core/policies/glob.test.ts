import { describe, expect, it } from 'vitest';
import { compileGlob, globMatches } from './glob.js';

describe('doublestar globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'latest', true],
    ['*', 'llama/7b', false],
    ['**', 'llama/7b/q4', true],
    ['**', '', true],
    ['llama/*', 'llama/7b', true],
    ['llama/*', 'llama/7b/q4', false],
    ['llama/**', 'llama/7b/q4', true],
    ['**/q4', 'q4', true],
    ['**/q4', 'llama/7b/q4', true],
    ['**/q4', 'llama/q44', false],
    ['v*', 'v1.0', true],
    ['v*', 'release-1', false],
    ['v?', 'v1', true],
    ['v?', 'v10', false],
    ['{prod,release-*}', 'prod', true],
    ['{prod,release-*}', 'release-2024', true],
    ['{prod,release-*}', 'production', false],
    ['{a,{b,c}d}', 'cd', true],
    ['v[0-9]*', 'v3.1', true],
    ['v[0-9]*', 'vx', false],
    ['v[!0-9]', 'vx', true],
    ['v[!0-9]', 'v1', false],
    ['a.b', 'a.b', true],
    ['a.b', 'axb', false],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['(x)+', '(x)+', true],
  ];
  it.each(cases)('%s against %s is %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  it.each(['', '{a,b', 'a}', '[abc', 'x\\', '[z-a]', 'a'.repeat(257), '{'.repeat(9) + '}'.repeat(9)])('refuses the malformed pattern %j with INVALID', (pattern) => {
    expect(() => compileGlob(pattern)).toThrow(expect.objectContaining({ code: 'INVALID', message: expect.stringMatching(/malformed pattern/) }));
  });
});
