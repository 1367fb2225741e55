// Model folders on disk for the CLI benchmark, written once and then given new content before every
// push at little cost: a large file is one 1 MiB random piece repeated (blob-data.ts) and only its first
// piece is rewritten; small files are rewritten whole. Every refresh changes every digest, so nothing
// pushed before is present in, or mountable into, the next repository.
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mapLimit } from '../src/cli/parallel.js';
import { PIECE_BYTES, SyntheticBlob, sharedPiece } from './blob-data.js';

/** One file of the model as it is on disk now. */
export interface ModelFileState {
  /** Path relative to the model root, `/`-separated. */
  path: string;
  /** Absolute path on disk. */
  file: string;
  size: number;
  digest: string;
}

/** A model folder whose content can be renewed. */
export interface DiskModel {
  dir: string;
  /** The files with their current digests (replaced by refresh). */
  files: ModelFileState[];
  totalBytes: number;
  /** Gives every file new bytes and new digests. */
  refresh(): Promise<void>;
}

const WRITE_CONCURRENCY = 16;

/** Writes `count` files of `size` bytes (`model-0000i-of-0000n.bin`) under `dir`. */
export async function writeLargeModel(dir: string, count: number, size: number): Promise<DiskModel> {
  await mkdir(dir, { recursive: true });
  const pad = (n: number) => String(n).padStart(5, '0');
  const paths = Array.from({ length: count }, (_, i) => `model-${pad(i + 1)}-of-${pad(count)}.bin`);
  const model: DiskModel = {
    dir,
    files: [],
    totalBytes: count * size,
    async refresh() {
      model.files = await mapLimit(paths, 2, async (path) => {
        const file = join(dir, path);
        const blob = new SyntheticBlob(size);
        const [head] = blob.pieces(0, Math.min(PIECE_BYTES, size));
        const handle = await open(file, 'r+');
        try {
          await handle.write(head!, 0, head!.length, 0);
        } finally {
          await handle.close();
        }
        return { path, file, size, digest: blob.digest };
      });
    },
  };
  for (const path of paths) {
    const handle = await open(join(dir, path), 'w');
    try {
      // The shared piece throughout; refresh then gives each file its own first piece.
      for (let offset = 0; offset < size; offset += PIECE_BYTES) await handle.write(sharedPiece(), 0, Math.min(PIECE_BYTES, size - offset));
    } finally {
      await handle.close();
    }
  }
  await model.refresh();
  return model;
}

/** Writes `count` random files of `minBytes`..`maxBytes` spread over 20 folders under `dir`. */
export async function writeSmallModel(dir: string, count: number, minBytes: number, maxBytes: number): Promise<DiskModel> {
  const span = maxBytes - minBytes + 1;
  const layout = Array.from({ length: count }, (_, i) => ({
    path: `shards/${String(i % 20).padStart(2, '0')}/part-${String(i).padStart(5, '0')}.txt`,
    // A fixed, well spread sequence of sizes (Knuth's multiplicative hash), the same in every run.
    size: minBytes + (Math.imul(i + 1, 2654435761) >>> 0) % span,
  }));
  for (const folder of new Set(layout.map((f) => dirname(f.path)))) await mkdir(join(dir, folder), { recursive: true });
  const model: DiskModel = {
    dir,
    files: [],
    totalBytes: layout.reduce((n, f) => n + f.size, 0),
    async refresh() {
      model.files = await mapLimit(layout, WRITE_CONCURRENCY, async ({ path, size }) => {
        const bytes = randomBytes(size);
        const file = join(dir, path);
        await writeFile(file, bytes);
        return { path, file, size, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
      });
    },
  };
  await model.refresh();
  return model;
}
