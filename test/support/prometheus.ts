// A strict parser of the Prometheus text exposition format (0.0.4), for tests that read /metrics:
// it throws on any line a Prometheus server would reject, and checks that histograms add up.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One metric family: its TYPE, HELP and samples. */
export interface Family {
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count', ''] };

/** Parses an exposition into families by name; throws with the offending line on malformed input. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { type: 'untyped', help: '', samples: [] }));
    return f;
  };
  for (const [index, line] of text.split('\n').entries()) {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${line}`);
    };
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue;
      const [, kind, name, rest = ''] = m;
      if (!NAME.test(name!)) fail('bad metric name');
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (family(name!).samples.length > 0) fail('TYPE after samples');
        family(name!).type = rest;
      } else family(name!).help = rest;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line) ?? fail('not a sample');
    const [, name, labelText, valueText] = m;
    // Values parse as Go's ParseFloat does: Inf and NaN in any case (prom-client writes "Nan").
    const special = /^([+-]?)(inf|nan)$/i.exec(valueText!);
    const value = special ? (special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(valueText);
    if (Number.isNaN(value) && !special) fail('bad value');
    const labels = labelText ? parseLabels(labelText.slice(1, -1)) ?? fail('bad labels') : {};
    (families.get(name!) ?? ownerOf(families, name!, fail)).samples.push({ name: name!, labels, value });
  }
  for (const [name, f] of families) if (f.type === 'histogram') checkHistogram(name, f);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none). */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const samples = (families.get(name) ?? families.get(base))?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (samples.length > 1) throw new Error(`${samples.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return samples[0]?.value ?? 0;
}

function ownerOf(families: Map<string, Family>, name: string, fail: (why: string) => never): Family {
  for (const [base, f] of families) {
    if ((SUFFIXES[f.type] ?? []).some((suffix) => `${base}${suffix}` === name)) return f;
  }
  return fail('sample of an undeclared metric');
}

function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!m || !LABEL.test(m[1]!) || m[1]! in labels) return null;
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

function checkHistogram(name: string, f: Family): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name === `${name}_bucket`) entry.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    if (s.name === `${name}_count`) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${name}${key}: no +Inf bucket`);
    if (sorted.some(([, v], i) => i > 0 && v < sorted[i - 1]![1])) throw new Error(`${name}${key}: buckets not cumulative`);
    if (sorted.at(-1)![1] !== count) throw new Error(`${name}${key}: +Inf bucket differs from _count`);
  }
}
