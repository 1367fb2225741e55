// Compares directory trees by relative path and content digest (for push/pull round trips).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Relative path -> sha256 of every regular file under `root` (skipping `skip` folder names). */
export async function treeDigests(root: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skip.includes(entry.name)) await walk(full);
      } else if (entry.isFile()) {
        const hash = createHash('sha256');
        for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
        out[relative(root, full).split(sep).join('/')] = hash.digest('hex');
      }
    }
  };
  await walk(root);
  return out;
}
