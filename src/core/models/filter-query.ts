// The `filterQuery` language of the Kubeflow Model Registry API, parsed into a syntax tree; nothing
// here ever becomes SQL text. Grammar (keywords case-insensitive, AND binds tighter than OR):
//   query      := [ or ]                     or   := and { OR and }       and := term { AND term }
//   term       := "(" or ")" | property op value
//   property   := (ident | `escaped`) { "." (ident | `escaped`) }   e.g. accuracy.double_value
//   op         := = | != | <> | < | <= | > | >= | LIKE | ILIKE | IN
//   value      := 'string' | "string" | number | true | false | "(" [ scalar { "," scalar } ] ")"
// Strings take backslash escapes and doubled quotes; numbers may be signed and have exponents.
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml (parameters.filterQuery)
import { RegistryError } from '../errors.js';

/** The comparison operators (`<>` is read as `!=`). */
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN';

/** A literal as written: its value and its source text (numbers keep their spelling). */
export type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: number; raw: string } | { kind: 'bool'; value: boolean };

/** A property reference: dotted segments, the first possibly backtick-escaped. */
export interface PropertyPath {
  segments: string[];
  text: string;
}

/** The syntax tree of a filter query. */
export type FilterSyntax =
  | { type: 'and' | 'or'; left: FilterSyntax; right: FilterSyntax }
  | { type: 'compare'; property: PropertyPath; comparator: Comparator; value: Literal | Literal[]; position: number };

/** Limits that keep a query cheap to parse and to run. */
export const FILTER_LIMITS = { length: 4096, depth: 32, comparisons: 100, listItems: 1000 } as const;

type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'escaped'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'number'; v: number; raw: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | '.'; pos: number }
  | { t: 'eof'; pos: number };

const KEYWORDS = new Set(['AND', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT', 'TRUE', 'FALSE']);
const NUMBER = /^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Parses a filter query; an empty or blank query gives null. Throws INVALID with the position of the problem. */
export function parseFilterQuery(input: string): FilterSyntax | null {
  if (input.length > FILTER_LIMITS.length) throw filterError(`is longer than ${FILTER_LIMITS.length} characters`);
  const bad = /[^\x20-\x7e\t]/.exec(input);
  if (bad) throw filterError(`may hold only printable ASCII characters (found code ${bad[0].charCodeAt(0)} at position ${bad.index + 1})`);
  if (input.trim() === '') return null;
  return new Parser(tokenize(input)).parse();
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    const pos = i + 1;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const { value, end } = readQuoted(input, i);
      tokens.push({ t: c === '`' ? 'escaped' : 'string', v: value, pos });
      i = end;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+' || c === '.') && /[0-9.]/.test(input[i + 1] ?? '') && !(c === '.' && tokens.at(-1)?.t === 'ident'))) {
      const m = NUMBER.exec(input.slice(i));
      if (!m) throw filterError(`has a malformed number at position ${pos}`);
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw filterError(`has a number out of range at position ${pos}`);
      if (IDENT.test(input.slice(i + m[0].length))) throw filterError(`has a malformed number at position ${pos}`);
      tokens.push({ t: 'number', v: value, raw: m[0], pos });
      i += m[0].length;
    } else if (IDENT.test(input.slice(i))) {
      const m = IDENT.exec(input.slice(i))!;
      tokens.push({ t: 'ident', v: m[0], pos });
      i += m[0].length;
    } else {
      const two = input.slice(i, i + 2);
      if (two === '>=' || two === '<=' || two === '!=' || two === '<>') {
        tokens.push({ t: 'op', v: two === '<>' ? '!=' : two, pos });
        i += 2;
      } else if (two === '==') {
        throw filterError(`uses "==" at position ${pos}; write "="`);
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ t: 'op', v: c, pos });
        i++;
      } else if (c === '(' || c === ')' || c === ',' || c === '.') {
        tokens.push({ t: 'punct', v: c, pos });
        i++;
      } else {
        throw filterError(`has an unexpected character ${JSON.stringify(c)} at position ${pos}`);
      }
    }
  }
  tokens.push({ t: 'eof', pos: input.length + 1 });
  return tokens;
}

/** Reads a quoted string or identifier starting at `start`: backslash escapes the next character; a doubled quote is one quote. */
function readQuoted(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\') {
      if (i + 1 >= input.length) break;
      value += input[i + 1];
      i += 2;
    } else if (c === quote) {
      if (input[i + 1] === quote) {
        value += quote;
        i += 2;
      } else {
        return { value, end: i + 1 };
      }
    } else {
      value += c;
      i++;
    }
  }
  throw filterError(`has an unterminated ${quote === '`' ? 'escaped name' : 'string'} starting at position ${start + 1}`);
}

class Parser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterSyntax {
    const tree = this.or();
    const next = this.peek();
    if (next.t !== 'eof') throw filterError(`expected AND, OR or the end of the query at position ${next.pos}, found ${describe(next)}`);
    return tree;
  }

  private or(): FilterSyntax {
    let left = this.and();
    while (this.keyword('OR')) left = { type: 'or', left, right: this.and() };
    return left;
  }

  private and(): FilterSyntax {
    let left = this.term();
    while (this.keyword('AND')) left = { type: 'and', left, right: this.term() };
    return left;
  }

  private term(): FilterSyntax {
    const next = this.peek();
    if (next.t === 'punct' && next.v === '(') {
      this.i++;
      if (++this.depth > FILTER_LIMITS.depth) throw filterError(`nests parentheses deeper than ${FILTER_LIMITS.depth} levels`);
      const inner = this.or();
      this.expectPunct(')', 'to close the parenthesis');
      this.depth--;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): FilterSyntax {
    if (++this.comparisons > FILTER_LIMITS.comparisons) throw filterError(`has more than ${FILTER_LIMITS.comparisons} comparisons`);
    const position = this.peek().pos;
    const property = this.property();
    const comparator = this.comparator();
    const value = comparator === 'IN' && this.isPunct('(') ? this.list() : this.scalar(`a value after ${comparator}`);
    return { type: 'compare', property, comparator, value, position };
  }

  private property(): PropertyPath {
    const first = this.peek();
    if (first.t === 'ident' && KEYWORDS.has(first.v.toUpperCase())) {
      const hint = first.v.toUpperCase() === 'NOT' ? ' (NOT is not supported; use != or rewrite the condition)' : '; escape property names that are keywords with backticks';
      throw filterError(`expected a property name at position ${first.pos}, found the keyword ${first.v}${hint}`);
    }
    if (first.t !== 'ident' && first.t !== 'escaped') throw filterError(`expected a property name at position ${first.pos}, found ${describe(first)}`);
    this.i++;
    const segments = [first.v];
    let text = first.t === 'escaped' ? `\`${first.v}\`` : first.v;
    while (this.isPunct('.')) {
      this.i++;
      const part = this.peek();
      if (part.t !== 'ident' && part.t !== 'escaped') throw filterError(`expected a name after "." at position ${part.pos}, found ${describe(part)}`);
      this.i++;
      segments.push(part.v);
      text += `.${part.t === 'escaped' ? `\`${part.v}\`` : part.v}`;
    }
    if (segments.some((s) => s === '')) throw filterError(`has an empty property name at position ${first.pos}`);
    return { segments, text };
  }

  private comparator(): Comparator {
    const next = this.peek();
    if (next.t === 'op') {
      this.i++;
      return next.v as Comparator;
    }
    if (next.t === 'ident') {
      const word = next.v.toUpperCase();
      if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') {
        this.i++;
        return word;
      }
      if (word === 'NOT') throw filterError(`does not support NOT (position ${next.pos}); use != or rewrite the condition`);
    }
    throw filterError(`expected an operator (=, !=, <>, <, <=, >, >=, LIKE, ILIKE, IN) at position ${next.pos}, found ${describe(next)}`);
  }

  private list(): Literal[] {
    this.expectPunct('(', 'to open the IN list');
    const items: Literal[] = [];
    if (this.isPunct(')')) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.scalar('a value in the IN list'));
      if (items.length > FILTER_LIMITS.listItems) throw filterError(`has an IN list longer than ${FILTER_LIMITS.listItems} values`);
      if (this.isPunct(',')) {
        this.i++;
        continue;
      }
      this.expectPunct(')', 'or "," in the IN list');
      return items;
    }
  }

  private scalar(what: string): Literal {
    const next = this.peek();
    this.i++;
    if (next.t === 'string') return { kind: 'string', value: next.v };
    if (next.t === 'number') return { kind: 'number', value: next.v, raw: next.raw };
    if (next.t === 'ident' && /^(true|false)$/i.test(next.v)) return { kind: 'bool', value: next.v.toLowerCase() === 'true' };
    if (next.t === 'punct' && next.v === '(') throw filterError(`has a parenthesised list at position ${next.pos}; only IN takes a list`);
    const hint = next.t === 'ident' ? ' (quote strings with \' or ")' : '';
    throw filterError(`expected ${what} at position ${next.pos}, found ${describe(next)}${hint}`);
  }

  private keyword(word: string): boolean {
    const next = this.peek();
    if (next.t === 'ident' && next.v.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  private isPunct(p: string): boolean {
    const next = this.peek();
    return next.t === 'punct' && next.v === p;
  }

  private expectPunct(p: string, why: string): void {
    const next = this.peek();
    if (!this.isPunct(p)) throw filterError(`expected "${p}" ${why} at position ${next.pos}, found ${describe(next)}`);
    this.i++;
  }

  private peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }
}

function describe(token: Token): string {
  switch (token.t) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return `the string ${JSON.stringify(token.v.slice(0, 40))}`;
    case 'escaped':
      return `the name \`${token.v.slice(0, 40)}\``;
    case 'number':
      return `the number ${token.raw}`;
    default:
      return `"${String(token.v).slice(0, 40)}"`;
  }
}

/** The error for a bad filter query (HTTP 400 on every surface). */
export function filterError(problem: string): RegistryError {
  return new RegistryError('INVALID', `invalid filterQuery: the query ${problem}`);
}
