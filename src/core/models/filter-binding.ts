// Resolves a parsed filter query against the kinds being listed: which names are common attributes,
// which are a kind's built-in fields, which are custom properties and with what value type. The
// result is a typed tree that a store compiles with bound parameters, never with spliced text.
// Custom properties are reached by name (`accuracy > 0.9`), with an explicit type
// (`accuracy.double_value > 0.9`) or under `customProperties.` (`customProperties.accuracy.double_value`).
import { KIND_SPECS, type EntityKind, type FieldType } from './entity-kinds.js';
import { filterError, parseFilterQuery, type Comparator, type FilterSyntax, type Literal } from './filter-query.js';

/** Common attributes every entity has (numbers: id, times, parent and run ids). */
export type Attribute = 'id' | 'name' | 'externalId' | 'description' | 'createdAt' | 'updatedAt' | 'state' | 'parentId' | 'runId';

/** What a comparison looks at. */
export type FilterTarget = { kind: 'attribute'; attribute: Attribute } | { kind: 'field'; name: string } | { kind: 'custom'; name: string };

/** Which stored value a comparison reads: `number` reads integer and double values alike. */
export type ValueType = 'string' | 'int' | 'double' | 'number' | 'bool';

/** A scalar to compare with. */
export type Scalar = string | number | boolean;

/** A typed filter, ready for a store to compile. */
export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'compare'; target: FilterTarget; comparator: Comparator; valueType: ValueType; values: Scalar[] };

const TYPE_SUFFIXES: Record<string, ValueType> = { string_value: 'string', int_value: 'int', double_value: 'double', bool_value: 'bool' };
const NUMERIC_ATTRIBUTES: Record<string, Attribute> = { id: 'id', createTimeSinceEpoch: 'createdAt', lastUpdateTimeSinceEpoch: 'updatedAt' };
const STRING_ATTRIBUTES: Record<string, Attribute> = { name: 'name', externalId: 'externalId', description: 'description' };

/** Parses and resolves `query` for a listing of `kinds`; null when there is no query. Throws INVALID. */
export function compileFilter(query: string | undefined, kinds: readonly EntityKind[]): FilterNode | null {
  if (query === undefined) return null;
  const syntax = parseFilterQuery(query);
  return syntax ? bindFilter(syntax, kinds) : null;
}

/** Resolves a syntax tree for a listing of `kinds`. */
export function bindFilter(syntax: FilterSyntax, kinds: readonly EntityKind[]): FilterNode {
  if (syntax.type !== 'compare') return { op: syntax.type, left: bindFilter(syntax.left, kinds), right: bindFilter(syntax.right, kinds) };
  const where = `${syntax.property.text} (position ${syntax.position})`;
  const { comparator } = syntax;
  const literals = Array.isArray(syntax.value) ? syntax.value : [syntax.value];
  if (comparator === 'IN' && !Array.isArray(syntax.value)) throw filterError(`needs a parenthesised list after IN for ${where}`);
  if (comparator !== 'IN' && Array.isArray(syntax.value)) throw filterError(`has a list for ${where}; only IN takes a list`);
  const classes = new Set(literals.map((l) => l.kind));
  if (classes.size > 1) throw filterError(`mixes strings, numbers and booleans in the IN list of ${where}`);
  const literalKind = literals[0]?.kind ?? 'string';
  if ((comparator === 'LIKE' || comparator === 'ILIKE') && literalKind !== 'string') throw filterError(`compares ${where} with ${comparator}, which needs a quoted pattern`);
  if (['<', '<=', '>', '>='].includes(comparator) && literalKind === 'bool') throw filterError(`orders ${where} by a boolean; use = or !=`);

  const { target, type } = resolveTarget(syntax.property.segments, kinds);
  const valueType = type ?? inferred(literalKind);
  if ((comparator === 'LIKE' || comparator === 'ILIKE') && valueType !== 'string') throw filterError(`uses ${comparator} on ${where}, which is not a string`);
  const values = literals.map((l) => coerce(l, valueType, where));
  if ((comparator === 'LIKE' || comparator === 'ILIKE') && /(^|[^\\])(\\\\)*\\$/.test(String(values[0]))) throw filterError(`has a ${comparator} pattern for ${where} that ends with an escape character "\\"`);
  return { op: 'compare', target, comparator, valueType, values };
}

/** The target of a property path and its value type when the name fixes it. */
function resolveTarget(segments: string[], kinds: readonly EntityKind[]): { target: FilterTarget; type: ValueType | null } {
  let path = segments;
  let explicit: ValueType | null = null;
  const last = path.at(-1)!.toLowerCase();
  if (path.length >= 2 && last in TYPE_SUFFIXES) {
    explicit = TYPE_SUFFIXES[last]!;
    path = path.slice(0, -1);
  }
  if (path.length >= 2 && path[0] === 'customProperties') return { target: { kind: 'custom', name: path.slice(1).join('.') }, type: explicit };
  const name = path.join('.');
  if (explicit) return { target: { kind: 'custom', name }, type: explicit };
  if (name in NUMERIC_ATTRIBUTES) return { target: { kind: 'attribute', attribute: NUMERIC_ATTRIBUTES[name]! }, type: 'number' };
  if (name in STRING_ATTRIBUTES) return { target: { kind: 'attribute', attribute: STRING_ATTRIBUTES[name]! }, type: 'string' };
  const specs = kinds.map((k) => KIND_SPECS[k]);
  if (specs.some((s) => s.stateName === name)) return { target: { kind: 'attribute', attribute: 'state' }, type: 'string' };
  if (specs.some((s) => s.parentName === name)) return { target: { kind: 'attribute', attribute: 'parentId' }, type: 'number' };
  if (specs.some((s) => s.runName === name)) return { target: { kind: 'attribute', attribute: 'runId' }, type: 'number' };
  const fieldTypes = new Set<FieldType>(specs.flatMap((s) => (name in s.fields ? [s.fields[name]!] : [])));
  if (fieldTypes.size > 0) {
    const numeric = fieldTypes.has('int') || fieldTypes.has('double');
    const textual = fieldTypes.has('string') || fieldTypes.has('string-list');
    return { target: { kind: 'field', name }, type: numeric && textual ? null : numeric ? 'number' : 'string' };
  }
  return { target: { kind: 'custom', name }, type: null };
}

function inferred(kind: Literal['kind']): ValueType {
  return kind === 'string' ? 'string' : kind === 'number' ? 'number' : 'bool';
}

/** Converts a literal to the value type of its target, or explains why it cannot be compared. */
function coerce(literal: Literal, type: ValueType, where: string): Scalar {
  switch (type) {
    case 'string':
      if (literal.kind === 'string') return literal.value;
      if (literal.kind === 'number') return literal.raw;
      throw filterError(`compares ${where}, a string, with a boolean; quote it`);
    case 'bool':
      if (literal.kind === 'bool') return literal.value;
      if (literal.kind === 'string' && /^(true|false)$/i.test(literal.value)) return literal.value.toLowerCase() === 'true';
      throw filterError(`compares ${where}, a boolean, with something other than true or false`);
    default: {
      if (literal.kind === 'number') {
        if (type === 'int' && !Number.isInteger(literal.value)) throw filterError(`compares ${where}, an integer, with ${literal.raw}`);
        return literal.value;
      }
      if (literal.kind === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(literal.value)) {
        const n = Number(literal.value);
        if (type === 'int' && !Number.isInteger(n)) throw filterError(`compares ${where}, an integer, with ${literal.value}`);
        return n;
      }
      throw filterError(`compares ${where}, a number, with ${literal.kind === 'bool' ? 'a boolean' : `the string ${JSON.stringify(literal.value.slice(0, 40))}`}`);
    }
  }
}
