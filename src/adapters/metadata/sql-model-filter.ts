// Compiles a typed filter (core/models/filter-binding.ts) into a SQL condition over `model_entities e`.
// Every value is a bound parameter and every column comes from the fixed maps below, so no text from
// a query ever reaches the SQL. LIKE is case-sensitive and ILIKE case-insensitive on both dialects
// (SQLite gets GLOB for LIKE), with `\` escaping `%` and `_`.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Attribute, FilterNode, Scalar, ValueType } from '../../core/models/filter-binding.js';
import type { Comparator } from '../../core/models/filter-query.js';
import type { SqlDialect } from './migrations.js';

const ATTRIBUTE_COLUMNS: Record<Attribute, string> = {
  id: 'e.id',
  name: 'e.name',
  externalId: 'e.external_id',
  description: 'e.description',
  createdAt: 'e.created_at',
  updatedAt: 'e.updated_at',
  state: 'e.state',
  parentId: 'e.parent_id',
  runId: 'e.run_id',
};

const ORDERING: Record<Exclude<Comparator, 'LIKE' | 'ILIKE' | 'IN'>, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Compiles `node` for `dialect`. */
export function compileFilterSql(node: FilterNode, dialect: SqlDialect): RawBuilder<SqlBool> {
  if (node.op !== 'compare') {
    const left = compileFilterSql(node.left, dialect);
    const right = compileFilterSql(node.right, dialect);
    return node.op === 'and' ? sql<SqlBool>`(${left} and ${right})` : sql<SqlBool>`(${left} or ${right})`;
  }
  const { target, comparator, valueType, values } = node;
  if (target.kind === 'attribute') {
    const column = sql.ref(ATTRIBUTE_COLUMNS[target.attribute]);
    return condition(column, comparator, valueType === 'string' ? 'string' : 'number', values, dialect);
  }
  const custom = target.kind === 'custom' ? 1 : 0;
  const value = valueCondition(valueType, comparator, values, dialect);
  return sql<SqlBool>`exists (select 1 from model_properties p where p.entity_id = e.id and p.custom = ${custom} and p.name = ${target.name} and ${value})`;
}

/** The condition on a property row's typed value column. */
function valueCondition(type: ValueType, comparator: Comparator, values: Scalar[], dialect: SqlDialect): RawBuilder<SqlBool> {
  switch (type) {
    case 'string':
      return sql<SqlBool>`(p.type in ('string', 'json') and ${condition(sql.ref('p.string_value'), comparator, 'string', values, dialect)})`;
    case 'int':
      return sql<SqlBool>`(p.type = 'int' and ${condition(sql.ref('p.int_value'), comparator, 'number', values, dialect)})`;
    case 'double':
      return sql<SqlBool>`(p.type = 'double' and ${condition(sql.ref('p.double_value'), comparator, 'number', values, dialect)})`;
    case 'number':
      return sql<SqlBool>`(p.type in ('int', 'double') and ${condition(sql`coalesce(p.double_value, p.int_value)`, comparator, 'number', values, dialect)})`;
    case 'bool':
      return sql<SqlBool>`(p.type = 'bool' and ${condition(sql.ref('p.bool_value'), comparator, 'bool', values, dialect)})`;
  }
}

function condition(column: RawBuilder<unknown> | ReturnType<typeof sql.ref>, comparator: Comparator, kind: 'string' | 'number' | 'bool', values: Scalar[], dialect: SqlDialect): RawBuilder<SqlBool> {
  const param = (v: Scalar) => {
    if (kind === 'bool') return sql`${v === true ? 1 : 0}`;
    if (kind === 'number') return dialect === 'postgres' ? sql`cast(${Number(v)} as double precision)` : sql`${Number(v)}`;
    return sql`${String(v)}`;
  };
  if (comparator === 'IN') {
    if (values.length === 0) return sql<SqlBool>`1 = 0`;
    return sql<SqlBool>`${column} in (${sql.join(values.map(param))})`;
  }
  const value = values[0]!;
  if (comparator === 'LIKE') {
    return dialect === 'postgres' ? sql<SqlBool>`${column} like ${String(value)}` : sql<SqlBool>`${column} glob ${likeToGlob(String(value))}`;
  }
  if (comparator === 'ILIKE') {
    return dialect === 'postgres' ? sql<SqlBool>`${column} ilike ${String(value)}` : sql<SqlBool>`${column} like ${String(value)} escape '\\'`;
  }
  return sql<SqlBool>`${column} ${sql.raw(ORDERING[comparator])} ${param(value)}`;
}

/** Translates a LIKE pattern (`%`, `_`, `\` escapes) into an equivalent, case-sensitive SQLite GLOB pattern. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      out += literal(pattern[++i]!);
    } else if (c === '%') {
      out += '*';
    } else if (c === '_') {
      out += '?';
    } else {
      out += literal(c);
    }
  }
  return out;
}

function literal(c: string): string {
  return c === '*' || c === '?' || c === '[' ? `[${c}]` : c;
}
