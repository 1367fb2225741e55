// Turns per-run measurements into the Markdown report: medians, Berth-vs-reference ratios (always
// oriented so that > 1 means Berth is better), the issue's targets, machine limits, memory and raw runs.

/** Whether a larger or a smaller number is better. */
export type Better = 'higher' | 'lower';

/** The outcome of checking a row against its target. */
export interface Verdict {
  met: boolean;
  note?: string;
}

/** A target of the issue, shown beside a row and checked against its medians. */
export interface Target {
  text: string;
  check(berth: number, reference: number, advantage: number): Verdict;
}

/** One measured quantity, per run, for both servers. */
export interface Row {
  scenario: string;
  unit: string;
  better: Better;
  berth: number[];
  reference: number[];
  target?: Target;
}

/** One machine limit, per run. */
export interface Limit {
  name: string;
  unit: string;
  values: number[];
}

/** A memory row: peak bytes per server for one phase. */
export interface MemoryRow {
  phase: string;
  berth: number;
  reference: number;
}

/** Everything the report prints. */
export interface Report {
  title: string;
  notes: string[];
  limits: Limit[];
  rows: Row[];
  memory: MemoryRow[];
  memoryTarget?: Target;
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * How many times better Berth is than the reference (> 1: Berth better): the median of the per-run
 * ratios, each run pairing two adjacent measurements so that drifting load on the machine cancels out.
 */
export function advantage(row: Pick<Row, 'better' | 'berth' | 'reference'>): number {
  const ratios = row.berth.map((b, i) => (row.better === 'higher' ? b / row.reference[i]! : row.reference[i]! / b));
  return median(ratios);
}

/** Formats a number with about three significant digits. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** The report as Markdown. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [`# ${report.title}`, ''];
  for (const note of report.notes) out.push(`- ${note}`);
  out.push('', '## Machine limits (median of runs)', '', '| limit | median | runs |', '| --- | ---: | --- |');
  for (const limit of report.limits) out.push(`| ${limit.name} | ${fmt(median(limit.values))} ${limit.unit} | ${limit.values.map(fmt).join(', ')} |`);

  out.push(
    '',
    '## Results (median of runs)',
    '',
    '"Berth ×" is how many times better Berth is: Berth / reference for rates, reference / Berth for latencies, taken per run (the two servers run back to back) and then the median. Above 1 means Berth is better.',
    '',
    '| scenario | unit | Berth | docker-registry 2.8 | Berth × | target | met |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  );
  for (const row of report.rows) out.push(resultLine(row));

  out.push('', '## Peak RSS per phase (MiB, largest VmRSS sample; VmHWM is the kernel peak over the whole run)', '');
  out.push('| phase | Berth | docker-registry 2.8 | target | met |', '| --- | ---: | ---: | --- | --- |');
  for (const m of report.memory) {
    const verdict = report.memoryTarget?.check(m.berth, m.reference, m.reference / m.berth);
    const met = verdict ? (verdict.met ? 'yes' : '**no**') : '';
    out.push(`| ${m.phase} | ${fmt(m.berth / 2 ** 20)} | ${fmt(m.reference / 2 ** 20)} | ${report.memoryTarget?.text ?? '—'} | ${met} |`);
  }

  out.push('', '## Every run', '', '| scenario | unit | Berth runs | docker-registry 2.8 runs |', '| --- | --- | --- | --- |');
  for (const row of report.rows) out.push(`| ${row.scenario} | ${row.unit} | ${row.berth.map(fmt).join(', ')} | ${row.reference.map(fmt).join(', ')} |`);
  out.push('');
  return out.join('\n');
}

/** One Markdown table line for a result row: medians, the paired advantage and the target verdict. */
export function resultLine(row: Row): string {
  const b = median(row.berth);
  const r = median(row.reference);
  const adv = advantage(row);
  const verdict = row.target?.check(b, r, adv);
  const met = verdict ? `${verdict.met ? 'yes' : '**no**'}${verdict.note ? ` (${verdict.note})` : ''}` : '';
  return `| ${row.scenario} | ${row.unit} | ${fmt(b)} | ${fmt(r)} | ${fmt(adv)} | ${row.target?.text ?? '—'} | ${met} |`;
}
