// Reads a model directory the way `berth push` needs it: the files (relative POSIX paths, sizes,
// digests) and the facts in them (config.json, safetensors and GGUF headers), reading only headers.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { classifyFile } from '../core/modelpack/classify.js';
import { parseGgufHeader } from '../core/modelpack/gguf.js';
import { readHfConfig } from '../core/modelpack/hf-config.js';
import type { LayerKind } from '../core/modelpack/media-types.js';
import { mergeFacts, type ModelFacts } from '../core/modelpack/model-config.js';
import { parseSafetensorsHeader, precisionOf, safetensorsHeaderLength } from '../core/modelpack/safetensors.js';

/** A file of the model, before hashing. */
export interface ModelFile {
  /** Path relative to the model root, with `/` separators. */
  path: string;
  /** Absolute path on disk. */
  file: string;
  size: number;
  kind: LayerKind;
}

const SKIPPED_DIRS = new Set(['.git', '.berth', '.cache', '__pycache__']);
const GGUF_HEADER_BYTES = 32 << 20;

/** Lists the files of a model directory (or the single file given), in path order. */
export async function scanModel(source: string): Promise<ModelFile[]> {
  const info = await stat(source).catch(() => {
    throw new Error(`${source}: no such file or directory`);
  });
  if (info.isFile()) return [{ path: basename(source), file: source, size: info.size, kind: classifyFile(basename(source)) }];
  const files: ModelFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
        continue;
      }
      if (entry.name.endsWith('.berth-partial')) continue;
      const s = await stat(full);
      if (!s.isFile()) continue;
      const path = relative(source, full).split(sep).join('/');
      files.push({ path, file: full, size: s.size, kind: classifyFile(path) });
    }
  };
  await walk(source);
  if (files.length === 0) throw new Error(`${source} holds no files to push`);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Facts read from config.json and the headers of safetensors and GGUF weights. */
export async function readModelFacts(files: ModelFile[]): Promise<ModelFacts> {
  const parts: Array<Partial<ModelFacts>> = [];
  const config = files.find((f) => f.path === 'config.json');
  if (config) {
    try {
      const hf = readHfConfig(JSON.parse(await readFile(config.file, 'utf8')));
      parts.push({ architecture: hf.architecture, modelType: hf.modelType, contextLength: hf.contextLength, ...(hf.torchDtype ? { precision: hf.torchDtype } : {}) });
    } catch (err) {
      throw new Error(`config.json is not valid JSON: ${(err as Error).message}`);
    }
  }
  for (const f of files.filter((x) => x.path.endsWith('.safetensors'))) {
    const header = await readSafetensors(f);
    parts.push({ format: 'safetensors', parameters: header.parameters, precision: precisionOf(header.dtypes) });
  }
  for (const f of files.filter((x) => x.path.endsWith('.gguf'))) {
    const gguf = parseGgufHeader(await readHead(f.file, Math.min(f.size, GGUF_HEADER_BYTES)));
    parts.push({ format: 'gguf', architecture: gguf.architecture, quantization: gguf.quantization, contextLength: gguf.contextLength, parameters: gguf.parameterCount });
  }
  const format = weightFormat(files);
  return mergeFacts(...parts, format ? { format } : {});
}

async function readSafetensors(f: ModelFile) {
  try {
    const length = safetensorsHeaderLength(await readHead(f.file, 8));
    const head = await readHead(f.file, 8 + length);
    return parseSafetensorsHeader(head.subarray(8));
  } catch (err) {
    throw new Error(`${f.path}: not a valid safetensors file (${(err as Error).message})`);
  }
}

/** The format holding most weight bytes. */
function weightFormat(files: ModelFile[]): string | undefined {
  const bytes = new Map<string, number>();
  for (const f of files.filter((x) => x.kind === 'weight')) {
    const format = formatOf(f.path);
    bytes.set(format, (bytes.get(format) ?? 0) + f.size);
  }
  return [...bytes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function formatOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'bin' || ext === 'pt' || ext === 'pth' || ext === 'ckpt') return 'pytorch';
  return ext;
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
