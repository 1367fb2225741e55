// The Markdown report of a two-sided benchmark other than the registry one (`berth` CLI vs skopeo, Hub
// API vs OCI API): the same medians, paired ratios and targets as report.ts, with the two columns
// named by the caller, several tables, and the report also written to bench/results/<name>-<time>.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fmt, median, resultLine, type Limit, type Row } from './report.js';

/** One table of rows; `berth` holds the subject's runs, `reference` the peer's. */
export interface Table {
  title: string;
  intro?: string;
  rows: Row[];
}

/** Everything a side-by-side report prints. */
export interface SideBySide {
  title: string;
  /** Column name of the side measured (`berth` in each Row). */
  subject: string;
  /** Column name of the side compared with (`reference` in each Row). */
  peer: string;
  notes: string[];
  limits: Limit[];
  tables: Table[];
}

/** An empty row, filled run by run. */
export function emptyRow(scenario: string, unit: string, better: Row['better'] = 'higher'): Row {
  return { scenario, unit, better, berth: [], reference: [] };
}

/** The report as Markdown. */
export function renderSideBySide(report: SideBySide): string {
  const { subject, peer } = report;
  const out: string[] = [`# ${report.title}`, ''];
  for (const note of report.notes) out.push(`- ${note}`);
  if (report.limits.length > 0) {
    out.push('', '## Machine limits (median of runs)', '', '| limit | median | runs |', '| --- | ---: | --- |');
    for (const limit of report.limits) out.push(`| ${limit.name} | ${fmt(median(limit.values))} ${limit.unit} | ${limit.values.map(fmt).join(', ')} |`);
  }
  for (const table of report.tables) {
    out.push('', `## ${table.title}`, '');
    if (table.intro) out.push(table.intro, '');
    out.push(`| scenario | unit | ${subject} | ${peer} | ${subject} × | target | met |`, '| --- | --- | ---: | ---: | ---: | --- | --- |');
    for (const row of table.rows) out.push(resultLine(row));
  }
  out.push('', '## Every run', '', `| scenario | unit | ${subject} runs | ${peer} runs |`, '| --- | --- | --- | --- |');
  for (const row of report.tables.flatMap((t) => t.rows)) {
    out.push(`| ${row.scenario} | ${row.unit} | ${row.berth.map(fmt).join(', ')} | ${row.reference.map(fmt).join(', ')} |`);
  }
  out.push('');
  return out.join('\n');
}

/** Writes the report to bench/results/<name>-<started>.md; returns the path. */
export function writeResult(name: string, started: Date, markdown: string): string {
  const dir = resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${name}-${started.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, markdown);
  return file;
}

/** A logger to stderr with the time and the bench's name. */
export function benchLog(name: string): (msg: string) => void {
  return (msg) => process.stderr.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** A human size: 512 MiB, 2 GiB, 4 KiB. */
export function sizeText(bytes: number): string {
  if (bytes >= 2 ** 30) return `${fmt(bytes / 2 ** 30)} GiB`;
  if (bytes >= 2 ** 20) return `${fmt(bytes / 2 ** 20)} MiB`;
  return `${fmt(bytes / 1024)} KiB`;
}
