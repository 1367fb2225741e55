// How CLI commands print: aligned columns on a terminal, one JSON document with --json.

/** Prints rows as JSON or as an aligned table of the given columns. */
export function printRows(rows: Array<Record<string, unknown>>, columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => format(r[c])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  for (const row of cells) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

/** Prints one object as JSON or as `key: value` lines. */
export function printObject(value: Record<string, unknown>, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(value).map((k) => k.length));
  for (const [k, v] of Object.entries(value)) process.stdout.write(`${`${k}:`.padEnd(width + 2)}${format(v)}\n`);
}

function format(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}
