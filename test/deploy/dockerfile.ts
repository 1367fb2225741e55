// A small reader of deploy/Dockerfile and .dockerignore for the image test: instructions per stage, and
// whether a build-context path survives .dockerignore (root-relative patterns, `*` within one path part).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** One Dockerfile instruction, e.g. { op: 'COPY', args: '--from=build /src/dist ./dist' }. */
export interface Instruction {
  op: string;
  args: string;
}

/** One build stage: its FROM line and the instructions after it. */
export interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

const ROOT = resolve(import.meta.dirname, '../..');

/** The Dockerfile's global ARG defaults and its stages, continuation lines joined and comments dropped. */
export function readDockerfile(path = resolve(ROOT, 'deploy/Dockerfile')): { args: Record<string, string>; stages: Stage[] } {
  const joined = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*(\w+)\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`cannot read FROM ${rest}`);
      stages.push({ from: from[1]!, name: from[2], instructions: [] });
    } else if (stages.length === 0 && op === 'ARG') {
      const [k, v] = rest.split('=');
      args[k!] = v ?? '';
    } else {
      stages.at(-1)?.instructions.push({ op, args: rest });
    }
  }
  return { args, stages };
}

/** The instructions of `stage` with operation `op`. */
export function ops(stage: Stage, op: string): Instruction[] {
  return stage.instructions.filter((i) => i.op === op);
}

/** Splits COPY arguments into flags, sources and destination. */
export function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [k, v] = words.shift()!.slice(2).split('=');
    flags[k!] = v ?? '';
  }
  const dest = words.pop()!;
  return { flags, sources: words, dest };
}

/** True when .dockerignore keeps `path` (or a folder above it) out of the build context. */
export function dockerignored(path: string, ignoreFile = resolve(ROOT, '.dockerignore')): boolean {
  const patterns = readFileSync(ignoreFile, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!') || p.includes('**'))) throw new Error('this reader does not handle ! or ** patterns; extend it');
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/^\/|\/$/g, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`));
  const parts = path.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
}
