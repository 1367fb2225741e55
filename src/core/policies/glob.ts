// Doublestar patterns, as Harbor's repository and tag selectors use them (bmatcuk/doublestar): `*` is
// any run of characters without `/`, `**` anything (slashes too; `**/` also matches nothing), `?` one
// character other than `/`, `{a,b}` alternatives (nestable), `[abc]`, `[a-z]`, `[!a]` classes, `\x` a
// literal x. Patterns compile to anchored regular expressions once and are then only matched.
import { RegistryError } from '../errors.js';

/** Longest pattern accepted (tags are at most 128 characters, repositories 255). */
export const MAX_GLOB_LENGTH = 256;
const MAX_BRACE_DEPTH = 8;

/** Compiles a doublestar pattern; throws INVALID naming what is wrong with a malformed one. */
export function compileGlob(pattern: string): RegExp {
  if (pattern.length === 0) throw malformed(pattern, 'it is empty');
  if (pattern.length > MAX_GLOB_LENGTH) throw malformed(pattern, `it is longer than ${MAX_GLOB_LENGTH} characters`);
  const parser = new GlobParser(pattern);
  return new RegExp(`^${parser.parse()}$`, 's');
}

/** True when `value` matches the doublestar `pattern` (which must be well-formed). */
export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}

class GlobParser {
  private i = 0;

  constructor(private readonly p: string) {}

  parse(): string {
    const out = this.sequence(0);
    if (this.i < this.p.length) throw malformed(this.p, `unexpected "${this.p[this.i]}" at position ${this.i + 1}`);
    return out;
  }

  /** A run of pattern items, up to the end or (inside braces) a `,` or `}`. */
  private sequence(depth: number): string {
    const p = this.p;
    let out = '';
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (depth > 0 && (c === ',' || c === '}')) return out;
      if (c === '}') throw malformed(p, `unmatched "}" at position ${this.i + 1}`);
      if (c === '\\') {
        if (this.i + 1 >= p.length) throw malformed(p, 'it ends with a lone "\\"');
        out += escapeRegExp(p[this.i + 1]!);
        this.i += 2;
      } else if (c === '*') {
        if (p[this.i + 1] === '*') {
          this.i += 2;
          if (p[this.i] === '/') {
            this.i += 1;
            out += '(?:.*/)?';
          } else {
            out += '.*';
          }
        } else {
          this.i += 1;
          out += '[^/]*';
        }
      } else if (c === '?') {
        out += '[^/]';
        this.i += 1;
      } else if (c === '[') {
        out += this.characterClass();
      } else if (c === '{') {
        out += this.alternatives(depth + 1);
      } else {
        out += escapeRegExp(c);
        this.i += 1;
      }
    }
    return out;
  }

  private alternatives(depth: number): string {
    if (depth > MAX_BRACE_DEPTH) throw malformed(this.p, `braces nest deeper than ${MAX_BRACE_DEPTH}`);
    const start = this.i;
    this.i += 1;
    const options = [this.sequence(depth)];
    while (this.p[this.i] === ',') {
      this.i += 1;
      options.push(this.sequence(depth));
    }
    if (this.p[this.i] !== '}') throw malformed(this.p, `the "{" at position ${start + 1} is never closed`);
    this.i += 1;
    return `(?:${options.join('|')})`;
  }

  private characterClass(): string {
    const p = this.p;
    const start = this.i;
    this.i += 1;
    let negated = false;
    if (p[this.i] === '!' || p[this.i] === '^') {
      negated = true;
      this.i += 1;
    }
    let body = '';
    let members = 0;
    while (this.i < p.length && (p[this.i] !== ']' || members === 0)) {
      let c = p[this.i]!;
      if (c === '\\') {
        if (this.i + 1 >= p.length) break;
        this.i += 1;
        c = p[this.i]!;
      }
      if (c === '-' && members > 0 && p[this.i + 1] !== ']') body += '-';
      else body += escapeClassChar(c);
      members += 1;
      this.i += 1;
    }
    if (p[this.i] !== ']') throw malformed(p, `the "[" at position ${start + 1} is never closed`);
    this.i += 1;
    try {
      new RegExp(`[${body}]`);
    } catch {
      throw malformed(p, `the class at position ${start + 1} has a bad range`);
    }
    return negated ? `[^/${body}]` : `(?!/)[${body}]`;
  }
}

function escapeRegExp(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return /[\]\\^-]/.test(c) ? `\\${c}` : c;
}

function malformed(pattern: string, why: string): RegistryError {
  return new RegistryError('INVALID', `malformed pattern "${pattern.slice(0, 80)}": ${why}`, { detail: { pattern: pattern.slice(0, MAX_GLOB_LENGTH) } });
}
