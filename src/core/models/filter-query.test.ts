import { describe, expect, it } from 'vitest';
import { bindFilter, compileFilter, type FilterNode } from './filter-binding.js';
import { FILTER_LIMITS, parseFilterQuery } from './filter-query.js';

const compare = (node: FilterNode | null) => (node && node.op === 'compare' ? node : null);

describe('filterQuery grammar', () => {
  it('parses comparisons, precedence, groups and every literal form', () => {
    expect(parseFilterQuery('')).toBeNull();
    expect(parseFilterQuery('  \t ')).toBeNull();
    const tree = parseFilterQuery('a = 1 OR b = 2 AND c = 3');
    expect(tree).toMatchObject({ type: 'or', left: { type: 'compare' }, right: { type: 'and' } });
    expect(parseFilterQuery('(a = 1 OR b = 2) and c = 3')).toMatchObject({ type: 'and', left: { type: 'or' } });
    expect(parseFilterQuery("x = 'it''s'")).toMatchObject({ value: { kind: 'string', value: "it's" } });
    expect(parseFilterQuery('x = "a\\"b\\\\c"')).toMatchObject({ value: { kind: 'string', value: 'a"b\\c' } });
    expect(parseFilterQuery('x = -1.5e-3')).toMatchObject({ value: { kind: 'number', value: -0.0015, raw: '-1.5e-3' } });
    expect(parseFilterQuery('x = .5')).toMatchObject({ value: { kind: 'number', value: 0.5 } });
    expect(parseFilterQuery('x = +7')).toMatchObject({ value: { kind: 'number', value: 7 } });
    expect(parseFilterQuery('x = TRUE')).toMatchObject({ value: { kind: 'bool', value: true } });
    expect(parseFilterQuery('x <> 1')).toMatchObject({ comparator: '!=' });
    expect(parseFilterQuery('x in ()')).toMatchObject({ comparator: 'IN', value: [] });
    expect(parseFilterQuery('x IN (1, 2,3)')).toMatchObject({ value: [{ value: 1 }, { value: 2 }, { value: 3 }] });
    expect(parseFilterQuery('`odd name`.string_value like "a%"')).toMatchObject({ property: { segments: ['odd name', 'string_value'] }, comparator: 'LIKE' });
    expect(parseFilterQuery('`a\\`b` = 1')).toMatchObject({ property: { segments: ['a`b'] } });
    expect(parseFilterQuery('a.b.c ILIKE "x"')).toMatchObject({ property: { segments: ['a', 'b', 'c'] }, comparator: 'ILIKE' });
  });

  it('rejects malformed queries with the position of the problem', () => {
    const cases: Array<[string, RegExp]> = [
      ['a =', /expected a value after = at position 4/],
      ['a = "x', /unterminated string starting at position 5/],
      ['`a = 1', /unterminated escaped name/],
      ['a = 1 b = 2', /expected AND, OR or the end of the query at position 7/],
      ['a 1', /expected an operator .* at position 3/],
      ['a == 1', /"==" at position 3/],
      ['a = 1 AND', /expected a property name at position 10/],
      ['and = 1', /found the keyword and/],
      ['a NOT IN (1)', /does not support NOT/],
      ['a = (1)', /only IN takes a list/],
      ['a IN (1,', /expected a value in the IN list at position 9/],
      ['a IN (1 2)', /expected "\)" or "," in the IN list/],
      ['a. = 1', /expected a name after "." at position 4, found "="/],
      ['a = 1 ; b = 2', /unexpected character ";" at position 7/],
      ['a = 12abc', /malformed number/],
      ['a = 1e999', /out of range/],
      ['a = "\u0000"', /printable ASCII/],
      ['(('.repeat(20) + 'a = 1' + '))'.repeat(20), new RegExp(`deeper than ${FILTER_LIMITS.depth}`)],
      [`a IN (${Array.from({ length: 1001 }, (_, i) => i).join(',')})`, /IN list longer than 1000/],
    ];
    for (const [query, message] of cases) {
      expect(() => parseFilterQuery(query), query).toThrow(message);
    }
  });
});

describe('filterQuery binding', () => {
  it('resolves attributes, kind fields, parents and custom properties', () => {
    expect(compare(compileFilter('id > "3"', ['registered-model']))).toMatchObject({ target: { kind: 'attribute', attribute: 'id' }, valueType: 'number', values: [3] });
    expect(compare(compileFilter('createTimeSinceEpoch < 5', ['experiment']))).toMatchObject({ target: { attribute: 'createdAt' } });
    expect(compare(compileFilter('registeredModelId = 4', ['model-version']))).toMatchObject({ target: { attribute: 'parentId' }, values: [4] });
    expect(compare(compileFilter('registeredModelId = 4', ['inference-service']))).toMatchObject({ target: { kind: 'field', name: 'registeredModelId' } });
    expect(compare(compileFilter('desiredState = "DEPLOYED"', ['inference-service']))).toMatchObject({ target: { attribute: 'state' } });
    expect(compare(compileFilter('experimentRunId = 2', ['metric']))).toMatchObject({ target: { attribute: 'runId' } });
    expect(compare(compileFilter('uri LIKE "s3://%"', ['model-artifact']))).toMatchObject({ target: { kind: 'field', name: 'uri' }, valueType: 'string' });
    expect(compare(compileFilter('accuracy > 0.9', ['registered-model']))).toMatchObject({ target: { kind: 'custom', name: 'accuracy' }, valueType: 'number' });
    expect(compare(compileFilter('accuracy.DOUBLE_VALUE > 1', ['registered-model']))).toMatchObject({ target: { kind: 'custom', name: 'accuracy' }, valueType: 'double' });
    expect(compare(compileFilter('customProperties.name.string_value = "x"', ['registered-model']))).toMatchObject({ target: { kind: 'custom', name: 'name' }, valueType: 'string' });
    expect(compare(compileFilter('customProperties.owner = "x"', ['registered-model']))).toMatchObject({ target: { kind: 'custom', name: 'owner' } });
    expect(compare(compileFilter('owner = "x"', ['registered-model']))).toMatchObject({ target: { kind: 'field', name: 'owner' } });
    expect(compare(compileFilter('mlflow.source.type = "x"', ['experiment']))).toMatchObject({ target: { kind: 'custom', name: 'mlflow.source.type' } });
    expect(compare(compileFilter('flag.bool_value = "true"', ['experiment']))).toMatchObject({ valueType: 'bool', values: [true] });
    expect(compare(compileFilter('externalId = 10', ['experiment']))).toMatchObject({ valueType: 'string', values: ['10'] });
    expect(compare(compileFilter('value = 1', ['metric', 'parameter']))).toMatchObject({ valueType: 'number' });
    expect(compare(compileFilter('value = "1"', ['metric', 'parameter']))).toMatchObject({ valueType: 'string' });
    expect(compileFilter(undefined, ['experiment'])).toBeNull();
  });

  it('refuses comparisons whose types cannot meet', () => {
    const cases: Array<[string, RegExp]> = [
      ['id = "x"', /a number, with the string "x"/],
      ['name = true', /a string, with a boolean/],
      ['a.int_value = 1.5', /an integer, with 1.5/],
      ['flag.bool_value = 1', /a boolean, with something other than true or false/],
      ['step LIKE "1%"', /uses LIKE on step .* not a string/],
      ['a LIKE 1', /needs a quoted pattern/],
      ['a > true', /by a boolean/],
      ['a IN ("x", 1)', /mixes/],
      ['name LIKE "x\\\\"', /ends with an escape character/],
    ];
    for (const [query, message] of cases) {
      expect(() => bindFilter(parseFilterQuery(query)!, ['metric', 'registered-model']), query).toThrow(message);
    }
    expect(() => compileFilter('name LIKE "x\\\\\\\\"', ['experiment'])).not.toThrow();
  });
});
